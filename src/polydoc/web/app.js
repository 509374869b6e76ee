// Polydoc's web page: sign in, upload, choose languages, follow runs live, download.

import { Api, ApiError } from "./api.js";
import { $, announce, h, replaceChildren, setText, show } from "./dom.js";
import { FileList } from "./files.js";
import { MemoryPanel } from "./memory.js";
import { PriceQuote, Uploads } from "./price.js";
import { Review } from "./review.js";
import { RunList } from "./runs.js";
import { TextPanel } from "./textpanel.js";
import { explain, fileSize, languageName, number, plural, setLanguageNames } from "./text.js";

const KEY_STORAGE = "polydoc.apiKey";
const TARGETS_STORAGE = "polydoc.targets";
const MAX_STREAMS = 4;  // live streams at once: browsers allow ~6 connections per server

const state = {
  api: null,
  languages: null,
  chosen: [],             // File objects waiting for "Translate" (uploaded already, to price them)
  uploads: new Uploads(),
  targets: new Set(JSON.parse(localStorage.getItem(TARGETS_STORAGE) || "[]")),
  watching: new Map(),    // run id -> AbortController
  waiting: [],            // run ids to watch when a stream is free
  naming: new Set(),      // file ids whose names are being fetched
  runsNext: null,
  filesNext: null,
  accountTimer: null,
};

// -- notices ----------------------------------------------------------------------------------

function notify(error, context = "") {
  if (error?.name === "AbortError") return;
  const { title, detail } = explain(error instanceof ApiError ? error : { code: "internal_error", message: String(error) });
  setText($("#notice-title"), context ? `${context}: ${title}` : title);
  setText($("#notice-detail"), detail);
  show($("#notice-detail"), Boolean(detail));
  show($("#notice"));
}

function formError(message, focus) {
  setText($("#form-error"), message);
  show($("#form-error"), Boolean(message));
  focus?.focus();
}

// -- signing in and out -------------------------------------------------------------------------

async function signIn(key, { quiet = false } = {}) {
  const api = new Api(key, {
    onUnauthorized: () => {
      if (state.api === api) signOut("Your API key is no longer accepted. Sign in again.");
    },
  });
  try {
    const account = await api.json("/v1/account");
    state.api = api;
    localStorage.setItem(KEY_STORAGE, key);
    showAccount(account);
    show($("#signin"), false);
    show($("#app"));
    show($("#account"));
  } catch (err) {
    if (!quiet || err.code !== "unauthorized") {
      setText($("#signin-error"), explain(err).title);
      show($("#signin-error"));
    }
    if (err.code === "unauthorized") localStorage.removeItem(KEY_STORAGE);
    show($("#signin"));
    return false;
  }
  const loaded = await Promise.allSettled([loadLanguages(), loadFiles().then(() => loadRuns())]);
  const failure = loaded.find((r) => r.status === "rejected");
  if (failure && state.api) notify(failure.reason, "Part of the page could not be loaded");
  return true;
}

function signOut(message = "") {
  for (const controller of state.watching.values()) controller.abort();
  state.watching.clear();
  state.waiting = [];
  state.naming.clear();
  state.api = null;
  state.chosen = [];
  state.uploads.clear();
  localStorage.removeItem(KEY_STORAGE);
  runs.clear();
  files.clear();
  textPanel.clear();
  memoryPanel.clear();
  renderChosen();
  $("#uploads").replaceChildren();
  show($("#app"), false);
  show($("#account"), false);
  show($("#notice"), false);
  show($("#signin"));
  setText($("#signin-error"), message);
  show($("#signin-error"), Boolean(message));
  $("#api-key").value = "";
  $("#api-key").focus();
}

// -- account ------------------------------------------------------------------------------------

function showAccount(a) {
  setText($("#acc-balance"), number(a.balance));
  setText($("#account .unit"), a.balance === 1 ? "credit" : "credits");
  setText($("#acc-held"), number(a.held));
  setText($("#acc-spent"), number(a.spent));
  setText($("#acc-runs"), a.runs_running ? `${number(a.runs_total)} (${number(a.runs_running)} running)` : number(a.runs_total));
  setText($("#acc-tokens"), `${number(a.input_tokens)} / ${number(a.output_tokens)}`);
  $("#account").setAttribute("aria-label", `Your account ${a.name}`);
}

function refreshAccount() {
  clearTimeout(state.accountTimer);
  state.accountTimer = setTimeout(async () => {
    if (!state.api) return;
    try {
      showAccount(await state.api.json("/v1/account"));
    } catch (err) {
      if (err.code !== "unauthorized") console.warn("account refresh failed", err);
    }
  }, 250);
}

// -- languages ----------------------------------------------------------------------------------

async function loadLanguages() {
  const listing = await state.api.json("/v1/languages");
  state.languages = listing;
  setLanguageNames(listing.languages);
  const engines = [...new Set(listing.pairs.map((p) => p.engine))];
  const engine = $("#engine");
  replaceChildren(engine, engines.map((name) => h("option", { value: name, selected: name === listing.default_engine },
    name === listing.default_engine ? `${name} (default)` : name)));
  fillSources();
  renderTargets();
  textPanel.languages(listing);
}

function pairsOfEngine() {
  const engine = $("#engine").value;
  return (state.languages?.pairs || []).filter((p) => p.engine === engine);
}

function fillSources() {
  const select = $("#source");
  const before = select.value;
  const codes = [...new Set(pairsOfEngine().map((p) => p.source))].filter((c) => c !== "*");
  const sorted = codes.sort((a, b) => languageName(a).localeCompare(languageName(b)));
  replaceChildren(select, h("option", { value: "" }, "Detect automatically"),
    sorted.map((c) => h("option", { value: c, selected: c === before }, `${languageName(c)} (${c})`)));
}

function renderTargets() {
  const source = $("#source").value;
  const pairs = pairsOfEngine();
  const reach = new Set();  // with a source set by hand, its targets; else every engine's target
  const anyPair = pairs.some((p) => p.source === "*");
  for (const p of pairs) if (!source || p.source === source) reach.add(p.target);
  if (anyPair) for (const { code } of state.languages.languages) if (code !== source) reach.add(code);
  reach.delete("*");
  const list = $("#target-list");
  if (!reach.size) {
    replaceChildren(list, h("span", { class: "help" }, "No languages available with these settings."));
    return;
  }
  const codes = [...reach].sort((a, b) => languageName(a).localeCompare(languageName(b)));
  replaceChildren(list, codes.map((code) => {
    const note = `route-${code}`;  // the route is the box's description, not part of its name
    const box = h("input", { type: "checkbox", name: "target", value: code, checked: state.targets.has(code),
      "aria-describedby": note });
    box.addEventListener("change", () => {
      if (box.checked) state.targets.add(code);
      else state.targets.delete(code);
      localStorage.setItem(TARGETS_STORAGE, JSON.stringify([...state.targets]));
      updateSummary();
    });
    return h("span", { class: "chip", dataset: { target: code } },
      h("label", {}, box, h("span", {}, languageName(code)), h("span", { class: "code" }, code)),
      h("span", { class: "via", id: note }));
  }));
  labelRoutes();
  updateSummary();
}

/** The languages routes start from: the source set by hand, else those detected in the chosen files. */
function routeSources() {
  if ($("#source").value) return [$("#source").value];
  return [...new Set(state.chosen.map((file) => state.uploads.languageOf(file)).filter(Boolean))];
}

const baseLanguage = (code) => code.split("-")[0];

/** How `source` reaches `target` with this engine: "" direct, "via Spanish", or why it is refused. */
function routeNote(source, target, pairs) {
  const pair = pairs.find((p) => p.source === source && p.target === target);
  if (pair) return { text: pair.via?.length ? `via ${pair.via.map(languageName).join(", ")}` : "" };
  if (source !== target && pairs.some((p) => p.source === "*")) return { text: "" };
  if (baseLanguage(source) === baseLanguage(target)) return { text: "refused: same language", refused: true };
  return { text: `refused: no route from ${languageName(source)}`, refused: true };
}

/** Each target chip says how it is reached (updated in place: keyboard focus stays where it is). */
function labelRoutes() {
  const sources = routeSources();
  const pairs = pairsOfEngine();
  for (const chip of document.querySelectorAll("#target-list .chip")) {
    const notes = sources.map((source) => ({ source, ...routeNote(source, chip.dataset.target, pairs) }));
    const said = notes.filter((n) => n.text);
    const text = sources.length > 1
      ? said.map((n) => `${n.text} from ${languageName(n.source)}`).join("; ")
      : said.map((n) => n.text).join("");
    setText(chip.querySelector(".via"), text);
    chip.classList.toggle("refused", notes.length > 0 && notes.every((n) => n.refused));
  }
}

/** Upload the chosen files now (they are priced and translated from the same upload) to learn
 * their languages, then label the routes from them. */
function detectChosen() {
  labelRoutes();
  for (const file of state.chosen) {
    if (state.uploads.languageOf(file) !== undefined) continue;
    state.uploads.of(state.api, file).then(labelRoutes, () => {});
  }
}

function chosenTargets() {
  return [...document.querySelectorAll("#target-list input:checked")].map((box) => box.value);
}

// -- choosing files -----------------------------------------------------------------------------

function addFiles(list) {
  for (const file of list) {
    const same = state.chosen.some((f) => f.name === file.name && f.size === file.size
      && f.lastModified === file.lastModified);
    if (!same) state.chosen.push(file);
  }
  renderChosen();
  detectChosen();
  formError("");
}

function renderChosen() {
  replaceChildren($("#chosen"), state.chosen.map((file, index) => h("li", {},
    h("span", { class: "fname", title: file.name }, file.name),
    h("span", { class: "size" }, fileSize(file.size)),
    h("button", {
      type: "button", class: "ghost small", "aria-label": `Remove ${file.name}`,
      onclick: async () => {
        state.chosen.splice(index, 1);
        renderChosen();
        $("#file-input").focus();
        const uploaded = await state.uploads.forget(file);  // uploaded to be priced: not kept
        if (uploaded) discard(uploaded);
      },
    }, "Remove"))));
  labelRoutes();
  updateSummary();
}

function updateSummary() {
  const n = state.chosen.length;
  const t = chosenTargets().length;
  setText($("#start"), n && t > 0 && n * t > 1 ? `Translate (${n * t} runs)` : "Translate");
  setText($("#start-summary"), n ? `${plural(n, "file")} into ${plural(t, "language")}` : "");
  price.schedule(state.api, state.chosen, chosenTargets(), runOptions());
}

/** The source language and engine chosen under "Source language and engine". */
function runOptions() {
  const options = {};
  if ($("#source").value) options.source_language = $("#source").value;
  if ($("#engine").value && $("#engine").value !== state.languages?.default_engine) options.engine = $("#engine").value;
  return options;
}

function setUpDropZone() {
  const zone = $("#drop-zone");
  const input = $("#file-input");
  input.addEventListener("change", () => {
    addFiles(input.files);
    input.value = "";  // choosing the same file again fires `change` again
  });
  for (const type of ["dragenter", "dragover"]) {
    zone.addEventListener(type, (e) => {
      e.preventDefault();
      zone.classList.add("dragging");
    });
  }
  for (const type of ["dragleave", "dragend"]) zone.addEventListener(type, () => zone.classList.remove("dragging"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("dragging");
    if (e.dataTransfer?.files?.length) addFiles(e.dataTransfer.files);
  });
  // a file dropped beside the zone must not replace the page
  window.addEventListener("dragover", (e) => e.preventDefault());
  window.addEventListener("drop", (e) => e.preventDefault());
}

// -- translating ----------------------------------------------------------------------------------

function uploadItem(file) {
  const bar = h("progress", { max: "100", value: "0", "aria-label": `Uploading ${file.name}` });
  const status = h("span", { class: "stage" }, "Uploading…");
  const errors = h("div", { class: "upload-errors" });
  const dismiss = h("button", { type: "button", class: "ghost small", hidden: true,
    "aria-label": `Dismiss the message about ${file.name}`, onclick: () => li.remove() }, "Dismiss");
  const li = h("li", { class: "upload" },
    h("div", { class: "upload-head" }, h("span", { class: "fname" }, file.name), status, dismiss), bar, errors);
  $("#uploads").append(li);
  return {
    progress(p) {
      bar.value = Math.round(100 * p);
      if (p >= 1) setText(status, "Checking the document…");
    },
    waiting() {
      setText(status, "Waiting: many translations are already running…");
    },
    fail(err, label) {
      const { title, detail } = explain(err);
      li.classList.add("failed");
      bar.hidden = true;
      setText(status, label ? "Some languages could not start" : "Not uploaded");
      errors.append(h("p", { class: "error-title" }, label ? `${label}: ${title}` : title));
      if (detail) errors.append(h("p", { class: "error-detail" }, detail));
      show(dismiss);
    },
    done() {
      if (!li.classList.contains("failed")) li.remove();
    },
  };
}

async function translate(event) {
  event.preventDefault();
  formError("");
  const targets = chosenTargets();
  if (!state.chosen.length) return formError("Choose at least one file to translate.", $("#file-input"));
  if (!targets.length) {
    return formError("Choose at least one language to translate into.", $("#target-list input"));
  }
  const chosen = state.chosen;
  const options = runOptions();
  state.chosen = [];
  renderChosen();
  let started = 0;
  const api = state.api;
  for (const file of chosen) {
    if (state.api !== api) return;  // signed out meanwhile
    const item = uploadItem(file);
    let uploaded;
    try {
      uploaded = await state.uploads.of(api, file, (p) => item.progress(p));
      item.progress(1);
    } catch (err) {
      state.uploads.forget(file);
      item.fail(err);
      announce(`${file.name} could not be uploaded. ${explain(err).title}`);
      continue;
    }
    state.uploads.forget(file);  // the runs have it now
    files.upsert(uploaded);
    let runsOfFile = 0;
    for (const target of targets) {
      try {
        const body = { input_file_id: uploaded.id, target_language: target, ...options };
        const run = await api.createRun(body, () => item.waiting());
        onRun(run);
        if (!started && !runsOfFile) revealRuns();  // on a phone the runs are screens away
        runsOfFile += 1;
      } catch (err) {
        item.fail(err, `${languageName(target)}`);
        announce(`${file.name} into ${languageName(target)} could not start. ${explain(err).title}`);
      }
    }
    started += runsOfFile;
    if (!runsOfFile) discard(uploaded);
    item.done();
  }
  if (started) {
    const message = `Started ${plural(started, "translation")}: follow ${started === 1 ? "it" : "them"} under Runs.`;
    announce(message);
    setText($("#start-summary"), message);  // seen as well as heard
  }
  refreshAccount();
}

/** Bring the newest run into view (below the sticky header: `scroll-padding-top` in style.css). */
function revealRuns() {
  const smooth = !window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  $("#runs li.run")?.scrollIntoView({ block: "nearest", behavior: smooth ? "smooth" : "auto" });
}

/** An upload that no run will use does not stay on the server. */
async function discard(file) {
  try {
    await state.api.json(`/v1/files/${file.id}`, { method: "DELETE" });
    files.remove(file.id);
  } catch (err) {
    console.warn("could not remove the unused upload", err);
  }
}

// -- following runs -------------------------------------------------------------------------------

function onRun(run) {
  const before = runs.upsert(run);
  if (run.status === "Running") watch(run.id);
  if (before && before.status === "Running" && run.status !== "Running") finished(run);
}

async function finished(run) {
  const name = files.name(run.input_file_id) || "The document";
  const into = languageName(run.target_language);
  if (run.status === "Succeeded") {
    announce(`${name} into ${into}: finished. It is ready to download.`);
    if (run.output_file_id) {
      try {
        files.upsert(await state.api.json(`/v1/files/${run.output_file_id}`));
      } catch (err) {
        console.warn("output file not listed", err);
      }
    }
  } else {
    announce(`${name} into ${into}: failed. ${explain(run.error).title}`);
  }
  refreshAccount();
}

function watch(id) {
  if (state.watching.has(id) || state.waiting.includes(id)) return;
  state.waiting.push(id);
  pump();
}

function pump() {
  while (state.api && state.watching.size < MAX_STREAMS && state.waiting.length) {
    const id = state.waiting.shift();
    const controller = new AbortController();
    state.watching.set(id, controller);
    state.api.watchRun(id, onRun, controller.signal)
      .catch((err) => {
        if (err.name !== "AbortError" && err.code !== "unauthorized") notify(err, "Live progress stopped");
      })
      .finally(() => {
        if (state.watching.get(id) === controller) state.watching.delete(id);
        pump();
      });
  }
}

// -- lists ------------------------------------------------------------------------------------

async function loadRuns(more = false) {
  const status = $("#run-status").value;
  const path = more && state.runsNext ? state.runsNext : `/v1/runs?limit=50${status ? `&status=${status}` : ""}`;
  const { items, next } = await state.api.page(path);
  state.runsNext = next;
  show($("#runs-more"), Boolean(next));
  for (const run of items) onRun(run);
}

async function loadFiles(more = false) {
  const path = more && state.filesNext ? state.filesNext : "/v1/files?limit=100";
  const { items, next } = await state.api.page(path);
  state.filesNext = next;
  show($("#files-more"), Boolean(next));
  for (const file of items) files.upsert(file);
  for (const id of new Set(items.map((f) => f.id))) runs.renamed(id);
}

async function needName(id) {
  if (!state.api || state.naming.has(id)) return;
  state.naming.add(id);
  try {
    files.remember(await state.api.json(`/v1/files/${id}`));
  } catch {
    files.remember({ id, filename: "(deleted file)" });
  }
  runs.renamed(id);
}

async function download(fileId, name) {
  try {
    const saved = await state.api.download(fileId, name);
    announce(`Downloading ${saved}.`);
  } catch (err) {
    notify(err, `${name || "The file"} could not be downloaded`);
  }
}

async function cancel(run) {
  try {
    onRun(await state.api.post(`/v1/runs/${run.id}/cancel`));
  } catch (err) {
    notify(err, "The run could not be cancelled");
  }
}

async function removeFile(file) {
  const ok = window.confirm(`Delete “${file.filename}” from the server? This cannot be undone.`);
  if (!ok) return;
  try {
    await state.api.json(`/v1/files/${file.id}`, { method: "DELETE" });
    files.remove(file.id);
    announce(`${file.filename} was deleted.`);
  } catch (err) {
    notify(err, `${file.filename} could not be deleted`);
  }
}

const runs = new RunList(
  { list: $("#runs"), empty: $("#runs-empty"), status: $("#run-status"), search: $("#run-filter") },
  {
    fileName: (id) => files.name(id), needName, download, cancel,
    flagged: (runId) => state.api.page(`/v1/runs/${runId}/segments?flagged=true&limit=200`),
    review: (run) => review.open(run),
  },
);
const review = new Review({
  api: () => state.api, download, fileName: (id) => files.name(id), onRun: (run) => onRun(run), notify,
});
const textPanel = new TextPanel({ api: () => state.api, charged: () => refreshAccount() });
const memoryPanel = new MemoryPanel({ api: () => state.api });
const price = new PriceQuote($("#price"), state.uploads);
const files = new FileList(
  { list: $("#files"), empty: $("#files-empty"), kind: $("#file-kind"), search: $("#file-filter") },
  { download, remove: removeFile },
);

// -- wiring -----------------------------------------------------------------------------------

function start() {
  $("#signin-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const key = $("#api-key").value.trim();
    show($("#signin-error"), false);
    if (!key) {
      setText($("#signin-error"), "Paste your API key first.");
      show($("#signin-error"));
      $("#api-key").focus();
      return;
    }
    if (await signIn(key)) $("#main").focus({ preventScroll: true });  // the page stays at its top
  });
  $("#sign-out").addEventListener("click", () => signOut());
  $("#notice-close").addEventListener("click", () => show($("#notice"), false));
  $("#translate-form").addEventListener("submit", translate);
  $("#engine").addEventListener("change", () => {
    fillSources();
    renderTargets();
  });
  $("#source").addEventListener("change", renderTargets);
  $("#run-status").addEventListener("change", () => loadRuns().catch((err) => notify(err, "Runs could not be loaded")));
  $("#runs-more").addEventListener("click", () => loadRuns(true).catch((err) => notify(err, "Runs could not be loaded")));
  $("#files-more").addEventListener("click", () => loadFiles(true).catch((err) => notify(err, "Files could not be loaded")));
  setUpDropZone();
  renderChosen();
  const key = localStorage.getItem(KEY_STORAGE);
  if (key) signIn(key, { quiet: true });
  else show($("#signin"));
}

start();
