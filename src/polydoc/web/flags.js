// Quality flags on a run's segments: their names for people, and the flagged-segments list of a run card.

import { h, setText } from "./dom.js";
import { number } from "./text.js";

// the flags of polydoc.quality.checks.FLAGS, said for people
export const FLAG_LABELS = {
  not_translated: "not translated",
  tags_changed: "formatting changed",
  placeholders_changed: "placeholder changed",
  number_changed: "number changed",
  protected_changed: "link or address changed",
  untranslated: "left in the source language",
  wrong_language: "wrong language",
  length_ratio: "unusual length",
  glossary_term_missing: "glossary term missing",
  inconsistent: "translated two ways",
  whitespace_changed: "spacing changed",
  punctuation_changed: "end punctuation changed",
};

export function flagLabel(flag) {
  return FLAG_LABELS[flag] || flag.replaceAll("_", " ");
}

/** "3 segments to review: 2 number changed, 1 wrong language" */
export function flagSummary(run) {
  const counts = Object.entries(run.flag_counts || {}).sort((a, b) => b[1] - a[1]);
  const n = run.segments_flagged || 0;
  const kinds = counts.map(([flag, count]) => `${number(count)} ${flagLabel(flag)}`).join(", ");
  return `${number(n)} segment${n === 1 ? "" : "s"} to review: ${kinds}`;
}

/**
 * A <details> that lists the run's flagged segments when opened (loaded once per run version).
 * `load(runId)` answers {items} as Api.page does.
 */
export function flaggedSegments(load) {
  const box = { run: null, loadedFor: null };
  box.summary = h("summary", {});
  box.list = h("ol", { class: "flagged-list" });
  box.el = h("details", { class: "flagged", hidden: true }, box.summary, box.list);
  box.el.addEventListener("toggle", async () => {
    const run = box.run;
    if (!box.el.open || !run || box.loadedFor === run.id) return;
    box.loadedFor = run.id;
    box.list.replaceChildren(h("li", {}, "Loading…"));
    try {
      const { items } = await load(run.id);
      box.list.replaceChildren(...items.map(segmentItem));
    } catch (err) {
      box.loadedFor = null;
      box.list.replaceChildren(h("li", { class: "error-detail" }, `The segments could not be loaded: ${err.message}`));
    }
  });
  box.fill = (run) => {
    box.run = run;
    box.el.hidden = !(run.segments_flagged > 0);
    setText(box.summary, run.segments_flagged > 0 ? flagSummary(run) : "");
  };
  return box;
}

function segmentItem(segment) {
  return h("li", { "data-segment": segment.id },
    h("p", { class: "flag-names" }, segment.flag_details.map((d) => `${flagLabel(d.flag)}: ${d.detail}`).join(" · ")),
    h("p", { class: "seg-source", lang: "" }, plain(segment.source)),
    h("p", { class: "seg-target" }, plain(segment.target)));
}

// segments carry inline formatting as <g1>…</g1> and <x2/> tags: a reader needs the words
function plain(text) {
  return text.replace(/<\/?g\d+>|<x\d+\/>/g, "");
}
