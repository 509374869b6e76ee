// Words for people: error codes explained, stages named, sizes and times formatted.

const FORMATS = "Word, Excel, PowerPoint, OpenDocument, PDF, HTML, Markdown, text, subtitles (SRT, VTT), "
  + "XLIFF, PO, JSON, CSV or EPUB";

// what went wrong, and what to do about it
const ERRORS = {
  unauthorized: "That API key was not accepted. Check it (no spaces missing) and sign in again.",
  forbidden: "Your key is not allowed to do this. Ask your administrator.",
  network: "The Polydoc server can't be reached. Check your connection and that the server is running, then try again.",
  upload_interrupted: "The upload stopped before it finished. The file may be larger than this server accepts, "
    + "or the connection dropped. Try again, or try a smaller file.",
  unsupported_format: `This kind of file can't be translated. Use a ${FORMATS} file.`,
  empty_file: "The file is empty. Choose a file that contains some text.",
  no_text: "There is no text to translate in this document (it may hold only images or scans).",
  malformed: "The file seems damaged, or it isn't the kind of file its name says. Open it, save it again and retry.",
  encrypted: "The document is protected with a password. Remove the password, save it and upload it again.",
  hostile_archive: "This document goes beyond the safety limits (too many or too large parts), so it can't be processed.",
  xml_entities: "This document uses XML features that are not allowed for safety reasons, so it can't be processed.",
  format_error: "The document can't be processed. Check that it opens correctly on your computer.",
  file_too_large: "The file is larger than this server accepts. Split it into smaller documents, or compress its "
    + "images, and try again.",
  file_expired: "This file has expired and was removed from the server. Upload it again to translate it.",
  insufficient_credits: "Your account doesn't have enough credits for this translation. Ask your administrator "
    + "for more credits, or translate a shorter document.",
  unsupported_language: "This language combination isn't available. Pick another language, or set the source "
    + "language under “Source language and engine” if it was detected wrongly.",
  same_language: "The document is already in this language: only the region or script differs, and this engine "
    + "has no direct pair for it (a detour through another language would only lose meaning). Pick another language.",
  not_found: "This item doesn't exist any more (it may have been deleted). Refresh the page to see what is left.",
  run_finished: "This run has already finished, so it can't be cancelled.",
  conflict: "That can't be done in the item's current state. Refresh the page and try again.",
  rate_limited: "Too many requests in a short time. Wait a moment and try again.",
  too_many_runs: "You already have many translations running. Wait for some to finish, then try again.",
  too_many_pages: "This document has more pages than one translation may have on this server. Split it into "
    + "smaller documents and translate them one by one.",
  no_text_layer: "This PDF has no text layer: it looks like a scan. Run text recognition (OCR) on it first, then "
    + "upload it again.",
  fonts_missing: "The server lacks the fonts needed to rebuild this PDF. Tell your administrator (details below).",
  unknown_engine: "That translation engine isn't available on this server. Choose another engine.",
  idempotency_key_reused: "The same request was sent twice with different content. Try again.",
  cancelled: "You cancelled this run. No credits were charged.",
  worker_lost: "The run was interrupted several times and was stopped. No credits were charged; start it again.",
  engine_error: "The translation engine failed. No credits were charged; try again in a few minutes.",
  engine_timeout: "The translation engine took too long to answer. No credits were charged; try again later.",
  engine_unavailable: "The translation engine is not available right now. No credits were charged; try again later.",
  engine_bad_output: "The translation engine gave an unusable answer. No credits were charged; try again or choose "
    + "another engine.",
  invalid_request: "The request was not accepted. Check the choices you made and try again.",
  invalid_upload: "The upload was not accepted. Choose the file again and retry.",
  bad_request: "The request was not accepted. Check the choices you made and try again.",
  invalid_option: "One of the options is not valid. Check the choices you made and try again.",
  internal_error: "Something went wrong on the server. Try again; if it keeps happening, tell your administrator.",
};

// codes whose server message only repeats the sentence above
const SAID_ALREADY = new Set(["cancelled", "empty_file", "unauthorized", "run_finished", "not_found",
  "rate_limited", "network", "upload_interrupted", "internal_error"]);

/** {title, detail}: a sentence a person understands, and the server's own words when they add something. */
export function explain(error) {
  const code = error?.code || "internal_error";
  const message = error?.message || "";
  const title = ERRORS[code] || message || ERRORS.internal_error;
  const extra = ERRORS[code] && message && message !== title && !SAID_ALREADY.has(code);
  return { title, detail: extra ? `Details: ${message}` : "", code };
}

const STAGES = {
  queued: "Waiting to start",
  extracting: "Reading the document",
  translating: "Translating",
  rebuilding: "Rebuilding the document",
  done: "Done",
  failed: "Failed",
  cancelled: "Cancelled",
};

export const stageLabel = (stage) => STAGES[stage] || stage || "";

const names = new Map();
let displayNames = null;
try {
  displayNames = new Intl.DisplayNames(["en"], { type: "language" });
} catch {
  displayNames = null;
}

export function setLanguageNames(list) {
  for (const { code, name } of list) names.set(code, name);
}

export function languageName(code) {
  if (!code) return "";
  if (code === "*") return "any language";
  if (names.has(code)) return names.get(code);
  try {
    return displayNames?.of(code) || code;
  } catch {
    return code;
  }
}

export function fileSize(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

export function duration(seconds) {
  const s = Math.max(1, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${s % 60} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  return today
    ? date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })
    : date.toLocaleString([], { dateStyle: "medium", timeStyle: "short" });
}

export const plural = (n, word) => `${number(n)} ${word}${n === 1 ? "" : "s"}`;

export const number = (n) => (n ?? 0).toLocaleString();
