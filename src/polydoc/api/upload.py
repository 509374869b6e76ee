"""Streaming multipart upload: the `data` part goes straight to a temporary file.

The body is never held in memory, and an upload over the limit is refused as soon as the
limit is crossed (or at once, when Content-Length already says so).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import shutil
import tempfile
import time
from pathlib import Path

from fastapi import Request
from fastapi.concurrency import run_in_threadpool
from python_multipart.multipart import MultipartParser, parse_options_header

from polydoc import cage, languages
from polydoc.cage import CageBusy
from polydoc.config import get_settings
from polydoc.errors import BadRequest, PolydocError, TooLarge
from polydoc.services import files as files_service
from polydoc.storage import room_needed

log = logging.getLogger("polydoc.api")
MAX_BOUNDARY = 70  # RFC 2046 allows 1 to 70 characters; a longer one is not a real client's
_PREFIX = "polydoc-upload-"
_gate: asyncio.Semaphore | None = None


class _Receiver:
    def __init__(self, folder: Path, limit: int, fields: dict[str, str] | None = None) -> None:
        self.folder, self.limit = folder, limit
        self.fields, self._field_name = fields, None  # small text fields the caller asked for
        self.headers: dict[bytes, bytes] = {}
        self._field, self._value = b"", b""
        self.target = None
        self.path: Path | None = None
        self.filename: str | None = None
        self.size = 0
        self.digest = hashlib.sha256()  # hashed while streaming: the file is never read again for it

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self._field += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self._value += data[start:end]

    def on_header_end(self) -> None:
        self.headers[self._field.lower()] = self._value
        self._field, self._value = b"", b""

    def on_headers_finished(self) -> None:
        _, params = parse_options_header(self.headers.get(b"content-disposition", b""))
        if params.get(b"name") == b"data" and self.path is None:
            self.path = self.folder / "upload"
            with room_needed("the upload"):
                self.target = self.path.open("wb")
            raw = params.get(b"filename")
            self.filename = raw.decode("utf-8", "replace") if raw is not None else None
        elif (
            self.fields is not None
            and (name := params.get(b"name", b"").decode("utf-8", "replace")) in self.fields
        ):
            self._field_name, self.fields[name] = name, ""
        self.headers = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self._field_name is not None and self.fields is not None:
            value = self.fields[self._field_name] + data[start:end].decode("utf-8", "replace")
            if len(value) > 1000:
                raise BadRequest(f"The form field {self._field_name!r} is too long", code="invalid_upload")
            self.fields[self._field_name] = value
            return
        if self.target is None:
            return
        self.size += end - start
        if self.size > self.limit:
            raise TooLarge(f"The upload is larger than the limit of {self.limit} bytes")
        with room_needed("the upload"):
            self.target.write(data[start:end])
        self.digest.update(data[start:end])

    def on_part_end(self) -> None:
        self._field_name = None
        if self.target is not None:
            self.target.close()
            self.target = None


async def receive_upload(
    request: Request, folder: Path, *, limit: int | None = None, fields: dict[str, str] | None = None
) -> tuple[Path, str | None, str]:
    """Stream the multipart body's `data` field into `folder`; returns (path, filename, sha256).

    `limit` replaces the upload limit; the text fields named in `fields` are read into it."""
    limit = limit or get_settings().max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + 64 * 1024:
        raise TooLarge(f"The upload is larger than the limit of {limit} bytes")
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise BadRequest(
            "Send the file as multipart/form-data in a field named `data`", code="invalid_upload"
        )
    if not 0 < len(params[b"boundary"]) <= MAX_BOUNDARY:
        raise BadRequest(
            f"The multipart boundary must be 1 to {MAX_BOUNDARY} characters (RFC 2046)", code="invalid_upload"
        )
    receiver = _Receiver(folder, limit, fields)
    parser = MultipartParser(
        params[b"boundary"],
        {
            "on_header_field": receiver.on_header_field,
            "on_header_value": receiver.on_header_value,
            "on_header_end": receiver.on_header_end,
            "on_headers_finished": receiver.on_headers_finished,
            "on_part_data": receiver.on_part_data,
            "on_part_end": receiver.on_part_end,
        },
    )
    try:
        async for chunk in request.stream():
            parser.write(chunk)
        parser.finalize()
    except PolydocError:  # too large, a full disk, …: as they are
        raise
    except Exception as exc:
        raise BadRequest("The multipart body is malformed", code="invalid_upload") from exc
    finally:
        if receiver.target is not None:
            with room_needed("the upload"):
                receiver.target.close()
    if receiver.path is None:
        raise BadRequest("The form has no file field named `data`", code="invalid_upload")
    return receiver.path, receiver.filename, receiver.digest.hexdigest()


def temp_folder() -> tempfile.TemporaryDirectory[str]:
    """The upload's folder, named after this process: `sweep_temp` knows whose it is."""
    with room_needed("the upload"):
        return tempfile.TemporaryDirectory(prefix=f"{_PREFIX}{os.getpid()}-")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_temp(older_than: float = 3600.0) -> int:
    """Remove upload folders that no running process owns (an API killed mid-upload); folders of an
    older release, without a pid in their name, once they are an hour old. Returns how many."""
    removed = 0
    for entry in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*"):
        owner = entry.name.removeprefix(_PREFIX).split("-", 1)[0]
        try:
            stale = (
                not _alive(int(owner))
                if owner.isdigit()
                else time.time() - entry.stat().st_mtime > older_than
            )
        except OSError:
            continue
        if stale and entry.is_dir() and not (owner.isdigit() and int(owner) == os.getpid()):
            shutil.rmtree(entry, ignore_errors=True)
            removed += 1
    if removed:
        log.info("removed %d upload folders left by a stopped API process", removed)
    return removed


async def inspect_upload(path: Path, filename: str) -> tuple[str, int, str | None]:
    """`files.inspect_document` in a thread, at most two per parser process at a time: a burst of
    hostile uploads waits here without holding the threads that answer other requests (/healthz);
    one that cannot start within `cage_wait_seconds` is answered 503."""
    global _gate
    settings = get_settings()
    if _gate is None:
        _gate = asyncio.Semaphore(2 * max(settings.cage_processes, 1))
    try:
        await asyncio.wait_for(_gate.acquire(), settings.cage_wait_seconds)
    except TimeoutError:
        raise CageBusy() from None
    try:
        return await run_in_threadpool(files_service.inspect_document, path, filename)
    finally:
        _gate.release()


def startup() -> None:
    """At API start: sweep what a killed API left, start the parser processes, and load the
    language model once (`languages` unpacks it in the data folder, never in a small TMPDIR)."""
    sweep_temp()
    cage.prewarm()
    languages.load_model()  # before serving: it briefly points tempfile at the data folder
