"""Bilingual EPUB chapters: each translated block keeps its source and is followed by its translation.

Taken before anything in the document is translated, a copy of each block keeps the source (its
alt and title attributes too). A paragraph-like block (p, h1–h6, blockquote, dt, dd, a div of
text…) is then written twice: the source copy, and the translated element after it, marked
with `xml:lang` (and `lang` in EPUB 3) and without ids, which stay on the source so links and
note references still land once. Blocks that cannot be repeated (li, td, th, caption,
figcaption) keep the source inside and get `<br/><span xml:lang="…">translation</span>`.
Blocks that hold other blocks, the head's title and the navigation document keep the plain
translated mode.
"""

from __future__ import annotations

from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass

from polydoc.formats._xml_inline import Element, read_flow
from polydoc.formats.web._epub_xhtml import RULES, XHTML, XML_LANG, XUnit
from polydoc.formats.web._epub_xhtml import _local as local
from polydoc.formats.web._html_bilingual import REPEATABLE

_INLINE = frozenset(
    "a abbr b bdi bdo big br cite code del dfn em font i img ins kbd mark q rb rt ruby s samp small span "
    "strike strong sub sup time tt u var wbr".split()
)


@dataclass(slots=True)
class Pending:
    el: Element
    source: Element  # a copy taken before any translation


def sources(units: list[XUnit], translations: Mapping[str, str]) -> list[Pending]:
    """Copies of the blocks that will be bilingual; call before anything is translated."""
    out = []
    for unit in units:
        el = unit.el
        if unit.attr or unit.id not in translations or unit.context == "title" or not _leaf(el):
            continue
        if any(local(a) == "nav" for a in el.iterancestors()):
            continue
        if translations[unit.id] != read_flow(el, RULES).text:
            out.append(Pending(el, deepcopy(el)))
    return out


def join(pending: list[Pending], language: str, *, html_lang: bool) -> None:
    """Put each source beside its translated element (both now final)."""
    for p in pending:
        if local(p.el) in REPEATABLE:
            for el in p.el.iter():
                el.attrib.pop("id", None)
            _mark(p.el, language, html_lang)
            p.source.tail = p.el.tail
            p.el.addprevious(p.source)
            continue
        span = p.el.makeelement(f"{{{XHTML}}}span", {})
        _mark(span, language, html_lang)
        span.text = p.el.text
        span.extend(list(p.el))
        for el in span.iter():
            el.attrib.pop("id", None)
        p.el.text = p.source.text
        p.el.extend(list(p.source))
        p.el.append(p.el.makeelement(f"{{{XHTML}}}br", {}))
        p.el.append(span)


def _mark(el: Element, language: str, html_lang: bool) -> None:
    el.set(XML_LANG, language)
    if html_lang or el.get("lang") is not None:
        el.set("lang", language)


def _leaf(el: Element) -> bool:
    """Only inline content: copying it copies no other segment's block."""
    return all(local(d) is None or local(d) in _INLINE for d in el.iterdescendants())
