"""Decide a document's format from its content; the filename's extension only breaks ties.

Uploads often arrive named `blob`, so the content must be enough. A name whose extension
contradicts the content (a `.docx` that is plain text) is refused rather than guessed.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath

from polydoc.errors import EmptyFile, MalformedDocument, UnsupportedFormat
from polydoc.formats.registry import by_extension, handlers

_SRT = re.compile(r"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.M)
_PO = re.compile(r'^msgid\s+"', re.M)
_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]|<(p|div|h[1-6]|table|span)[\s>]", re.I)


def extension_of(filename: str | None) -> str:
    """The format a filename's extension names (`report.htm` -> "html"), or the bare extension."""
    suffix = PurePosixPath(filename or "").suffix.lower().lstrip(".")
    return by_extension().get(suffix, suffix)


def _kinds(container: str) -> set[str]:
    return {h.name for h in handlers().values() if h.container == container}


def _zip_kind(path: Path) -> str:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            zipped = [h for h in handlers().values() if h.container == "zip"]
            if "mimetype" in names and zf.getinfo("mimetype").file_size < 200:
                mimetype = zf.read("mimetype").decode("ascii", "replace").strip()
                for handler in zipped:
                    if not handler.zip_main_part and handler.media_type == mimetype:
                        return handler.name
            for handler in zipped:
                if handler.zip_main_part and handler.zip_main_part in names:
                    return handler.name
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise MalformedDocument("The file looks like a zip archive but it is damaged or truncated") from exc
    raise UnsupportedFormat("This zip archive is not a document format Polydoc knows")


def _decode_text(head: bytes) -> str | None:
    """The head of a text file as str, or None when it is binary."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    try:
        text = head.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the head
            return None
        text = head[: exc.start].decode("utf-8-sig")
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return None if controls > max(2, len(text) // 100) else text


def _text_kind(text: str, ext: str, path: Path) -> str:
    stripped = text.lstrip()
    if ext == "txt":  # a .txt is translated as plain text, whatever it looks like
        return "txt"
    if stripped.startswith("WEBVTT"):
        return "vtt"
    if stripped.startswith("<"):
        low = stripped[:2048].lower()
        if "<xliff" in low:
            return "xliff"
        if _HTML.search(stripped[:65536]):
            return "html"
        if ext in ("html", "xliff"):
            return ext
    if _SRT.match(text):
        return "srt"
    if _PO.search(text[:65536]) and ext in ("po", "", "txt"):
        return "po"
    if stripped[:1] in "{[" and ext in ("json", ""):
        try:
            json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError) as exc:
            if ext == "json":
                raise MalformedDocument(f"The JSON file is not valid: {exc}") from exc
        else:
            return "json"
    if ext in _kinds("text"):
        if ext == "json":
            raise MalformedDocument("The file is named .json but is not JSON")
        return ext
    return "txt"


def detect(path: Path, filename: str | None = None) -> str:
    """The format name of the file at `path`; raises a FormatError with a clear message."""
    ext = extension_of(filename)
    binary_kinds = _kinds("zip") | _kinds("pdf")
    with path.open("rb") as fh:
        head = fh.read(65536)
    if not head:
        raise EmptyFile()
    if head.startswith(b"%PDF-") or (b"%PDF-" in head[:1024]):
        kind = "pdf"
    elif head.startswith(b"PK\x03\x04"):
        kind = _zip_kind(path)
    elif head.startswith(b"PK"):
        raise MalformedDocument("The file looks like a zip archive but it is damaged")
    else:
        text = _decode_text(head)
        if text is None:
            raise UnsupportedFormat(
                "The file is binary data of an unknown kind"
                + (f", not the .{ext} text its name says" if ext else "")
            )
        if not text.strip():
            raise EmptyFile("The file contains only white space")
        if ext in binary_kinds:
            raise UnsupportedFormat(f"The file is named .{ext} but its content is plain text")
        kind = _text_kind(text, ext, path)
    if kind in binary_kinds and ext in handlers() and ext != kind:
        raise UnsupportedFormat(f"The file is named .{ext} but its content is {kind.upper()}")
    return kind
