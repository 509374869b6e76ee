"""A corpus of awkward-but-real documents, one or more per format, written in code.

Each family module (`office`, `opendoc`, `web`, `l10n`, `text`) builds small documents with the
format's own library, in the shapes real tools save: right-to-left paragraphs, fields and
content controls, nested tables, hidden text, comment replies, SmartArt and charts, rich-text
cells and shared formulas, fixed-layout EPUB, `<template>`/`<svg>`/`<math>`/JSON-LD, MkDocs and
pandoc Markdown, subtitle styling, CAT-tool XLIFF, gettext plurals and ICU messages.

`DOCS` lists them; `tests/corpus/_zipped.py` and `_flat.py` say, per format, how to open a
document, what its structure is (what a translation must not change) and what its visible
text is; `test_corpus.py` sends each through the real service and compares.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property

from tests.corpus import l10n, office, opendoc, text, web


@dataclass(frozen=True)
class Doc:
    """One corpus document: `build()` returns its bytes; `keep` must come back byte for byte."""

    name: str
    fmt: str
    build: Callable[[], bytes]
    keep: tuple[str, ...] = ()
    # check name ("opens", "structure", "keep", "libreoffice") -> precise cause of a known failure
    # that lies in another engineer's files (strict xfail: fixing it turns the test red)
    known: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def source(self) -> bytes:
        """Built once: some builders stamp the time (python-pptx's embedded chart workbook)."""
        return self.build()

    @property
    def office(self) -> bool:
        """Office and OpenDocument files: LibreOffice must open the translation."""
        return self.fmt in ("docx", "pptx", "xlsx", "odt", "ods", "odp")


DOCS: list[Doc] = [
    Doc("awkward.docx", "docx", office.build_docx, office.KEEP),
    Doc("awkward.pptx", "pptx", office.build_pptx, office.KEEP[:4]),
    Doc("awkward.xlsx", "xlsx", office.build_xlsx, office.KEEP[:3]),
    Doc("awkward.odt", "odt", opendoc.build_odt, opendoc.KEEP),
    Doc("awkward.ods", "ods", opendoc.build_ods, opendoc.KEEP[:3]),
    Doc("awkward.odp", "odp", opendoc.build_odp, opendoc.KEEP[:3]),
    Doc("fixed-layout.epub", "epub", web.build_epub, web.KEEP),
    Doc("awkward.html", "html", web.build_html, (*web.KEEP, "http://mi.safaribooksonline.com")),
    Doc("awkward.md", "md", web.build_markdown, web.KEEP),
    Doc("awkward.srt", "srt", text.build_srt, text.KEEP[:2]),
    Doc("awkward.vtt", "vtt", text.build_vtt, (text.KEEP[0], text.KEEP[2])),
    Doc("semicolon-1252.csv", "csv", text.build_csv, text.KEEP),
    Doc("memoq.xlf", "xliff", l10n.build_xliff12, l10n.KEEP[:2]),
    Doc("cat-2.1.xlf", "xliff", l10n.build_xliff2, l10n.KEEP[:2]),
    Doc("django.po", "po", l10n.build_po, l10n.KEEP[2:]),
    Doc("formatjs.json", "json", l10n.build_json, l10n.KEEP),
    Doc("rails.yml", "yaml", l10n.build_yaml, l10n.KEEP[:2]),
]

__all__ = ["DOCS", "Doc"]
