"""HTML pages and fragments: visible text, titles and a few attributes are translated.

The page is read with its own encoding (BOM, then `<meta charset>`, then UTF-8, then
Windows-1252), tokenised with exact offsets (`_html_tokens`), and rebuilt by splicing translated
text into the source (`_html_walk`), so scripts, styles, comments, the doctype, entities and
attribute order of untouched parts keep their bytes. The output is written in the input's
encoding (characters it cannot hold become character references) and `<html lang>` is set to
the target language. No DTD is read and no entity is expanded beyond HTML's own named ones.
Bilingual output keeps the source and adds each translation after its block (`_html_bilingual`).
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from polydoc.errors import MalformedDocument
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.web._html_walk import parse_page, translate_page

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)


def _declared(head: bytes) -> str | None:
    m = _META_CHARSET.search(head)
    if m is None:
        return None
    try:
        name = codecs.lookup(m.group(1).decode("ascii")).name
    except LookupError:
        return None
    return None if name.startswith("utf-16") else name  # HTML: a utf-16 label in ASCII means utf-8


def read_text(src: Path, what: str = "HTML page") -> tuple[str, bytes, str]:
    """(text, BOM, codec) of a text document; the BOM is kept apart so it is written back as is."""
    try:
        data = src.read_bytes()
    except OSError as exc:
        raise MalformedDocument(f"The {what} cannot be read") from exc
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom) :].decode(codec), bom, codec
            except UnicodeDecodeError as exc:
                raise MalformedDocument(f"The {what} is not valid {codec.upper()}") from exc
    if b"\x00" in data:
        raise MalformedDocument(f"The {what} contains binary data")
    candidates = [c for c in (_declared(data[:4096]), "utf-8", "cp1252") if c]
    for codec in candidates:
        try:
            return data.decode(codec), b"", codec
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), b"", "latin-1"


def write_text(dst: Path, text: str, bom: bytes, codec: str) -> None:
    dst.write_bytes(bom + text.encode(codec, errors="xmlcharrefreplace"))


class HtmlHandler(FormatHandler):
    name = "html"
    extensions = ("html", "htm", "xhtml")
    media_type = "text/html"
    output_modes = ("translated", "bilingual")

    def text_encoding(self, src: Path) -> str:
        return read_text(src)[2]

    def extract(self, src: Path) -> Iterator[Segment]:
        text, _, _ = read_text(src)
        for _, sid, seg_text, context in parse_page(text).segments():
            yield Segment(sid, seg_text, context)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        text, bom, codec = read_text(src)
        warnings: list[str] = []
        bilingual = target_language if output_mode == "bilingual" else None
        out = translate_page(text, translations, warnings, lang=target_language, bilingual=bilingual)
        write_text(dst, out, bom, codec)
        return RebuildReport(warnings)


HANDLER = HtmlHandler()
