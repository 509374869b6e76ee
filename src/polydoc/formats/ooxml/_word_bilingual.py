"""Bilingual Word output: each paragraph as it was, followed by its translation in grey italic.

The source copy is taken before the paragraph is translated, so it keeps every run, link and
image. Things that must stay unique in a document stay on the translated paragraph only (the
original element): section breaks, bookmarks, comment anchors, note references and paragraph
ids. A list item stays one paragraph (a second one would be numbered too): the source, a line
break, the translation. Paragraphs in text boxes (fixed size) and those a multi-paragraph field
runs through (a table of contents) keep the plain translated mode.
"""

from __future__ import annotations

from lxml import etree

from polydoc.formats.ooxml._paragraphs import Element
from polydoc.formats.ooxml._wordml import W_P, W_PPR, W_R, W_RPR, w

GREY = "666666"
# children of w:rPr in schema order (CT_RPr): Word refuses a document whose order is wrong
_RPR_ORDER = [
    w(n)
    for n in (
        "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss imprint noProof "
        "snapToGrid vanish webHidden color spacing w kern position sz szCs highlight u effect bdr shd "
        "fitText vertAlign rtl cs em lang eastAsianLayout specVanish oMath"
    ).split()
]
_PPR_ORDER = [w(n) for n in ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl")]
_PPR_ORDER += [w("numPr")]
_UNIQUE = frozenset(
    map(w, ("bookmarkStart", "bookmarkEnd", "commentRangeStart", "commentRangeEnd", "permStart", "permEnd"))
)
_UNIQUE_RUNS = frozenset(
    map(
        w,
        (
            "commentReference",
            "footnoteReference",
            "endnoteReference",
            "footnoteRef",
            "endnoteRef",
            "annotationRef",
        ),
    )
)
_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


class WordInterleave:
    """The `TextPart.bilingual` of WordprocessingML parts; `styles` is the styles part."""

    def __init__(self, styles: Element | None = None) -> None:
        self.numbered = numbered_styles(styles)

    def wants(self, p: Element) -> bool:
        if any(a.tag == w("txbxContent") for a in p.iterancestors()):
            return False
        marks = [c.get(w("fldCharType")) for c in p.iter(w("fldChar"))]
        return marks.count("begin") == marks.count("end")

    def join(self, source: Element, translated: Element) -> None:
        _clean_copy(source)
        for run in translated.iter(W_R):
            if next(run.iterancestors(W_P), None) is translated:
                rpr = run.find(W_RPR)
                if rpr is None:
                    rpr = etree.Element(W_RPR)
                    run.insert(0, rpr)
                _set(rpr, w("i"), {}, _RPR_ORDER)
                _set(rpr, w("color"), {w("val"): GREY}, _RPR_ORDER)
        if self._numbered(translated):  # one list item: the source, a line break, the translation
            at = 1 if len(translated) and translated[0].tag == W_PPR else 0
            br = etree.Element(W_R)
            etree.SubElement(br, w("br"))
            for k, child in enumerate([c for c in source if c.tag != W_PPR] + [br]):
                translated.insert(at + k, child)
            return
        _set(_ppr(source), w("keepNext"), {}, _PPR_ORDER)  # source and translation on one page
        translated.addprevious(source)

    def _numbered(self, p: Element) -> bool:
        num = p.find(f"{W_PPR}/{w('numPr')}/{w('numId')}")
        if num is not None:
            return num.get(w("val")) != "0"
        style = p.find(f"{W_PPR}/{w('pStyle')}")
        return style is not None and style.get(w("val")) in self.numbered


def numbered_styles(styles: Element | None) -> frozenset[str]:
    """Paragraph styles that number their paragraphs (List Number…), through basedOn too."""
    own: dict[str, bool | None] = {}
    based: dict[str, str] = {}
    for style in styles.iter(w("style")) if styles is not None else ():
        sid = style.get(w("styleId"))
        if not sid or style.get(w("type")) != "paragraph":
            continue
        num = style.find(f"{W_PPR}/{w('numPr')}/{w('numId')}")
        own[sid] = None if num is None else num.get(w("val")) != "0"
        parent = style.find(w("basedOn"))
        if parent is not None:
            based[sid] = parent.get(w("val"), "")

    def numbered(sid: str, seen: frozenset[str] = frozenset()) -> bool:
        if own.get(sid) is not None:
            return bool(own[sid])
        parent = based.get(sid)
        return parent is not None and parent not in seen and numbered(parent, seen | {sid})

    return frozenset(sid for sid in own if numbered(sid))


def _clean_copy(p: Element) -> None:
    sect = p.find(f"{W_PPR}/{w('sectPr')}")
    if sect is not None:
        sect.getparent().remove(sect)
    for el in list(p.iter(*_UNIQUE)):
        el.getparent().remove(el)
    for el in list(p.iter(*_UNIQUE_RUNS)):
        run = el.getparent()
        if run is not None and run.tag == W_R and run.getparent() is not None:
            run.getparent().remove(run)
    for name in ("paraId", "textId"):
        p.attrib.pop(f"{{{_W14}}}{name}", None)


def _ppr(p: Element) -> Element:
    ppr = p.find(W_PPR)
    if ppr is None:
        ppr = etree.Element(W_PPR)
        p.insert(0, ppr)
    return ppr


def _set(parent: Element, tag: str, attrs: dict[str, str], order: list[str]) -> None:
    """Set a property element, inserted where the schema order wants it."""
    el = parent.find(tag)
    if el is None:
        el = etree.Element(tag)
        rank = order.index(tag)
        later = next((c for c in parent if c.tag in order and order.index(c.tag) > rank), None)
        # children the list leaves out come after all it names (pPr: ind, jc, rPr…; rPr: rPrChange)
        later = later if later is not None else next((c for c in parent if c.tag not in order), None)
        if later is not None:
            later.addprevious(el)
        else:
            parent.append(el)
    for key in list(el.attrib):
        del el.attrib[key]
    for key, value in attrs.items():
        el.set(key, value)
