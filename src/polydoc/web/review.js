// The review view of a run: source and translation side by side, edited in place, rendered and
// downloaded without paying again. Keyboard: ↑/↓ move between segments, Enter edits,
// Ctrl+Enter saves, Escape cancels.

import { announce, h, setText } from "./dom.js";
import { flagLabel } from "./flags.js";
import { languageName, number } from "./text.js";

const PAGE = 200;

export class Review {
  /**
   * @param {object} ctx  {api() -> Api, download(fileId, name), fileName(id), onRun(run), notify(err, what)}
   */
  constructor(ctx) {
    this.ctx = ctx;
    this.run = null;
    this.rows = [];
    this.title = h("h2", { id: "review-title" });
    this.filter = h("select", { id: "review-filter", "aria-label": "Show segments" },
      h("option", { value: "" }, "All segments"),
      h("option", { value: "flagged" }, "Flagged"),
      h("option", { value: "edited" }, "Edited"));
    this.filter.addEventListener("change", () => this.load());
    this.status = h("p", { class: "review-status", role: "status" });
    this.more = h("button", { type: "button", class: "small", hidden: true, onclick: () => this.load(true) }, "Show more");
    this.downloadButton = h("button", { type: "button", class: "primary", onclick: () => this.downloadReviewed() },
      "Download reviewed");
    this.list = h("ol", { class: "review-list", "aria-labelledby": "review-title" });
    this.list.addEventListener("keydown", (event) => this.onKey(event));
    this.el = h("dialog", { id: "review", class: "review", "aria-labelledby": "review-title" },
      h("div", { class: "review-head" }, this.title,
        h("div", { class: "review-tools" }, this.filter, this.downloadButton,
          h("button", { type: "button", onclick: () => this.el.close() }, "Close"))),
      h("p", { class: "hint" }, "↑ ↓ move · Enter edit · Ctrl+Enter save · Esc cancel. Keep the ⟨tags⟩ of the source: "
        + "they carry bold, links and other formatting."),
      this.status, this.list, this.more);
    document.body.append(this.el);
  }

  async open(run) {
    this.run = run;
    const name = this.ctx.fileName(run.input_file_id) || "Document";
    setText(this.title, `Review ${name} → ${languageName(run.target_language)}`);
    this.filter.value = run.segments_flagged ? "flagged" : "";
    this.el.showModal();
    await this.load();
  }

  async load(more = false) {
    const run = this.run;
    const filter = this.filter.value;
    const query = filter ? `&${filter}=true` : "";
    const path = more && this.next ? this.next : `/v1/runs/${run.id}/segments?limit=${PAGE}${query}`;
    if (!more) {
      this.rows = [];
      this.list.replaceChildren();
    }
    setText(this.status, "Loading…");
    try {
      const { items, next } = await this.ctx.api().page(path);
      this.next = next;
      this.more.hidden = !next;
      for (const segment of items) this.addRow(segment);
      setText(this.status, this.rows.length
        ? `${number(this.rows.length)} segment${this.rows.length === 1 ? "" : "s"} shown`
        : filter ? "No segments match the filter." : "This run has no segments to review.");
      if (!more) this.rows[0]?.el.focus();
    } catch (err) {
      setText(this.status, "");
      this.ctx.notify(err, "The segments could not be loaded");
    }
  }

  addRow(segment) {
    const row = { segment, editing: false };
    row.target = h("div", { class: "review-target", lang: this.run.target_language });
    row.flags = h("p", { class: "flag-names" });
    row.el = h("li", { class: "review-row", tabindex: "-1", dataset: { segment: segment.id } },
      h("span", { class: "review-index", "aria-hidden": "true" }, String(segment.index + 1)),
      h("div", { class: "review-source", lang: this.run.source_language || "" }, shown(segment.source)),
      row.target, row.flags);
    row.el.addEventListener("dblclick", () => this.edit(row));
    this.fillRow(row);
    this.rows.push(row);
    this.list.append(row.el);
  }

  fillRow(row) {
    const s = row.segment;
    row.target.replaceChildren(shown(s.target));
    const notes = s.flag_details.map((d) => `${flagLabel(d.flag)}: ${d.detail}`);
    if (s.origin === "human") notes.unshift("edited");
    setText(row.flags, notes.join(" · "));
    row.el.dataset.origin = s.origin;
    row.el.classList.toggle("flagged", s.flags.length > 0);
    row.el.setAttribute("aria-label", `Segment ${s.index + 1}${s.flags.length ? ", flagged" : ""}`
      + `${s.origin === "human" ? ", edited" : ""}: ${plain(s.source)} → ${plain(s.target)}`);
  }

  onKey(event) {
    const at = this.rows.findIndex((r) => r.el === document.activeElement || r.el.contains(document.activeElement));
    if (at < 0) return;
    const row = this.rows[at];
    if (row.editing) {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        this.save(row);
      } else if (event.key === "Escape") {
        event.preventDefault();  // the dialog stays open: Escape leaves the editor only
        this.stopEditing(row);
      }
      return;
    }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      const next = this.rows[at + (event.key === "ArrowDown" ? 1 : -1)];
      next?.el.focus();
    } else if (event.key === "Enter") {
      event.preventDefault();
      this.edit(row);
    }
  }

  edit(row) {
    if (row.editing) return;
    row.editing = true;
    row.editor = h("textarea", { class: "review-editor", "aria-label": `Translation of segment ${row.segment.index + 1}`,
      rows: String(Math.min(8, 2 + Math.floor(row.segment.target.length / 70))) });
    row.editor.value = row.segment.target;
    row.error = h("p", { class: "error-detail", role: "alert" });
    row.target.replaceChildren(row.editor, row.error);
    row.editor.focus();
  }

  stopEditing(row) {
    row.editing = false;
    this.fillRow(row);
    row.el.focus();
  }

  async save(row) {
    try {
      row.segment = await this.ctx.api().json(`/v1/runs/${this.run.id}/segments/${row.segment.id}`, {
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ target: row.editor.value }),
      });
      announce(`Segment ${row.segment.index + 1} saved.`);
      this.stopEditing(row);
      this.rows[this.rows.indexOf(row) + 1]?.el.focus();
    } catch (err) {
      setText(row.error, err.message);
    }
  }

  async downloadReviewed() {
    this.downloadButton.disabled = true;
    try {
      const run = await this.ctx.api().post(`/v1/runs/${this.run.id}/render`);
      this.run = run;
      this.ctx.onRun(run);
      await this.ctx.download(run.output_file_id, this.ctx.fileName(run.output_file_id));
    } catch (err) {
      this.ctx.notify(err, "The reviewed document could not be made");
    } finally {
      this.downloadButton.disabled = false;
    }
  }
}

// tags as small visible markers (⟨1⟩…⟨/1⟩, ⟨2/⟩): a reviewer sees where formatting is, and keeps it
function shown(text) {
  const out = document.createDocumentFragment();
  let pos = 0;
  for (const m of text.matchAll(/<(\/?)g(\d+)>|<x(\d+)\/>/g)) {
    if (m.index > pos) out.append(text.slice(pos, m.index));
    const label = m[3] ? `⟨${m[3]}/⟩` : `⟨${m[1]}${m[2]}⟩`;
    out.append(h("span", { class: "tag", title: "formatting kept from the source" }, label));
    pos = m.index + m[0].length;
  }
  out.append(text.slice(pos));
  return out;
}

function plain(text) {
  return text.replace(/<\/?g\d+>|<x\d+\/>/g, "");
}
