// The account's translation memory as TMX: download it, add a TMX file to it.

import { ApiError, dispositionName } from "./api.js";
import { $, setText, show } from "./dom.js";
import { explain, number } from "./text.js";

export class MemoryPanel {
  constructor({ api }) {
    this.api = api;
    $("#memory-export").addEventListener("click", () => this.export());
    $("#memory-file").addEventListener("change", (e) => {
      const file = e.target.files[0];
      if (file) this.import(file).finally(() => { e.target.value = ""; });
    });
  }

  say(message, error = false) {
    const el = $("#memory-status");
    setText(el, message);
    el.classList.toggle("error", error);
    show(el, Boolean(message));
  }

  async export() {
    try {
      const resp = await this.api().request("/v1/memory.tmx");
      const name = dispositionName(resp.headers.get("Content-Disposition")) || "polydoc-memory.tmx";
      const url = URL.createObjectURL(await resp.blob());
      const link = Object.assign(document.createElement("a"), { href: url, download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      const skipped = Number(resp.headers.get("X-Polydoc-Skipped") || 0);
      this.say(skipped ? `Exported (${number(skipped)} older entries without their source text left out)` : "Exported");
    } catch (err) {
      this.say(explain(err instanceof ApiError ? err : { code: "internal_error" }).title, true);
    }
  }

  async import(file) {
    const form = new FormData();
    form.append("data", file, file.name);
    this.say(`Importing ${file.name}…`);
    try {
      const r = await this.api().json("/v1/memory.tmx", { method: "POST", body: form });
      const kept = r.skipped ? `, ${number(r.skipped)} skipped` : "";
      this.say(`Imported ${number(r.imported)} translations from ${file.name}${kept}`);
    } catch (err) {
      const { title } = explain(err instanceof ApiError ? err : { code: "internal_error", message: String(err) });
      this.say(`${file.name}: ${title}`, true);
    }
  }

  clear() {
    this.say("");
  }
}
