"""The one encoding rule of the plain-text family (TXT, CSV/TSV, SubRip, WebVTT).

Reading: a byte order mark names the encoding (UTF-8, UTF-16 LE/BE); without one the file is
UTF-8 when all of it decodes as UTF-8, else Windows-1252 (what old Windows tools wrote), else
Latin-1, which decodes anything. WebVTT is UTF-8 by its specification, so it passes
`legacy=False` and a file that is not UTF-8 is refused. The check streams the file.

Writing: the output goes in the source's encoding; when a translated character does not fit
(Cyrillic in a Windows-1252 file), the whole file is written again as UTF-8 with a BOM — the
only declaration plain text has — and the run gets a warning. Detection uses `sniff` too.
"""

from __future__ import annotations

import codecs
import io
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from polydoc.errors import MalformedDocument

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_LEGACY = ("cp1252", "latin-1")


@dataclass(frozen=True, slots=True)
class TextEncoding:
    bom: bytes  # written before the text; b"" when the source has none
    codec: str  # a Python codec name, without the BOM

    def open(self, src: Path) -> IO[str]:
        """`src` as text, BOM skipped, line endings untouched."""
        fh = src.open("r", encoding=self.codec, newline="")
        if self.bom:
            fh.read(1)  # the BOM decodes as U+FEFF
        return fh


UTF8_BOM = TextEncoding(codecs.BOM_UTF8, "utf-8")


def _decodes(src: Path, codec: str, skip: int = 0) -> bool:
    decoder = codecs.getincrementaldecoder(codec)()
    try:
        with src.open("rb") as fh:
            fh.seek(skip)
            while chunk := fh.read(1 << 16):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def sniff(src: Path, *, legacy: bool = True, what: str = "text file") -> TextEncoding:
    """The encoding `src` is read and written in; MalformedDocument when it has none of ours."""
    with src.open("rb") as fh:
        head = fh.read(4)
    for bom, codec in _BOMS:
        if head.startswith(bom):
            if not _decodes(src, codec, len(bom)):
                raise MalformedDocument(f"The {what} is not valid {codec.upper()} text")
            return TextEncoding(bom, codec)
    if _decodes(src, "utf-8"):
        return TextEncoding(b"", "utf-8")
    if not legacy:
        raise MalformedDocument(f"The {what} is not valid UTF-8 text")
    return TextEncoding(b"", next((c for c in _LEGACY if _decodes(src, c)), "latin-1"))


def fallback_warning(encoding: TextEncoding) -> str:
    return f"The translation does not fit the {encoding.codec} encoding; the file was saved as UTF-8"


def _write_once(dst: Path, encoding: TextEncoding, render: Callable[[IO[str]], list[str]]) -> list[str]:
    with dst.open("wb") as raw:
        raw.write(encoding.bom)
        out = io.TextIOWrapper(raw, encoding=encoding.codec, newline="", write_through=True)
        try:
            return render(out)  # a character that does not fit raises in its `write`
        finally:
            out.detach()  # the file is closed by its own `with`


def write(dst: Path, encoding: TextEncoding, render: Callable[[IO[str]], list[str]]) -> list[str]:
    """Write `dst` in `encoding` through `render` (which returns its warnings); when a character
    does not fit, `render` runs again into a UTF-8 file and a warning says so."""
    try:
        return _write_once(dst, encoding, render)
    except UnicodeEncodeError:
        if encoding.codec == "utf-8":
            raise
        return _write_once(dst, UTF8_BOM, render) + [fallback_warning(encoding)]
