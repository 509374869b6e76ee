"""Every format handler, found from the handlers' own metadata (Translate Toolkit's factory idea).

A handler module exports `HANDLER` (or `HANDLERS`, several formats of one family) and declares
its `name`, `extensions`, `media_type` and how its files are recognised as class attributes;
the registry and detection read only those, so a new format is one line in `_MODULES`. Handler
modules keep their heavy parsers inside the functions that use them, so reading the metadata
costs little; a module whose library is missing is left out.
"""

from __future__ import annotations

from functools import cache
from importlib import import_module

from polydoc.errors import UnsupportedFormat
from polydoc.formats.base import FormatHandler

_MODULES = (
    "polydoc.formats.text.txt",
    "polydoc.formats.text.csv",
    "polydoc.formats.text.subtitles",
    "polydoc.formats.web.markdown",
    "polydoc.formats.web.html",
    "polydoc.formats.web.epub",
    "polydoc.formats.ooxml.docx",
    "polydoc.formats.ooxml.pptx",
    "polydoc.formats.ooxml.xlsx",
    "polydoc.formats.opendoc.handler",
    "polydoc.formats.l10n.xliff",
    "polydoc.formats.l10n.po",
    "polydoc.formats.l10n.i18n_json",
    "polydoc.formats.l10n.i18n_yaml",
    "polydoc.formats.pdf.handler",
)


@cache
def handlers() -> dict[str, FormatHandler]:
    """Format name -> handler, for every handler whose module imports."""
    found: dict[str, FormatHandler] = {}
    for path in _MODULES:
        try:
            module = import_module(path)
        except ModuleNotFoundError:  # an optional parser library is not installed
            continue
        for handler in getattr(module, "HANDLERS", None) or (module.HANDLER,):
            found[handler.name] = handler
    return found


@cache
def by_extension() -> dict[str, str]:
    """File extension (lower case, no dot) -> format name."""
    return {ext: h.name for h in handlers().values() for ext in h.extensions}


def handler_for(name: str) -> FormatHandler:
    try:
        return handlers()[name]
    except KeyError:
        raise UnsupportedFormat(f"The format {name!r} is not supported") from None


def available_formats() -> list[str]:
    return list(handlers())
