"""Format handlers: document ⇄ segments, one package per family.

`handler_for("docx")` returns the handler of a format name; `detect(path, filename)` decides the
format from the content (the filename only breaks ties). Families: `text/` (txt, csv, subtitles),
`web/` (HTML, Markdown, EPUB), `ooxml/` (DOCX, PPTX, XLSX), `opendoc/` (ODT, ODS, ODP), `l10n/`
(XLIFF, PO, JSON, YAML), `pdf/`. Shared helpers: `_safety` (archives and XML under limits),
`_placeholders` (masking placeholders as tags), `_xml_inline` (mixed-content XML paragraphs).
"""

from __future__ import annotations

from polydoc.formats.base import FormatHandler, RebuildReport
from polydoc.formats.detect import detect
from polydoc.formats.registry import available_formats, handler_for
from polydoc.segments import Segment

__all__ = ["FormatHandler", "RebuildReport", "Segment", "available_formats", "detect", "handler_for"]
