// The runs list: one card per run, updated in place (focus stays where it was), filtered on the client.

import { h, setText, show } from "./dom.js";
import { flaggedSegments } from "./flags.js";
import { duration, explain, languageName, number, stageLabel, when } from "./text.js";

export class RunList {
  /**
   * @param {object} els  {list, empty, status, search}
   * @param {object} ctx  {fileName(id) -> string|null, needName(id), download(fileId, name), cancel(run),
   *                        flagged(runId) -> Promise<{items}>, review(run)}
   */
  constructor(els, ctx) {
    this.els = els;
    this.ctx = ctx;
    this.cards = new Map();
    els.status.addEventListener("change", () => this.applyFilter());
    els.search.addEventListener("input", () => this.applyFilter());
  }

  get(id) {
    return this.cards.get(id)?.run;
  }

  all() {
    return [...this.cards.values()].map((c) => c.run);
  }

  clear() {
    this.cards.clear();
    this.els.list.replaceChildren();
    this.applyFilter();
  }

  /** Add or update a run; returns the previous version (undefined when new). */
  upsert(run) {
    let card = this.cards.get(run.id);
    const previous = card?.run;
    if (!card) {
      card = buildCard(this.ctx);
      this.cards.set(run.id, card);
      this.insert(card, run);
    }
    card.run = run;
    fill(card, run, this.ctx);
    this.match(card);
    this.updateEmpty();
    return previous;
  }

  insert(card, run) {
    card.el.dataset.runId = run.id;
    const later = [...this.cards.values()].find(
      (c) => c !== card && c.run && c.run.created_at < run.created_at,
    );
    this.els.list.insertBefore(card.el, later ? later.el : null);
  }

  /** A file's name became known (or changed): refresh the cards that show it. */
  renamed(fileId) {
    for (const card of this.cards.values()) {
      if (card.run.input_file_id === fileId || card.run.output_file_id === fileId) fill(card, card.run, this.ctx);
    }
    this.applyFilter();
  }

  applyFilter() {
    for (const card of this.cards.values()) this.match(card);
    this.updateEmpty();
  }

  match(card) {
    const status = this.els.status.value;
    const words = this.els.search.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const run = card.run;
    const haystack = [
      this.ctx.fileName(run.input_file_id) || "", run.target_language, languageName(run.target_language),
      run.source_language || "", languageName(run.source_language), run.status, run.stage, run.id,
      run.error?.message || "",
    ].join(" ").toLowerCase();
    card.el.hidden = (status && run.status !== status) || !words.every((w) => haystack.includes(w));
  }

  updateEmpty() {
    const total = this.cards.size;
    const visible = [...this.cards.values()].filter((c) => !c.el.hidden).length;
    setText(this.els.empty, total ? "No runs match the filter." : "No runs yet: translate a document above.");
    show(this.els.empty, visible === 0);
  }
}

function buildCard(ctx) {
  const card = { run: null };
  card.name = h("span", { class: "fname" });
  card.target = h("span", { class: "lang" });
  card.badge = h("span", { class: "badge" });
  card.bar = h("progress", { max: "100", value: "0" });
  card.stage = h("span", { class: "stage" });
  card.meta = h("p", { class: "meta" });
  card.errorTitle = h("p", { class: "error-title" });
  card.errorDetail = h("p", { class: "error-detail" });
  card.error = h("div", { class: "run-error", hidden: true }, card.errorTitle, card.errorDetail);
  card.warnings = h("details", { class: "warnings", hidden: true });
  card.flags = flaggedSegments((runId) => ctx.flagged(runId));
  card.download = h("button", { type: "button", class: "primary small", onclick: () => {
    const run = card.run;
    ctx.download(run.output_file_id, ctx.fileName(run.output_file_id) || outputName(ctx, run));
  } }, "Download");
  card.original = h("button", { type: "button", class: "small", onclick: () => {
    ctx.download(card.run.input_file_id, ctx.fileName(card.run.input_file_id));
  } }, "Original");
  card.cancel = h("button", { type: "button", class: "small danger", onclick: () => ctx.cancel(card.run) }, "Cancel");
  card.review = h("button", { type: "button", class: "small", onclick: () => ctx.review(card.run) }, "Review");
  card.el = h("li", { class: "run" },
    h("div", { class: "run-body" },
      h("div", { class: "run-head" },
        h("h3", { class: "run-title" }, card.name, h("span", { class: "arrow", "aria-hidden": "true" }, " → "),
          h("span", { class: "visually-hidden" }, " into "), card.target),
        card.badge),
      h("div", { class: "run-progress" }, card.bar, card.stage),
      card.meta, card.error, card.flags.el, card.warnings),
    h("div", { class: "actions" }, card.download, card.review, card.original, card.cancel));
  return card;
}

function outputName(ctx, run) {
  const name = ctx.fileName(run.input_file_id) || "document";
  const dot = name.lastIndexOf(".");
  return dot > 0 ? `${name.slice(0, dot)}.${run.target_language}${name.slice(dot)}` : `${name}.${run.target_language}`;
}

function fill(card, run, ctx) {
  const name = ctx.fileName(run.input_file_id);
  if (name === null || name === undefined) ctx.needName(run.input_file_id);
  const fileLabel = name || "Document";
  const target = languageName(run.target_language);
  const cancelled = run.status === "Failed" && run.error?.code === "cancelled";
  card.el.dataset.status = run.status;
  setText(card.name, fileLabel);
  card.name.title = fileLabel;
  setText(card.target, target);
  setText(card.badge, cancelled ? "Cancelled" : run.stage === "queued" ? "Queued" : run.status);
  card.badge.className = `badge ${cancelled ? "cancelled" : run.status.toLowerCase()}`;

  const percent = Math.round(100 * (run.status === "Succeeded" ? 1 : run.progress || 0));
  card.bar.value = percent;
  card.bar.setAttribute("aria-label", `Progress of ${fileLabel} into ${target}`);
  card.bar.setAttribute("aria-valuetext", `${percent}%, ${stageLabel(run.stage)}`);
  card.bar.hidden = run.status !== "Running";
  const parts = [stageLabel(run.stage)];
  if (run.status === "Running" && run.stage !== "queued") {
    parts.push(`${percent}%`);
    if (run.eta_seconds !== null && run.eta_seconds !== undefined) parts.push(`about ${duration(run.eta_seconds)} left`);
  } else if (run.status === "Succeeded" && run.started_at && run.finished_at) {
    parts.push(`took ${duration((new Date(run.finished_at) - new Date(run.started_at)) / 1000)}`);
  }
  setText(card.stage, parts.join(" · "));
  card.stage.hidden = run.status === "Failed";  // the badge and the error box say it

  const meta = [];
  if (run.source_language) meta.push(`From ${languageName(run.source_language)}`);
  if (run.segments_total) {
    meta.push(`${number(run.segments_done)} of ${number(run.segments_total)} segments`
      + (run.segments_cached ? ` (${number(run.segments_cached)} from memory)` : ""));
  }
  if (run.input_tokens || run.output_tokens || (run.status === "Succeeded" && run.input_tokens !== null)) {
    meta.push(`Tokens ${number(run.input_tokens)} in / ${number(run.output_tokens)} out`);
  }
  const credits = `${number(run.credits)} credit${run.credits === 1 ? "" : "s"}`;
  if (run.credits === null || run.credits === undefined) {
    meta.push(run.status === "Running" ? "Credits reserved" : "No credits charged");
  } else meta.push(run.status === "Running" ? `About ${credits}` : credits);  // while running: the estimate
  if (run.route || run.engine) meta.push(run.route || run.engine);
  meta.push(`Started ${when(run.created_at)}`);
  setText(card.meta, meta.join(" · "));

  const failed = run.status === "Failed" && run.error;
  card.error.hidden = !failed;
  if (failed) {
    const { title, detail } = explain(run.error);
    setText(card.errorTitle, title);
    setText(card.errorDetail, detail);
    card.errorDetail.hidden = !detail;
  }
  const warnings = run.warnings || [];
  card.warnings.hidden = warnings.length === 0;
  if (warnings.length) {
    card.warnings.replaceChildren(
      h("summary", {}, `${warnings.length} warning${warnings.length === 1 ? "" : "s"}`),
      h("ul", {}, warnings.slice(0, 50).map((w) => h("li", {}, w))),
    );
  }
  card.flags.fill(run);
  card.download.hidden = !(run.status === "Succeeded" && run.output_file_id);
  card.download.setAttribute("aria-label", `Download ${fileLabel} in ${target}`);
  card.review.hidden = !(run.status === "Succeeded" && run.segments_total > 0);
  card.review.setAttribute("aria-label", `Review the ${target} translation of ${fileLabel}`);
  card.original.setAttribute("aria-label", `Download the original ${fileLabel}`);
  card.cancel.hidden = run.status !== "Running";
  card.cancel.setAttribute("aria-label", `Cancel translating ${fileLabel} into ${target}`);
}
