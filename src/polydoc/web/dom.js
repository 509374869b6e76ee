// Building DOM safely: text always goes in as text nodes, never as HTML.

/**
 * h("li", {class: "run", dataset: {id}}, "text", child) -> element.
 * Attributes: `class`, `dataset`, `on<event>` (functions), booleans, the rest as attributes.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") el.className = value;
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key.startsWith("on") && typeof value === "function") el.addEventListener(key.slice(2), value);
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

export const $ = (selector, root = document) => root.querySelector(selector);

export function setText(el, text) {
  el.textContent = text ?? "";
}

export function replaceChildren(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/** Tell screen readers something happened (the polite live region). */
export function announce(message) {
  const live = $("#live");
  const line = h("p", {}, message);
  live.append(line);
  while (live.childElementCount > 5) live.firstElementChild.remove();
}

export function show(el, visible = true) {
  el.hidden = !visible;
}
