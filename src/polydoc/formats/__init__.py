"""Format handlers, loaded lazily by name so the API never imports heavy parsers.

`handler_for("docx")` imports `polydoc.formats.docx` and returns its `HANDLER`.
`detect(path, filename)` decides the format from the content (the filename only breaks ties).
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from polydoc.errors import UnsupportedFormat
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.detect import detect

# name -> module; each module exports HANDLER
_HANDLERS: dict[str, str] = {
    "txt": "polydoc.formats.txt",
    "md": "polydoc.formats.markdown",
    "html": "polydoc.formats.html",
    "docx": "polydoc.formats.docx",
    "pptx": "polydoc.formats.pptx",
    "xlsx": "polydoc.formats.xlsx",
    "odt": "polydoc.formats.odf",
    "ods": "polydoc.formats.odf",
    "odp": "polydoc.formats.odf",
    "epub": "polydoc.formats.epub",
    "srt": "polydoc.formats.subtitles",
    "vtt": "polydoc.formats.subtitles",
    "xliff": "polydoc.formats.xliff",
    "po": "polydoc.formats.po",
    "json": "polydoc.formats.i18n_json",
    "yaml": "polydoc.formats.i18n_yaml",
    "csv": "polydoc.formats.csv",
    "pdf": "polydoc.formats.pdf",
}


@cache
def handler_for(name: str) -> FormatHandler:
    try:
        module = import_module(_HANDLERS[name])
    except (KeyError, ModuleNotFoundError):
        raise UnsupportedFormat(f"The format {name!r} is not supported") from None
    handlers = getattr(module, "HANDLERS", None)
    return handlers[name] if handlers else module.HANDLER


def available_formats() -> list[str]:
    out = []
    for name in _HANDLERS:
        try:
            handler_for(name)
        except UnsupportedFormat:
            continue
        out.append(name)
    return out


__all__ = ["FormatHandler", "RebuildReport", "Segment", "available_formats", "detect", "handler_for"]
