"""Decide a document's format from its content; the filename's extension only breaks ties.

Uploads often arrive named `blob`, so the content must be enough. A name whose extension
contradicts the content (a `.docx` that is plain text) is refused rather than guessed.

An OLE compound file is never translated: a password-protected DOCX/XLSX/PPTX (its
`EncryptedPackage` stream) is refused as encrypted, a legacy .doc/.xls/.ppt as unsupported.
Text that is not UTF-8 or UTF-16 is recognised from its ASCII structure, then read with the
encoding rule of its handler's family (`text_encoding`: PO header charset, XML declaration,
HTML meta charset, plain text's BOM-or-Windows-1252) — the rule the handler itself reads by.
"""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path, PurePosixPath
from typing import NoReturn, Protocol, runtime_checkable

from polydoc.errors import EmptyFile, EncryptedDocument, HostileDocument, MalformedDocument, UnsupportedFormat
from polydoc.formats.registry import by_extension, handlers

_SRT = re.compile(r"^\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.M)
_PO = re.compile(r'^msgid\s+"', re.M)
_HTML = re.compile(r"<!doctype\s+html|<html[\s>]|<body[\s>]|<(p|div|h[1-6]|table|span)[\s>]", re.I)
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # compound file header: legacy Office or encrypted OOXML
_LEGACY_OFFICE = {  # a top-level stream of each legacy binary format -> (what it is, what to save it as)
    "worddocument": ("Word document (.doc)", ".docx"),
    "workbook": ("Excel workbook (.xls)", ".xlsx"),
    "book": ("Excel workbook (.xls)", ".xlsx"),
    "powerpoint document": ("PowerPoint presentation (.ppt)", ".pptx"),
}


@runtime_checkable
class _Encoded(Protocol):
    """A text handler that reads files in legacy encodings says which one it reads `src` in."""

    def text_encoding(self, src: Path) -> str: ...


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


def _refuse_ole(path: Path) -> NoReturn:
    """Read the compound file's directory (header, FAT and directory sectors only) and refuse it."""
    import olefile

    try:
        with path.open("rb") as fh, olefile.OleFileIO(fh) as ole:
            streams = {"/".join(entry).lower() for entry in ole.listdir(streams=True, storages=False)}
    except Exception as exc:  # olefile reports damage with OSError, struct.error, IndexError, …
        raise MalformedDocument(
            "The file is an OLE compound file (old Office format) but it is damaged"
        ) from exc
    if "encryptedpackage" in streams and "encryptioninfo" in streams:
        raise EncryptedDocument(
            "The document is password-protected (encrypted); remove the password and upload it again"
        )
    for stream, (what, new) in _LEGACY_OFFICE.items():
        if stream in streams:
            raise UnsupportedFormat(
                f"This is a legacy binary Office file, a {what}; save it as {new} and upload it again"
            )
    raise UnsupportedFormat("The file is an OLE compound file that is not a document Polydoc can translate")


def _decode(head: bytes, codec: str) -> str | None:
    """`head` decoded, allowing a character cut at its end; None when it is not `codec` text."""
    try:
        return head.decode(codec)
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not just a character cut at the end of the head
            return None
        return head[: exc.start].decode(codec)


def _plain(text: str) -> str | None:
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f\v")
    return None if controls > max(2, len(text) // 100) else text


def _decode_text(head: bytes) -> str | None:
    """The head of a UTF-8 or UTF-16 text file as str, or None."""
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return head.decode("utf-16")
        except UnicodeDecodeError:
            return None
    if b"\x00" in head:
        return None
    text = _decode(head, "utf-8-sig")
    return None if text is None else _plain(text)


def _legacy_text(head: bytes) -> str | None:
    """The head of text in a legacy 8-bit encoding (ISO-8859-15, Windows-1252, …) as Latin-1,
    which decodes any byte and is enough to see the structure (it is ASCII in every format);
    None when the bytes are binary."""
    return None if b"\x00" in head else _plain(head.decode("latin-1"))


def _check_encoding(kind: str, path: Path, head: bytes) -> None:
    """The handler's own encoding rule must read the head of a file that is not UTF-8."""
    handler = handlers()[kind]
    if isinstance(handler, _Encoded):  # the others decide when they read the file
        codec = handler.text_encoding(path)
        if _decode(head, codec) is None:
            raise MalformedDocument(
                f"The {kind.upper()} file is not valid {codec} text, the encoding it declares"
            )


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
        except RecursionError:  # 100,000 nested arrays: refused, not a 500
            raise HostileDocument(
                "The JSON file is nested too deeply to be read safely", code="hostile_document"
            ) from None
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
    elif head.startswith(_OLE):
        _refuse_ole(path)
    else:
        unicode = _decode_text(head)
        text = unicode if unicode is not None else _legacy_text(head)
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
        if unicode is None:
            _check_encoding(kind, path, head)
    if kind in binary_kinds and ext in handlers() and ext != kind:
        raise UnsupportedFormat(f"The file is named .{ext} but its content is {kind.upper()}")
    return kind
