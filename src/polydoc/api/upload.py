"""Streaming multipart upload: the `data` part goes straight to a temporary file.

The body is never held in memory, and an upload over the limit is refused as soon as the
limit is crossed (or at once, when Content-Length already says so).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from fastapi import Request
from python_multipart.multipart import MultipartParser, parse_options_header

from polydoc.config import get_settings
from polydoc.errors import BadRequest, TooLarge


class _Receiver:
    def __init__(self, folder: Path, limit: int) -> None:
        self.folder, self.limit = folder, limit
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
            self.target = self.path.open("wb")
            raw = params.get(b"filename")
            self.filename = raw.decode("utf-8", "replace") if raw is not None else None
        self.headers = {}

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.target is None:
            return
        self.size += end - start
        if self.size > self.limit:
            raise TooLarge(f"The upload is larger than the limit of {self.limit} bytes")
        self.target.write(data[start:end])
        self.digest.update(data[start:end])

    def on_part_end(self) -> None:
        if self.target is not None:
            self.target.close()
            self.target = None


async def receive_upload(request: Request, folder: Path) -> tuple[Path, str | None, str]:
    """Stream the multipart body's `data` field into `folder`; returns (path, filename, sha256)."""
    limit = get_settings().max_upload_bytes
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > limit + 64 * 1024:
        raise TooLarge(f"The upload is larger than the limit of {limit} bytes")
    ctype, params = parse_options_header(request.headers.get("content-type", ""))
    if ctype != b"multipart/form-data" or b"boundary" not in params:
        raise BadRequest(
            "Send the file as multipart/form-data in a field named `data`", code="invalid_upload"
        )
    receiver = _Receiver(folder, limit)
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
    except (TooLarge, BadRequest):
        raise
    except Exception as exc:
        raise BadRequest("The multipart body is malformed", code="invalid_upload") from exc
    finally:
        if receiver.target is not None:
            receiver.target.close()
    if receiver.path is None:
        raise BadRequest("The form has no file field named `data`", code="invalid_upload")
    return receiver.path, receiver.filename, receiver.digest.hexdigest()


def temp_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="polydoc-upload-")
