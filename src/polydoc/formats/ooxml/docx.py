"""Word documents (.docx), read and written as XML with lxml (python-docx is only used in tests).

Translated: the body with its tables (nested too) and text boxes, every header and footer,
footnotes, endnotes, comments, SmartArt text, chart titles and labels, and the document
title and subject. Parts are found through the package relationships, starting at the main
document, so parts nothing points to are left alone. Translated runs and the document
defaults get the target language (w:lang). Code (paragraphs in a code style or a monospace
font, runs in a code character style) is kept as it is; tracked changes keep their marks.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from polydoc.formats._safety import SafeZip, xml_bytes
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.ooxml._package import (
    fixed_context,
    main_part,
    office_lang,
    open_package,
    package_segments,
    rebuild_package,
    relationships,
)
from polydoc.formats.ooxml._paragraphs import DrawingML, Element, TextPart
from polydoc.formats.ooxml._word_bilingual import WordInterleave
from polydoc.formats.ooxml._wordml import W_PPR, WordML, set_default_lang, w
from polydoc.formats.ooxml._wordstyles import WordStyles

_WHAT = "Word document"
_DRAWINGML = DrawingML()
# relationship type -> (reading order, context) of the parts written in WordprocessingML
_NOTE_PARTS = {
    "header": (1, "header"),
    "footer": (2, "footer"),
    "footnotes": (3, "footnote"),
    "endnotes": (4, "endnote"),
    "comments": (5, "comment"),
}
_DRAWING_PARTS = {"diagramData": 6, "diagramDrawing": 6, "chart": 7}
_HEADING = re.compile(r"heading|title|subtitle", re.I)


class DocxHandler(FormatHandler):
    name = "docx"
    extensions = ("docx",)
    media_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    container = "zip"
    zip_main_part = "word/document.xml"
    output_modes = ("translated", "bilingual")

    def extract(self, src: Path) -> Iterator[Segment]:
        with open_package(src, _WHAT) as z:
            parts, _ = _parts(z)
            yield from package_segments(z, parts)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        lang = office_lang(target_language)
        with open_package(src, _WHAT) as z:
            parts, styles = _parts(z, bilingual=output_mode == "bilingual")
            replacements, warnings = rebuild_package(z, parts, translations, lang)
            # bilingual: the source copies keep the document's language, the translated runs have theirs
            if replacements and styles is not None and output_mode != "bilingual":
                root = z.read_xml(styles)
                if set_default_lang(root, lang):
                    replacements[styles] = xml_bytes(root)
            z.rewrite(dst, replacements)
        return RebuildReport(warnings)


def _parts(z: SafeZip, *, bilingual: bool = False) -> tuple[list[TextPart], str | None]:
    """The parts holding visible text in reading order (body, headers, footers, notes…),
    and the styles part; `bilingual` joins source and translation in the WordprocessingML parts."""
    main = main_part(z, "word/document.xml", _WHAT)
    styles = next((rel.target for rel in relationships(z, main) if rel.type == "styles"), None)
    styles_root = z.read_xml(styles) if styles is not None else None
    wordml = WordML(WordStyles(styles_root))
    interleave = WordInterleave(styles_root) if bilingual else None
    found: dict[str, tuple[int, TextPart]] = {
        main: (0, TextPart(main, wordml, context=_context(""), bilingual=interleave))
    }
    queue = [main]
    while queue:
        source = queue.pop(0)
        for rel in relationships(z, source):
            if rel.target in found:
                continue
            if rel.type in _NOTE_PARTS:
                order, where = _NOTE_PARTS[rel.type]
                part = TextPart(rel.target, wordml, context=_context(where), bilingual=interleave)
                found[rel.target] = (order, part)
                queue.append(rel.target)  # a header can hold a chart too
            elif rel.type in _DRAWING_PARTS:
                chart = rel.type == "chart"
                part = TextPart(
                    rel.target,
                    _DRAWINGML,
                    context=fixed_context("chart" if chart else "diagram"),
                    chart=chart,
                )
                found[rel.target] = (_DRAWING_PARTS[rel.type], part)
    parts = [part for _, part in sorted(found.values(), key=lambda op: (op[0], _natural(op[1].name)))]
    return parts, styles


def _context(where: str) -> Callable[[Element], str]:
    def context(p: Element) -> str:
        style = p.find(f"{W_PPR}/{w('pStyle')}")
        if style is not None and _HEADING.match(style.get(w("val"), "")):
            return "heading"
        for anc in p.iterancestors():
            if anc.tag == w("txbxContent"):
                return "textbox"
            if anc.tag == w("tc"):
                return "cell"
        return where

    return context


def _natural(name: str) -> list[object]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", name)]


HANDLER = DocxHandler()

__all__ = ["HANDLER", "DocxHandler"]
