"""Bilingual ODT: each paragraph as it was, followed by its translation in grey italic.

The source copy is taken before anything in the part is translated and goes in front of the
translated paragraph, in the same container (a list item, a table cell, a note). What must
stay unique stays on the translation only: notes (a copy would be a second footnote), comments,
frames and shapes, bookmarks and reference marks. The translation's text is wrapped in one
span of an automatic text style, "PolydocTranslation", so its own spans still apply on top;
that style carries the target language, and the document keeps its own for the source.
Paragraphs in frames and shapes (fixed size) keep the plain translated mode.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

from lxml import etree

from polydoc.formats._xml_inline import Element

STYLE = "PolydocTranslation"
GREY = "#666666"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_DRAW = "{urn:oasis:names:tc:opendocument:xmlns:drawing:1.0}"
_UNIQUE = frozenset(
    [f"{{{_TEXT}}}{n}" for n in ("note", "bookmark", "bookmark-start", "bookmark-end", "reference-mark")]
    + [f"{{{_TEXT}}}{n}" for n in ("reference-mark-start", "reference-mark-end", "toc-mark")]
    + [f"{{{_OFFICE}}}annotation", f"{{{_OFFICE}}}annotation-end"]
)


@dataclass(slots=True)
class Pending:
    el: Element
    source: Element


def wanted(p: Element) -> bool:
    return not any(isinstance(a.tag, str) and a.tag.startswith(_DRAW) for a in p.iterancestors())


def source_copy(p: Element) -> Pending:
    """A copy of the paragraph as it is now, without what must stay unique."""
    copy = deepcopy(p)
    for el in list(copy.iter(*_UNIQUE)):
        _drop(el)
    for el in [e for e in copy.iter() if isinstance(e.tag, str) and e.tag.startswith(_DRAW)]:
        if el.getparent() is not None:
            _drop(el)
    return Pending(p, copy)


def join(root: Element, pending: list[Pending], language: str, country: str | None) -> None:
    """Put each source copy in front of its (now translated) paragraph; style the translations
    (and give them their language: the document keeps its own for the source)."""
    if not pending:
        return
    _add_style(root, language, country)
    for item in pending:
        p = item.el
        span = etree.Element(f"{{{_TEXT}}}span", {f"{{{_TEXT}}}style-name": STYLE})
        span.text, p.text = p.text, None
        span.extend(list(p))
        p.append(span)
        item.source.tail = p.tail
        p.addprevious(item.source)


def _add_style(root: Element, language: str, country: str | None) -> None:
    styles = root.find(f"{{{_OFFICE}}}automatic-styles")
    if styles is None:
        styles = etree.Element(f"{{{_OFFICE}}}automatic-styles")
        before = [root.find(f"{{{_OFFICE}}}{n}") for n in ("scripts", "font-face-decls", "styles")]
        anchor = next((el for el in reversed(before) if el is not None), None)
        (anchor.addnext(styles) if anchor is not None else root.insert(0, styles))
    if any(s.get(f"{{{_STYLE}}}name") == STYLE for s in styles):
        return
    style = etree.SubElement(styles, f"{{{_STYLE}}}style")
    style.set(f"{{{_STYLE}}}name", STYLE)
    style.set(f"{{{_STYLE}}}family", "text")
    props = etree.SubElement(style, f"{{{_STYLE}}}text-properties")
    props.set(f"{{{_FO}}}font-style", "italic")
    props.set(f"{{{_FO}}}color", GREY)
    props.set(f"{{{_FO}}}language", language)
    if country:
        props.set(f"{{{_FO}}}country", country)


def _drop(el: Element) -> None:
    """Remove an element, keeping the text that follows it."""
    parent = el.getparent()
    if parent is None:
        return
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)
