"""PowerPoint presentations (.pptx), read and written as XML with lxml.

Translated, slide by slide in presentation order: the text of every shape (grouped ones
too), tables, SmartArt, chart titles, axis titles and series/category names, then the
speaker notes (not their slide-number placeholder); finally the title and subject. Slide
layouts and masters are left alone: their text is placeholder prompts, not content. Slides
that the presentation does not list are not shown and not translated. `num_pages` is the
number of slides. Bilingual output: translated slides, notes that carry the source text
(`_pptx_bilingual`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from polydoc.formats._safety import SafeZip
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
from polydoc.formats.ooxml._pptx_bilingual import Sources, add_to_notes, append_members

P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_P_SP, _PH = f"{{{P}}}sp", f"{{{P}}}nvSpPr/{{{P}}}nvPr/{{{P}}}ph"
_WHAT = "PowerPoint presentation"
_DRAWINGML = DrawingML()


class PptxHandler(FormatHandler):
    name = "pptx"
    extensions = ("pptx",)
    media_type = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
    container = "zip"
    zip_main_part = "ppt/presentation.xml"
    paged = True
    output_modes = ("translated", "bilingual")

    def extract(self, src: Path) -> Iterator[Segment]:
        with open_package(src, _WHAT) as z:
            yield from package_segments(z, _parts(z))

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        with open_package(src, _WHAT) as z:
            parts = _parts(z)
            sources = None
            if output_mode == "bilingual":  # the source text of each slide goes into its notes
                slides = set(_slides(z))
                sources = Sources.of(z, [p for p in parts if p.name in slides], translations)
            replacements, warnings = rebuild_package(z, parts, translations, office_lang(target_language))
            added = add_to_notes(z, sources, replacements, warnings) if sources is not None else {}
            z.rewrite(dst, replacements)
        append_members(dst, added)
        return RebuildReport(warnings)

    def count_pages(self, src: Path) -> int:
        with open_package(src, _WHAT) as z:
            return max(1, len(_slides(z)))


def _slides(z: SafeZip) -> list[str]:
    """Slide parts in the order of p:sldIdLst."""
    pres = main_part(z, "ppt/presentation.xml", _WHAT)
    targets = {rel.id: rel.target for rel in relationships(z, pres) if rel.type == "slide"}
    ids = z.read_xml(pres).iterfind(f"{{{P}}}sldIdLst/{{{P}}}sldId")
    return [targets[rid] for rid in (s.get(f"{{{R}}}id") for s in ids) if rid in targets]


def _parts(z: SafeZip) -> list[TextPart]:
    parts: list[TextPart] = []
    seen: set[str] = set()
    for slide in _slides(z):
        notes: list[TextPart] = []
        parts.append(TextPart(slide, _DRAWINGML, skip=_slide_number, context=_context("")))
        for rel in relationships(z, slide):
            if rel.target in seen:
                continue
            seen.add(rel.target)
            if rel.type == "notesSlide":
                notes.append(TextPart(rel.target, _DRAWINGML, skip=_slide_number, context=_context("notes")))
            elif rel.type == "chart":
                parts.append(TextPart(rel.target, _DRAWINGML, context=fixed_context("chart"), chart=True))
            elif rel.type in ("diagramData", "diagramDrawing"):
                parts.append(TextPart(rel.target, _DRAWINGML, context=fixed_context("diagram")))
        parts.extend(notes)
    return parts


def _placeholder(p: Element) -> str | None:
    shape = next(p.iterancestors(_P_SP), None)
    ph = shape.find(_PH) if shape is not None else None
    return ph.get("type", "body") if ph is not None else None


def _slide_number(p: Element) -> bool:
    return _placeholder(p) == "sldNum"


def _context(where: str) -> Callable[[Element], str]:
    def context(p: Element) -> str:
        if _placeholder(p) in ("title", "ctrTitle"):
            return "title"
        if next(p.iterancestors(f"{{{A}}}tc"), None) is not None:
            return "cell"
        return where

    return context


HANDLER = PptxHandler()

__all__ = ["HANDLER", "PptxHandler"]
