"""The `/v1` HTTP client behind the remote CLI: upload, run, follow and download.

`Remote` is a thin typed wrapper over the wire contract: errors become `RemoteError` with the
server's `code` and `message`. The CLI's batch runner on top of it is `polydoc.cli._jobs`.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote

import httpx

POLL_SECONDS = 0.5
USER_AGENT = "polydoc-cli"
PATIENCE_SECONDS = 900.0  # how long to keep retrying answers of 429 (rate limit, too many runs at once)
# the connection broke mid-request: worth one more try when the request may be repeated
_BROKEN = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError)


class RemoteError(Exception):
    """A failed request or run: the server's error code and message (or ours for network trouble)."""

    def __init__(self, code: str, message: str, status: int | None = None, retry_after: float = 0.0) -> None:
        super().__init__(message)
        self.code, self.message, self.status, self.retry_after = code, message, status, retry_after

    def __str__(self) -> str:
        return f"{self.message} ({self.code})"


def _raise_for(resp: httpx.Response) -> None:
    if resp.is_success:
        return
    try:
        error = resp.json()["error"]
        code, message = str(error["code"]), str(error["message"])
    except Exception:  # not our error format: a proxy page, a wrong URL
        code, message = "http_error", f"HTTP {resp.status_code} from {resp.request.url}"
    try:
        retry_after = float(resp.headers.get("retry-after") or 0)
    except ValueError:  # an HTTP date: rare enough to just wait a little
        retry_after = 5.0
    raise RemoteError(code, message, resp.status_code, retry_after)


def filename_from_disposition(header: str | None) -> str | None:
    """The filename in a Content-Disposition header (`filename*=UTF-8''…` preferred)."""
    if not header:
        return None
    star = plain = None
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        key = key.lower()
        if key == "filename*" and "''" in value:
            star = unquote(value.split("''", 1)[1])
        elif key == "filename":
            plain = value.strip('"')
    name = PurePosixPath((star or plain or "").replace("\\", "/")).name  # never a path
    return name if name not in ("", ".", "..") else None


class Remote:
    """One server and one API key."""

    def __init__(
        self,
        server: str,
        api_key: str,
        *,
        timeout: float = 60.0,
        patience: float = PATIENCE_SECONDS,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.server = server.rstrip("/")
        self.patience = patience
        self.http = httpx.Client(
            base_url=self.server,
            headers={"Authorization": f"Bearer {api_key}", "User-Agent": USER_AGENT},
            timeout=timeout,
            transport=transport,
        )

    def __enter__(self) -> Remote:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.http.close()

    def _call(self, attempt: Callable[[], httpx.Response], *, repeatable: bool) -> httpx.Response:
        """Send, waiting out 429 answers (Retry-After) and retrying a broken connection once when `repeatable`."""
        waited, broken = 0.0, 0
        while True:
            try:
                resp = attempt()
                _raise_for(resp)
                return resp
            except _BROKEN as exc:
                broken += 1
                if not repeatable or broken > 1:
                    raise RemoteError(
                        "connection_failed", f"The connection to {self.server} broke: {exc}"
                    ) from exc
                time.sleep(1)
            except httpx.TransportError as exc:
                raise RemoteError(
                    "connection_failed", f"Cannot reach the server at {self.server}: {exc}"
                ) from exc
            except RemoteError as exc:
                if exc.status != 429 or waited >= self.patience:
                    raise
                delay = min(max(exc.retry_after, 1.0), 30.0)
                time.sleep(delay)
                waited += delay

    def _send(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        repeatable = method in ("GET", "DELETE") or "Idempotency-Key" in kwargs.get("headers", {})
        return self._call(lambda: self.http.request(method, path, **kwargs), repeatable=repeatable)

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        return self._send(method, path, **kwargs).json()

    def _paged(self, path: str, limit: int, params: dict[str, str] | None = None) -> list[dict]:
        """Up to `limit` items of a list, following its `Link: rel="next"` pages."""
        items: list[dict] = []
        url: str | None = path
        query: dict[str, Any] | None = {**(params or {}), "limit": min(limit, 200)}
        while url and len(items) < limit:
            resp = self._send("GET", url, params=query)
            items.extend(resp.json())
            url, query = resp.links.get("next", {}).get("url"), None
        return items[:limit]

    def resolve(self, kind: str, ref: str) -> str:
        """The full id of the run or file (`kind` "runs" or "files") whose id is or starts with `ref`."""
        ref = ref.strip().lower()
        if len(ref) == 36:
            return ref
        if len(ref) < 4:
            raise RemoteError("invalid_id", f"Give at least 4 characters of the id, not {ref!r}")
        matches = [item["id"] for item in self._paged(f"/v1/{kind}", 1000) if item["id"].startswith(ref)]
        what = kind.removesuffix("s")
        if not matches:
            raise RemoteError("not_found", f"No {what} of yours has an id starting with {ref}", 404)
        if len(matches) > 1:
            raise RemoteError(
                "ambiguous_id", f"{len(matches)} {kind} have ids starting with {ref}; give more of it"
            )
        return matches[0]

    # -- account and languages -----------------------------------------------------------------
    def account(self) -> dict:
        return self._json("GET", "/v1/account")

    def languages(self) -> dict:
        return self._json("GET", "/v1/languages")

    # -- files ----------------------------------------------------------------------------------
    def upload(self, path: Path) -> dict:
        headers = {"Idempotency-Key": uuid.uuid4().hex}  # a repeated upload is not stored twice

        def attempt() -> httpx.Response:
            with path.open("rb") as fh:  # httpx streams file objects in chunks
                return self.http.post("/v1/files", files={"data": (path.name, fh)}, headers=headers)

        return self._call(attempt, repeatable=True).json()

    def list_files(self, limit: int = 50) -> list[dict]:
        return self._paged("/v1/files", limit)

    def get_file(self, file_id: str) -> dict:
        return self._json("GET", f"/v1/files/{file_id}")

    def delete_file(self, file_id: str) -> dict:
        return self._json("DELETE", f"/v1/files/{file_id}")

    def download(self, file_id: str, dest: Path | Callable[[str], Path]) -> Path:
        """Stream a file to `dest` (or to the path `dest(server_filename)`); written atomically."""
        return self._save(f"/v1/files/{file_id}/download", dest)

    def run_xliff(self, run_id: str, dest: Path | Callable[[str], Path]) -> Path:
        """The run as XLIFF 2.1, streamed to `dest` (written atomically)."""
        return self._save(f"/v1/runs/{run_id}/xliff", dest)

    def apply_xliff(self, run_id: str, path: Path) -> dict:
        """Apply an edited XLIFF's targets to the run and render it: {segments_changed, run}."""

        def attempt() -> httpx.Response:
            with path.open("rb") as fh:
                return self.http.post(f"/v1/runs/{run_id}/xliff", files={"data": (path.name, fh)})

        return self._call(attempt, repeatable=True).json()

    def _save(self, url: str, dest: Path | Callable[[str], Path]) -> Path:
        try:
            with self.http.stream("GET", url) as resp:
                if not resp.is_success:
                    resp.read()
                    _raise_for(resp)
                name = filename_from_disposition(resp.headers.get("content-disposition")) or url.rstrip("/").split("/")[-2]
                target = dest(name) if callable(dest) else dest
                target.parent.mkdir(parents=True, exist_ok=True)
                partial = target.with_name(f".{target.name}.part")
                with partial.open("wb") as fh:
                    for chunk in resp.iter_bytes():
                        fh.write(chunk)
        except httpx.TransportError as exc:
            message = f"The download from {self.server} broke off: {exc}"
            raise RemoteError("connection_failed", message) from exc
        partial.replace(target)
        return target

    # -- translation memory ---------------------------------------------------------------------
    def export_memory(self, dest: Path, source: str | None = None, target: str | None = None) -> Path:
        """Stream the account's memory as TMX to `dest` (written atomically)."""
        params = {k: v for k, v in (("source_language", source), ("target_language", target)) if v}
        try:
            with self.http.stream("GET", "/v1/memory.tmx", params=params) as resp:
                if not resp.is_success:
                    resp.read()
                    _raise_for(resp)
                partial = dest.with_name(f".{dest.name}.part")
                with partial.open("wb") as fh:
                    for chunk in resp.iter_bytes():
                        fh.write(chunk)
        except httpx.TransportError as exc:
            raise RemoteError("connection_failed", f"The export from {self.server} broke off: {exc}") from exc
        partial.replace(dest)
        return dest

    def import_memory(self, path: Path, engine: str | None = None) -> dict:
        def attempt() -> httpx.Response:
            with path.open("rb") as fh:  # streamed; importing twice stores the same rows
                data = {"engine": engine} if engine else None
                return self.http.post("/v1/memory.tmx", files={"data": (path.name, fh)}, data=data)

        return self._call(attempt, repeatable=True).json()

    # -- runs -----------------------------------------------------------------------------------
    @staticmethod
    def _run_body(
        file_id: str, target: str, source: str | None, engine: str | None, max_credits: int | None
    ) -> dict[str, object]:
        body: dict[str, object] = {"input_file_id": file_id, "target_language": target}
        if source:
            body["source_language"] = source
        if engine:
            body["engine"] = engine
        if max_credits is not None:
            body["max_credits"] = max_credits
        return body

    def estimate(
        self,
        file_id: str,
        target: str,
        *,
        source: str | None = None,
        engine: str | None = None,
        max_credits: int | None = None,
    ) -> dict:
        """What the run would cost (`POST /v1/estimates`); nothing is held, so a retry is safe."""
        body = self._run_body(file_id, target, source, engine, max_credits)
        return self._call(lambda: self.http.post("/v1/estimates", json=body), repeatable=True).json()

    def create_run(
        self,
        file_id: str,
        target: str,
        *,
        source: str | None = None,
        engine: str | None = None,
        max_credits: int | None = None,
    ) -> dict:
        """Start a run; with `max_credits` the server refuses it (402 over_max_credits) above that price."""
        body = self._run_body(file_id, target, source, engine, max_credits)
        # the key makes a retry safe: the server answers it with the run it already made
        return self._json("POST", "/v1/runs", json=body, headers={"Idempotency-Key": uuid.uuid4().hex})

    def create_account(self, name: str, credits: int) -> dict:
        """`POST /v1/admin/accounts` (this Remote's key is the admin token): id, name, api_key, balance."""
        return self._json("POST", "/v1/admin/accounts", json={"name": name, "credits": credits})

    def list_runs(self, limit: int = 50, status: str | None = None) -> list[dict]:
        return self._paged("/v1/runs", limit, {"status": status} if status else None)

    def get_run(self, run_id: str) -> dict:
        return self._json("GET", f"/v1/runs/{run_id}")

    def run_segments(
        self, run_id: str, limit: int, *, flagged: bool = False, flag: str | None = None
    ) -> list[dict]:
        params = {"flag": flag} if flag else ({"flagged": "true"} if flagged else None)
        return self._paged(f"/v1/runs/{run_id}/segments", limit, params)

    def cancel_run(self, run_id: str) -> dict:
        return self._json("POST", f"/v1/runs/{run_id}/cancel")

    def events(self, run_id: str) -> Iterator[dict]:
        """The run's server-sent `run` events until it ends (no read timeout: keep-alives come every 15 s)."""
        timeout = httpx.Timeout(self.http.timeout.connect, read=60.0)
        with self.http.stream("GET", f"/v1/runs/{run_id}/events", timeout=timeout) as resp:
            if not resp.is_success:
                resp.read()
                _raise_for(resp)
            event, data = "message", []
            for line in resp.iter_lines():
                if not line:
                    if event == "run" and data:
                        yield json.loads("\n".join(data))
                    event, data = "message", []
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].removeprefix(" "))

    def follow(self, run_id: str, on_update: Callable[[dict], None] | None = None) -> dict:
        """Wait for the run to end, calling `on_update` on every change; events first, polling as fallback."""
        run: dict | None = None
        try:
            for run in self.events(run_id):
                if on_update:
                    on_update(run)
        except (httpx.TransportError, ValueError, RemoteError):
            pass  # no stream, or one cut short (proxy, restart): carry on by polling, which reports real errors
        while run is None or run["status"] == "Running":
            if run is not None:
                time.sleep(POLL_SECONDS)
            fresh = self.get_run(run_id)
            if fresh != run and on_update:
                on_update(fresh)
            run = fresh
        return run
