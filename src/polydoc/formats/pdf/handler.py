"""PDF: translate the text layer in place, keeping the page layout.

Reading: pdfminer.six gives every character with its position, font, size, colour and the
operator that drew it; lines, paragraph blocks and the reading order are rebuilt from the
geometry (`_layout`): one block is one paragraph, heading, list item or table cell. Segment
ids are `p<page>#b<block>`, then `outline#<n>` for bookmark titles and `title` for the
document title (`_meta`). A paragraph cut by a column or page break is one segment named by
both its blocks, `p3#b7+p4#b1`, and its translation is split back over the two (`_flow`).

Writing: for every translated block the operators that drew it are removed from the page's
content (pikepdf), and the translation is set into the same box by reportlab on an overlay
page whose drawing is appended to the page: same colour, a matching face (bold/italic,
serif/sans/mono), size and line spacing, shrunk only when it does not fit. Formulas and code
keep their own glyphs; link rectangles, underlines and strike-throughs move with their text;
images, vector graphics, other annotations, form fields and page geometry are not touched.
A scanned page (only an image) is read with Tesseract and its translation painted over the
image (`ocr`).

The work is in `_document`, imported on first use: the registry reads this module's metadata
without loading pdfminer, pikepdf and reportlab (about 0.3 s of start-up).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType

from polydoc.errors import BadRequest
from polydoc.formats.base import FormatHandler, RebuildReport, Segment


def _document() -> ModuleType:
    from polydoc.formats.pdf import _document

    return _document


class PdfHandler(FormatHandler):
    name = "pdf"
    extensions = ("pdf",)
    media_type = "application/pdf"
    container = "pdf"
    paged = True
    output_modes = ("translated", "bilingual")

    def count_pages(self, src: Path) -> int:
        return _document().DOCUMENT.count_pages(src)

    def extract(self, src: Path) -> Iterator[Segment]:
        return _document().DOCUMENT.extract(src)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        if output_mode not in self.output_modes:
            raise BadRequest(f"output_mode must be one of {', '.join(self.output_modes)}")
        return _document().DOCUMENT.rebuild(src, dst, translations, bilingual=output_mode == "bilingual")


HANDLER = PdfHandler()
