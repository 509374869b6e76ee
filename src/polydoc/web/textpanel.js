// The "Text" tab: a box of text translated while you wait (POST /v1/translate), beside the documents.

import { $, announce, h, replaceChildren, setText, show } from "./dom.js";
import { explain, languageName, number, plural } from "./text.js";

const TARGET_STORAGE = "polydoc.textTarget";

export class TextPanel {
  /** `api()`: the signed-in Api (or null); `charged()`: the balance changed. */
  constructor({ api, charged }) {
    this.api = api;
    this.charged = charged;
    this.listing = null;
    this.busy = false;
    this.tabs = [$("#tab-documents"), $("#tab-text")];
    for (const tab of this.tabs) {
      tab.addEventListener("click", () => this.select(tab));
      tab.addEventListener("keydown", (e) => this.arrows(e));
    }
    $("#text-form").addEventListener("submit", (e) => {
      e.preventDefault();
      this.translate();
    });
    $("#text-input").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) this.translate();
    });
    $("#text-input").addEventListener("input", () => this.count());
    $("#text-source").addEventListener("change", () => this.fillTargets());
    $("#text-target").addEventListener("change", () => localStorage.setItem(TARGET_STORAGE, $("#text-target").value));
  }

  // -- tabs -------------------------------------------------------------------------------------

  select(tab) {
    const text = tab.id === "tab-text";
    for (const t of this.tabs) {
      t.setAttribute("aria-selected", String(t === tab));
      t.tabIndex = t === tab ? 0 : -1;
    }
    // the documents' cards are every other section of the app
    for (const section of document.querySelectorAll("#app > section")) {
      show(section, section.id === "text-panel" ? text : !text);
    }
    if (text) $("#text-input").focus();
  }

  arrows(event) {
    if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
    const next = this.tabs[(this.tabs.indexOf(event.target) + 1) % this.tabs.length];
    next.focus();
    this.select(next);
  }

  // -- languages ----------------------------------------------------------------------------------

  languages(listing) {
    this.listing = listing;
    const sources = [...new Set(this.pairs().map((p) => p.source))].filter((c) => c !== "*");
    const select = $("#text-source");
    const before = select.value;
    replaceChildren(select, h("option", { value: "" }, "Detect automatically"),
      this.sorted(sources).map((c) => h("option", { value: c, selected: c === before }, languageName(c))));
    this.fillTargets();
  }

  pairs() {
    const engine = this.listing?.default_engine;
    return (this.listing?.pairs || []).filter((p) => p.engine === engine);
  }

  sorted(codes) {
    return codes.sort((a, b) => languageName(a).localeCompare(languageName(b)));
  }

  fillTargets() {
    const source = $("#text-source").value;
    const select = $("#text-target");
    const wanted = select.value || localStorage.getItem(TARGET_STORAGE) || "es";
    let targets = this.pairs().filter((p) => !source || p.source === source || p.source === "*").map((p) => p.target);
    if (targets.includes("*")) targets = (this.listing?.languages || []).map((l) => l.code);
    targets = this.sorted([...new Set(targets)].filter((c) => c !== "*" && c !== source));
    replaceChildren(select, targets.map((c) => h("option", { value: c, selected: c === wanted }, languageName(c))));
  }

  // -- translating --------------------------------------------------------------------------------

  count() {
    const n = $("#text-input").value.length;
    setText($("#text-count"), n ? `${number(n)} character${n === 1 ? "" : "s"}` : "");
  }

  async translate() {
    const api = this.api();
    const text = $("#text-input").value;
    this.error("");
    if (!api || this.busy) return;
    if (!text.trim()) return this.error("Type or paste some text to translate.", $("#text-input"));
    if (!$("#text-target").value) return this.error("Choose a language to translate into.", $("#text-target"));
    const body = { text, target_language: $("#text-target").value, format: $("#text-format").value };
    if ($("#text-source").value) body.source_language = $("#text-source").value;
    this.busy = true;
    $("#text-go").disabled = true;
    setText($("#text-meta"), "Translating…");
    try {
      const done = await api.post("/v1/translate", body);
      $("#text-output").value = done.translations[0];
      const cost = done.credits ? plural(done.credits, "credit") : "free (from your translation memory)";
      const from = body.source_language ? languageName(done.source_language)
        : `${languageName(done.source_language)} (detected)`;
      setText($("#text-meta"), `${from} → ${languageName(done.target_language)} · ${cost} · ${done.route}`);
      announce(`Translated into ${languageName(done.target_language)}: ${cost}.`);
      if (done.credits) this.charged();
    } catch (err) {
      setText($("#text-meta"), "");
      const { title, detail } = explain(err);
      this.error(detail ? `${title} ${detail}` : title);
    } finally {
      this.busy = false;
      $("#text-go").disabled = false;
    }
  }

  error(message, focus) {
    setText($("#text-error"), message);
    show($("#text-error"), Boolean(message));
    focus?.focus();
  }

  clear() {
    $("#text-input").value = "";
    $("#text-output").value = "";
    setText($("#text-meta"), "");
    setText($("#text-count"), "");
    this.error("");
    this.select(this.tabs[0]);
  }
}
