// The price before "Translate": each chosen file is uploaded once, as soon as it is chosen, and
// every file × language is priced by POST /v1/estimates (computed the way the run is billed; nothing
// is held). The sum and the balance after it show beside the button.

import { h, replaceChildren, setText, show } from "./dom.js";
import { explain, languageName, number, plural } from "./text.js";

const DEBOUNCE_MS = 300;  // choosing several languages in a row asks once

/** Uploads by File object: the estimate and the run use the same one. */
export class Uploads {
  constructor() {
    this.byFile = new Map();  // File -> Promise of the uploaded File object
    this.languages = new Map();  // File -> the language the server detected (null: none), once uploaded
  }

  /** The detected language of an uploaded file: undefined while it uploads or if it failed. */
  languageOf(file) {
    return this.languages.get(file);
  }

  /** The file's upload (started on first use); `onProgress` only reports an upload it starts. */
  of(api, file, onProgress) {
    let upload = this.byFile.get(file);
    if (!upload) {
      upload = api.upload(file, onProgress);
      upload.then((f) => {
        if (this.byFile.get(file) === upload) this.languages.set(file, f.language || null);
      }, () => {});  // a failed upload is reported where it is awaited
      this.byFile.set(file, upload);
    }
    return upload;
  }

  /** Stop tracking `file`; returns its upload if it succeeded (for the caller to delete), else null. */
  async forget(file) {
    const upload = this.byFile.get(file);
    this.byFile.delete(file);
    this.languages.delete(file);
    if (!upload) return null;
    try {
      return await upload;
    } catch {
      return null;
    }
  }

  clear() {
    this.byFile.clear();
    this.languages.clear();
  }
}

const credits = (n) => `${number(n)} credit${n === 1 ? "" : "s"}`;

export class PriceQuote {
  constructor(el, uploads) {
    this.el = el;
    this.uploads = uploads;
    this.timer = null;
    this.generation = 0;  // answers to an older choice are dropped
  }

  clear() {
    this.generation += 1;
    clearTimeout(this.timer);
    replaceChildren(this.el);
    show(this.el, false);
  }

  /** Price `files` × `targets` (with `options`: source language, engine) after a short pause. */
  schedule(api, files, targets, options) {
    this.clear();
    if (!api || !files.length || !targets.length) return;
    const generation = this.generation;
    replaceChildren(this.el, h("p", { class: "price-total" }, "Working out the price…"));
    show(this.el);
    this.timer = setTimeout(() => this.quote(api, files, targets, options, generation), DEBOUNCE_MS);
  }

  async quote(api, files, targets, options, generation) {
    const jobs = files.flatMap((file) => targets.map((target) => ({ file, target })));
    const results = await Promise.all(jobs.map(async (job) => {
      try {
        const uploaded = await this.uploads.of(api, job.file);
        const body = { input_file_id: uploaded.id, target_language: job.target, ...options };
        return { ...job, estimate: await api.post("/v1/estimates", body) };
      } catch (error) {
        return { ...job, error };
      }
    }));
    if (generation !== this.generation) return;
    const priced = results.filter((r) => r.estimate);
    const total = priced.reduce((sum, r) => sum + r.estimate.credits, 0);
    const lines = results.map((r) => h("li", { class: r.error ? "price-error" : "" },
      `${r.file.name} → ${languageName(r.target)}: `,
      r.error ? explain(r.error).title : describe(r.estimate)));
    const parts = [h("ul", { class: "price-lines" }, lines)];
    if (priced.length) {
      const balance = priced[0].estimate.balance;
      const after = balance - total;
      parts.unshift(h("p", { class: "price-total", dataset: { credits: String(total) } },
        h("strong", {}, `Price: ${credits(total)}`),
        ` for ${plural(priced.length, "translation")} · balance ${number(balance)} → `,
        h("span", { class: after < 0 ? "price-short" : "" }, number(after))));
      if (after < 0) parts.push(h("p", { class: "error" }, "Not enough credits for all of these translations."));
    }
    replaceChildren(this.el, parts);
  }
}

function describe(e) {
  const memory = e.segments_cached ? `, ${number(e.segments_cached)} of ${plural(e.segments, "segment")} from memory` : "";
  return `${credits(e.credits)} (${plural(e.pages, "page")}${memory})`;
}
