// The files list: uploads and translations, with download and delete.

import { h, setText, show } from "./dom.js";
import { fileSize, languageName, plural, when } from "./text.js";

export class FileList {
  /**
   * @param {object} els  {list, empty, kind, search}
   * @param {object} ctx  {download(id, name), remove(file)}
   */
  constructor(els, ctx) {
    this.els = els;
    this.ctx = ctx;
    this.files = new Map();   // every file we know of, also those not shown (deleted ones are removed)
    this.rows = new Map();
    els.kind.addEventListener("change", () => this.applyFilter());
    els.search.addEventListener("input", () => this.applyFilter());
  }

  name(id) {
    return this.files.get(id)?.filename;
  }

  clear() {
    this.files.clear();
    this.rows.clear();
    this.els.list.replaceChildren();
    this.updateEmpty();
  }

  upsert(file) {
    this.files.set(file.id, file);
    const old = this.rows.get(file.id);
    const row = buildRow(file, this.ctx);
    this.rows.set(file.id, row);
    if (old) {
      old.replaceWith(row);
    } else {
      const later = [...this.rows.entries()].find(
        ([id, el]) => el !== row && el.isConnected && this.files.get(id).created_at < file.created_at,
      );
      this.els.list.insertBefore(row, later ? later[1] : null);
    }
    this.match(file, row);
    this.updateEmpty();
  }

  /** Remember a file's name without listing it (a run's input from an older page). */
  remember(file) {
    if (!this.files.has(file.id)) this.files.set(file.id, file);
  }

  remove(id) {
    this.rows.get(id)?.remove();
    this.rows.delete(id);
    this.updateEmpty();
  }

  applyFilter() {
    for (const [id, row] of this.rows) this.match(this.files.get(id), row);
    this.updateEmpty();
  }

  match(file, row) {
    const kind = this.els.kind.value;
    const isTranslation = Boolean(file.run_id);
    const words = this.els.search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const haystack = `${file.filename} ${file.format || ""} ${file.language || ""} ${languageName(file.language)}`
      .toLowerCase();
    row.hidden = (kind === "original" && isTranslation) || (kind === "translation" && !isTranslation)
      || !words.every((w) => haystack.includes(w));
  }

  updateEmpty() {
    const visible = [...this.rows.values()].filter((r) => !r.hidden).length;
    setText(this.els.empty, this.rows.size ? "No files match the filter." : "No files yet.");
    show(this.els.empty, visible === 0);
  }
}

function buildRow(file, ctx) {
  const expired = file.expired || new Date(file.expires_at) <= new Date();
  const facts = [
    (file.format || "").toUpperCase(),
    fileSize(file.size),
    file.num_pages ? plural(file.num_pages, "page") : null,
    file.language ? languageName(file.language) : null,
    `added ${when(file.created_at)}`,
    expired ? "expired" : `kept until ${when(file.expires_at)}`,
  ].filter(Boolean);
  const download = h("button", {
    type: "button", class: "small", disabled: expired,
    "aria-label": `Download ${file.filename}`,
    onclick: () => ctx.download(file.id, file.filename),
  }, "Download");
  const remove = h("button", {
    type: "button", class: "small danger",
    "aria-label": `Delete ${file.filename}`,
    onclick: () => ctx.remove(file),
  }, "Delete");
  return h("li", { class: `file${expired ? " expired" : ""}`, dataset: { fileId: file.id } },
    h("div", { class: "file-body" },
      h("div", { class: "file-main" },
        h("span", { class: "fname", title: file.filename }, file.filename),
        h("span", { class: `badge ${file.run_id ? "translation" : "original"}` },
          file.run_id ? "Translation" : "Uploaded")),
      h("p", { class: "meta" }, facts.join(" · "))),
    h("div", { class: "actions" }, download, remove));
}
