"""The XHTML content documents of an EPUB: which elements are segments, and how tags map.

Every element that is not an inline wrapper (p, h1-h6, li, td, th, dt, dd, caption,
figcaption, blockquote, a div with text of its own…) is a segment made of its inline
content; block children inside it are kept whole (`<xN/>`) and are segments of their own.
b, strong, i, em, a, span, sup, sub, small and their kin become `<gN>`; br, img and code-like
elements become `<xN/>`. script, style, pre, code, svg and MathML are never translated.
`alt` and `title` attributes are segments of their own. Kept independent of the HTML handler.
"""

from __future__ import annotations

import html.entities
import re
from dataclasses import dataclass

from lxml import etree

from polydoc.formats._safety import parse_xml
from polydoc.formats._xml_inline import Element, InlineRules

XHTML = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_WRAP = frozenset(
    "a abbr b bdi bdo big cite del dfn em font i ins mark q rb rt ruby s small span strike strong sub sup "
    "time tt u".split()
)
_UNTOUCHED = frozenset("script style pre code kbd samp var svg math textarea template noscript".split())
_ATTRIBUTES = {"alt": "alt text", "title": "tooltip"}
_CONTEXTS = {
    **{f"h{n}": "heading" for n in range(1, 7)},
    "title": "title",
    "li": "list item",
    "td": "table cell",
    "th": "table cell",
    "caption": "caption",
    "figcaption": "caption",
    "dt": "term",
    "dd": "definition",
    "blockquote": "quotation",
}
_XML_NAMED = {"amp", "lt", "gt", "quot", "apos"}
_NAMED_ENTITY = re.compile(rb"&([A-Za-z][A-Za-z0-9]{1,31});")


def _local(el: Element) -> str | None:
    """The XHTML local name of `el`, or None for comments, PIs and other vocabularies (SVG, MathML).

    Elements without a namespace count as XHTML: some books omit the xmlns.
    """
    tag = el.tag
    if not isinstance(tag, str):
        return None
    if tag.startswith("{"):
        return tag[len(XHTML) + 2 :] if tag.startswith(f"{{{XHTML}}}") else None
    return tag


def _child(parent: Element | None, name: str) -> Element | None:
    if parent is None:
        return None
    found = parent.find(f"{{{XHTML}}}{name}")
    return found if found is not None else parent.find(name)


RULES = InlineRules(
    is_wrapper=lambda el: _local(el) in _WRAP,
    is_link=lambda el: _local(el) == "a",
)


@dataclass(frozen=True, slots=True)
class XUnit:
    id: str
    el: Element
    attr: str | None  # None: the element's inline content; else this attribute's value
    context: str


def parse_xhtml(data: bytes, *, what: str) -> Element:
    """Parse a content document; HTML named entities (&nbsp;) become character references.

    EPUB 2 documents may use them through the XHTML DTD, which is never loaded.
    """

    def numeric(m: re.Match[bytes]) -> bytes:
        name = m.group(1).decode("ascii")
        code = None if name in _XML_NAMED else html.entities.name2codepoint.get(name)
        return f"&#{code};".encode() if code else m.group(0)

    return parse_xml(_NAMED_ENTITY.sub(numeric, data), what=what)


def serialize(root: Element, original: bytes) -> bytes:
    """The whole document (doctype included), with an XML declaration only if it had one."""
    declared = original.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<?xml")
    return etree.tostring(root.getroottree(), encoding="UTF-8", xml_declaration=declared)


def units(path: str, root: Element) -> list[XUnit]:
    """Segments of one document in reading order; ids number elements in document order."""
    title = _child(_child(root, "head"), "title")
    out = [XUnit(f"{path}#title", title, None, "title")] if title is not None else []
    body = _child(root, "body")
    if body is None:
        return out
    untouched: set[Element] = set()
    for i, el in enumerate(body.iter(etree.Element)):
        name = _local(el)
        if el.getparent() in untouched or name is None or name in _UNTOUCHED:
            untouched.add(el)
            continue
        if name not in _WRAP:
            out.append(XUnit(f"{path}#{i}", el, None, _CONTEXTS.get(name, "")))
        out.extend(XUnit(f"{path}#{i}@{a}", el, a, ctx) for a, ctx in _ATTRIBUTES.items() if el.get(a))
    return out


def set_language(root: Element, language: str, *, html_lang: bool) -> None:
    """xml:lang on <html> and <body>; `lang` too where HTML allows it (EPUB 3) or it was there."""
    body = _child(root, "body")
    for el in (root, body):
        if el is None or (el is body and el.get(XML_LANG) is None and el.get("lang") is None):
            continue
        el.set(XML_LANG, language)
        if html_lang or el.get("lang") is not None:
            el.set("lang", language)
