// The /v1 API from the browser: every request carries `Authorization: Bearer <key>`.

export class ApiError extends Error {
  constructor(status, code, message, retryAfter = 0) {
    super(message || code);
    this.status = status;
    this.code = code;
    this.retryAfter = retryAfter;  // seconds, from a 429's Retry-After
  }
}

/** A random Idempotency-Key (crypto.randomUUID exists only on https and localhost). */
function newKey() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const sleep = (ms, signal) => new Promise((resolve, reject) => {
  const timer = setTimeout(resolve, ms);
  signal?.addEventListener("abort", () => {
    clearTimeout(timer);
    reject(new DOMException("aborted", "AbortError"));
  }, { once: true });
});

async function errorOf(status, readBody, retryAfter) {
  const wait = Number(retryAfter) || 0;
  try {
    const body = JSON.parse(await readBody());
    if (body?.error?.code) return new ApiError(status, body.error.code, body.error.message, wait);
  } catch {
    // not our JSON error: a proxy page or an empty answer
  }
  const code = { 401: "unauthorized", 404: "not_found", 413: "file_too_large", 429: "rate_limited" }[status];
  return new ApiError(status, code || "internal_error", `The server answered HTTP ${status}`, wait);
}

/** Filename from `Content-Disposition` (the UTF-8 `filename*` first). */
export function dispositionName(header) {
  if (!header) return null;
  const star = /filename\*\s*=\s*UTF-8''([^;]+)/i.exec(header);
  if (star) {
    try {
      return decodeURIComponent(star[1].trim());
    } catch {
      // fall through to the plain name
    }
  }
  const plain = /filename\s*=\s*"([^"]*)"/i.exec(header) || /filename\s*=\s*([^;]+)/i.exec(header);
  return plain ? plain[1].trim() : null;
}

export class Api {
  constructor(key, { onUnauthorized } = {}) {
    this.key = key;
    this.onUnauthorized = onUnauthorized || (() => {});
  }

  async request(path, options = {}) {
    let resp;
    try {
      resp = await fetch(path, {
        ...options,
        headers: { ...(options.headers || {}), Authorization: `Bearer ${this.key}` },
        cache: "no-store",
      });
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new ApiError(0, "network", "The server could not be reached");
    }
    if (!resp.ok) {
      const error = await errorOf(resp.status, () => resp.text(), resp.headers.get("Retry-After"));
      if (resp.status === 401) this.onUnauthorized(error);
      throw error;
    }
    return resp;
  }

  async json(path, options = {}) {
    const resp = await this.request(path, options);
    return resp.json();
  }

  /** One page of a list and the URL of the next page (from `Link: <…>; rel="next"`). */
  async page(path) {
    const resp = await this.request(path);
    const link = /<([^>]+)>\s*;\s*rel="next"/.exec(resp.headers.get("Link") || "");
    let next = null;
    if (link) {
      const url = new URL(link[1], location.href);
      next = url.pathname + url.search;  // same origin, whatever host the server thinks it has
    }
    return { items: await resp.json(), next };
  }

  post(path, body, headers = {}) {
    return this.json(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /**
   * Start a run. While the server answers 429 (too many runs going, or too many requests) wait as
   * it asks and try again, for up to 15 minutes; the Idempotency-Key makes a repeat harmless.
   */
  async createRun(body, onWait) {
    const key = newKey();
    const started = Date.now();
    for (;;) {
      try {
        return await this.post("/v1/runs", body, { "Idempotency-Key": key });
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 429 || Date.now() - started > 15 * 60_000) throw err;
        onWait?.(err);
        await sleep(Math.min(30, Math.max(1, err.retryAfter || 5)) * 1000);
      }
    }
  }

  /** Upload with progress (fetch cannot report upload progress, XMLHttpRequest can). */
  upload(file, onProgress) {
    return new Promise((resolve, reject) => {
      const xhr = new XMLHttpRequest();
      xhr.open("POST", "/v1/files");
      xhr.setRequestHeader("Authorization", `Bearer ${this.key}`);
      xhr.setRequestHeader("Idempotency-Key", newKey());
      xhr.responseType = "text";
      xhr.upload.addEventListener("progress", (e) => {
        if (e.lengthComputable) onProgress?.(e.loaded / e.total);
      });
      xhr.addEventListener("load", async () => {
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve(JSON.parse(xhr.responseText));
          return;
        }
        const error = await errorOf(xhr.status, async () => xhr.responseText, xhr.getResponseHeader("Retry-After"));
        if (xhr.status === 401) this.onUnauthorized(error);
        reject(error);
      });
      xhr.addEventListener("error", () => {
        reject(new ApiError(0, file.size > 1024 * 1024 ? "upload_interrupted" : "network", "The upload failed"));
      });
      const form = new FormData();
      form.append("data", file, file.name);
      xhr.send(form);
    });
  }

  /** Fetch a file as a blob and hand it to the browser's download with its own name. */
  async download(fileId, fallbackName) {
    const resp = await this.request(`/v1/files/${encodeURIComponent(fileId)}/download`);
    const name = dispositionName(resp.headers.get("Content-Disposition")) || fallbackName || "document";
    const blob = await resp.blob();
    const url = URL.createObjectURL(blob);
    const link = document.createElement("a");
    link.href = url;
    link.download = name;
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    return name;
  }

  /**
   * Follow a run until it ends: the server-sent events of /v1/runs/{id}/events read with fetch()
   * (EventSource cannot send the Authorization header); if the stream breaks, poll every 500 ms.
   */
  async watchRun(id, onRun, signal) {
    let last = null;
    const path = `/v1/runs/${encodeURIComponent(id)}`;
    try {
      const resp = await this.request(`${path}/events`, { signal, headers: { Accept: "text/event-stream" } });
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value.replace(/\r/g, "");
        let end;
        while ((end = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const run = parseEvent(block);
          if (run) {
            last = run;
            onRun(run);
          }
        }
      }
    } catch (err) {
      if (err.name === "AbortError") return last;
      if (err instanceof ApiError && (err.status === 401 || err.status === 404)) throw err;
      // otherwise: fall back to polling below
    }
    while (!last || last.status === "Running") {
      if (last) await sleep(500, signal);
      const run = await this.json(path, { signal });
      if (JSON.stringify(run) !== JSON.stringify(last)) onRun(run);
      last = run;
    }
    return last;
  }
}

function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) event = line.slice(6).trim();
    else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
  }
  if (event !== "run" || !data.length) return null;
  try {
    return JSON.parse(data.join("\n"));
  } catch {
    return null;
  }
}
