"""Reading and writing a PDF for `PdfHandler` (see `handler` for the approach).

Pages stream: each page is read, planned and drawn on its own (with the next page read
ahead, for a paragraph that runs on into it, see `_flow`), overlays are written to a
temporary file every `CHUNK` pages, and qpdf copies the unchanged objects from the source
file when the output is saved. Licences: pdfminer.six (MIT), pikepdf (MPL-2.0, qpdf
Apache-2.0) and reportlab (BSD) are permissive; PyMuPDF (AGPL) is deliberately not used.
"""

from __future__ import annotations

import itertools
import tempfile
from collections import ChainMap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from reportlab.pdfgen.canvas import Canvas

from polydoc.errors import MalformedDocument
from polydoc.formats.base import RebuildReport, Segment
from polydoc.formats.pdf._apply import apply_plan, translated_copy
from polydoc.formats.pdf._draw import MIN_SCALE
from polydoc.formats.pdf._flow import Flow, flows, parts
from polydoc.formats.pdf._meta import apply_meta, meta_segments
from polydoc.formats.pdf._page import PagePlan, PageText, page_text, plan_page
from polydoc.formats.pdf._source import Source, open_pike, open_source
from polydoc.formats.pdf._strip import StreamMismatch
from polydoc.formats.pdf.glyphs.fonts import FontBook
from polydoc.formats.pdf.ocr.scan import OcrPage, Scans

CHUNK = 32  # pages per overlay file


@dataclass
class _Stats:
    total: int
    text_pages: int = 0
    no_text: int = 0
    failed: list[int] = field(default_factory=list)
    unedited: list[int] = field(default_factory=list)
    fallbacks: list[str] = field(default_factory=list)
    shrunk: int = 0
    overflow: int = 0
    locked: int = 0
    first_error: MalformedDocument | None = None
    scans: Scans | None = None  # pages that are only an image are read by OCR (`ocr.scan`)

    def read(self, source: Source, index: int) -> PageText | OcrPage | None:
        try:
            content = source.read(index)
            scan = self.scans.read(index, content) if self.scans is not None else None
        except MalformedDocument as exc:
            self.failed.append(index + 1)
            self.first_error = self.first_error or exc
            return None
        if scan is not None:
            self.text_pages += 1
            return scan
        if content.has_text:
            self.text_pages += 1
        else:
            self.no_text += 1
        return page_text(index + 1, content)

    def check(self) -> None:
        if self.first_error is not None and len(self.failed) == self.total:
            raise self.first_error
        if not self.text_pages:
            raise MalformedDocument(
                "The PDF has no text layer, and OCR found no text on its pages",
                code="no_text_layer",
            )

    def add(self, plan: PagePlan) -> None:
        self.fallbacks += plan.fallbacks
        self.shrunk += plan.shrunk
        self.overflow += plan.overflow
        self.locked += plan.locked

    def warnings(self, fonts: FontBook | None) -> list[str]:
        out = self.scans.warnings() if self.scans is not None else []
        if self.no_text:
            out.append(f"{self.no_text} of {self.total} pages have no text layer and were left as they are")
        if self.failed:
            out.append(f"Pages {_pages(self.failed)} could not be read and were left as they are")
        if self.unedited:
            out.append(f"Pages {_pages(self.unedited)} could not be edited safely and were left untranslated")
        if self.locked:
            out.append(
                f"{self.locked} text blocks share their drawing with text that cannot be redrawn "
                "(rotated or hidden) and were left untranslated"
            )
        if self.fallbacks:
            shown = ", ".join(self.fallbacks[:5]) + (" …" if len(self.fallbacks) > 5 else "")
            out.append(
                f"{len(self.fallbacks)} segments came back with broken inline tags ({shown}); "
                "their text was set without inline formatting"
            )
        if self.overflow:
            out.append(
                f"{self.overflow} text blocks did not fit their boxes even at "
                f"{MIN_SCALE:.0%} of their size and run past them"
            )
        if fonts is not None and fonts.missing:
            chars = "".join(sorted(fonts.missing)[:20])
            out.append(f"No installed font has the characters {chars!r}; they show as empty boxes")
        return out


def _save(pdf: pikepdf.Pdf, dst: Path) -> None:
    """Write through a temporary name so a failed save never leaves half a PDF at `dst`."""
    partial = dst.with_name(dst.name + ".part")
    try:
        pdf.save(partial, encryption=pdf.is_encrypted, deterministic_id=not pdf.is_encrypted)
        partial.replace(dst)
    except pikepdf.PdfError as exc:
        raise MalformedDocument(f"The translated PDF could not be written ({exc})") from exc
    finally:
        partial.unlink(missing_ok=True)


def _pages(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" …" if len(numbers) > 10 else "")


_Read = PageText | OcrPage | None


def _stream(source: Source, stats: _Stats) -> Iterator[tuple[int, _Read, _Read]]:
    """Each page read once, with the next one: a paragraph may run on into it (`_flow`)."""
    previous: _Read = None
    for index in range(stats.total):
        page = stats.read(source, index)
        if index:
            yield index - 1, previous, page
        previous = page
    if stats.total:
        yield stats.total - 1, previous, None


class PdfDocument:
    """The work behind `PdfHandler`, whose module stays free of the PDF libraries."""

    def count_pages(self, src: Path) -> int:
        pdf = open_pike(src)
        try:
            return len(pdf.pages)
        except pikepdf.PdfError as exc:
            raise MalformedDocument("The PDF's page tree is damaged") from exc
        finally:
            pdf.close()

    def extract(self, src: Path) -> Iterator[Segment]:
        with open_source(src) as source:
            stats = _Stats(len(source.pike.pages), scans=Scans(src))
            for _index, page, flow in flows(_stream(source, stats)):
                if page is not None:
                    found = flow.segments(page) if isinstance(page, PageText) else page.segments()
                    for sid, text, context in found:
                        yield Segment(sid, text, context)
            stats.check()
            for sid, text, context in meta_segments(source.pike):
                yield Segment(sid, text, context)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        bilingual: bool = False,
    ) -> RebuildReport:
        """Write the translated PDF. `bilingual` keeps every original page and puts its translation
        right after it."""
        book: list[FontBook] = []

        def fonts() -> FontBook:
            if not book:
                book.append(FontBook())
            return book[0]

        with open_source(src) as source, tempfile.TemporaryDirectory(prefix="polydoc-pdf-") as tmp:
            stats = _Stats(len(source.pike.pages), scans=Scans(src))
            overlays: list[pikepdf.Pdf] = []
            copies: list[tuple[int, pikepdf.Dictionary]] = []
            stream = flows(_stream(source, stats))
            carry: dict[str, str] = {}  # translations of parts on the next page (`_flow`)
            try:
                for start in range(0, stats.total, CHUNK):
                    pages = itertools.islice(stream, CHUNK)
                    overlay = self._chunk(
                        source, pages, (translations, carry), Path(tmp) / f"overlay-{start}.pdf", fonts,
                        stats, copies if bilingual else None,
                    )  # fmt: skip
                    if overlay is not None:
                        overlays.append(overlay)
                stats.check()
                pike = source.pike
                for index, copy in reversed(copies):
                    pike.pages.insert(index + 1, pikepdf.Page(copy))
                if not bilingual:  # a bilingual file keeps the original's bookmarks and title
                    apply_meta(pike, translations)
                _save(pike, dst)
            finally:
                for overlay in overlays:
                    overlay.close()
        warnings = stats.warnings(book[0] if book else None)
        return RebuildReport(warnings)

    def _chunk(
        self,
        source: Source,
        pages: Iterator[tuple[int, _Read, Flow]],
        texts: tuple[Mapping[str, str], dict[str, str]],
        path: Path,
        fonts: Callable[[], FontBook],
        stats: _Stats,
        copies: list[tuple[int, pikepdf.Dictionary]] | None,
    ) -> pikepdf.Pdf | None:
        """Plan and draw a run of pages, then apply the plans; returns the overlay to keep open."""
        canvas = Canvas(str(path), invariant=1)
        planned: list[tuple[int, PagePlan, int]] = []
        translations, carry = texts
        for index, page, flow in pages:
            if page is None:
                continue
            if isinstance(page, OcrPage):
                plan = page.plan(translations, canvas, fonts)
            else:
                local, broken = parts(page, flow, translations, carry)
                stats.fallbacks += broken
                plan = plan_page(
                    page, ChainMap(local, translations) if local else translations, canvas, fonts
                )
            if plan is None:
                continue
            stats.add(plan)
            if plan.remove or isinstance(page, OcrPage):  # a scan's plan only draws
                canvas.showPage()
                planned.append((index, plan, len(planned)))
        if not planned:
            return None
        canvas.save()
        overlay = pikepdf.open(path)
        pike = source.pike
        for index, plan, number in planned:
            target = pike.pages[index].obj
            if copies is not None:
                target = translated_copy(pike, target)
            try:
                apply_plan(pike, target, plan, overlay, number)
            except (StreamMismatch, pikepdf.PdfError):
                stats.unedited.append(index + 1)
                continue
            if copies is not None:
                copies.append((index, target))
        return overlay


DOCUMENT = PdfDocument()
