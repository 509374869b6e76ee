"""WordprocessingML paragraphs (`w:p`) for the shared OOXML paragraph engine.

Runs are flattened through their containers (hyperlink, tracked insertion, smart tag,
inline content control, a HYPERLINK-like simple field), which are recreated around the
translated runs. Fields that compute their result (PAGE, DATE, SEQ…) become one `<xN/>`;
other fields keep their code as `<xN/>` and translate their visible result. Deleted text
(w:del, w:moveFrom), bookmarks and comment ranges in the middle of a paragraph are `<xN/>`; at
its edges they stay where they are. Tracked insertions and moves (w:ins, w:moveTo) keep their
translated text inside them, formatting changes (w:rPrChange) stay on the runs. Paragraphs in
a code style or a monospace font are not translated, and a run in a code character style is
one `<xN/>` kept as it is (`_wordstyles.py`). Spell-check marks and rendering hints are dropped.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass

from lxml import etree

from polydoc.formats.ooxml._paragraphs import Dialect, Element, Item, Leaf, canonical, merge_items
from polydoc.formats.ooxml._wordstyles import WordStyles

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"


def w(name: str) -> str:
    return f"{{{W}}}{name}"


W_P, W_R, W_T, W_RPR, W_PPR, W_LANG = w("p"), w("r"), w("t"), w("rPr"), w("pPr"), w("lang")
W_SDT, W_SDT_CONTENT, W_FLD_SIMPLE = w("sdt"), w("sdtContent"), w("fldSimple")
W_FLD_CHAR, W_INSTR = w("fldChar"), w("instrText")
W_NO_BREAK_HYPHEN = w("noBreakHyphen")
W_RPR_CHANGE = w("rPrChange")

_CONTAINERS = frozenset(map(w, ("hyperlink", "ins", "moveTo", "smartTag", "customXml", "dir", "bdo", "sdt")))
_CONTAINER_PROPS = frozenset(map(w, ("sdtPr", "sdtEndPr", "smartTagPr", "customXmlPr")))
# spell-check marks and layout caches: Word recomputes them, and they would split the text
_DROPPED = frozenset(map(w, ("proofErr", "softHyphen", "lastRenderedPageBreak")))
_NOISE_ELEMENTS = frozenset(map(w, ("lang", "noProof")))
_HINT, _RSID = w("hint"), w("rsid")
_AFTER_LANG = frozenset(map(w, ("eastAsianLayout", "specVanish", "oMath", "rPrChange")))
# fields whose result Word computes: the result is kept as it is, inside one <xN/>
_COMPUTED_FIELDS = frozenset(
    "PAGE NUMPAGES SECTIONPAGES SECTION DATE TIME CREATEDATE SAVEDATE PRINTDATE EDITTIME FILENAME "
    "FILESIZE NUMWORDS NUMCHARS REVNUM SEQ PAGEREF NOTEREF LISTNUM AUTONUM AUTONUMLGL AUTONUMOUT "
    "SYMBOL EQ MERGEFIELD MERGEREC MERGESEQ BARCODE DISPLAYBARCODE AUTHOR LASTSAVEDBY USERNAME "
    "USERINITIALS USERADDRESS TEMPLATE INCLUDEPICTURE INCLUDETEXT ADVANCE FORMCHECKBOX FORMDROPDOWN "
    "DOCVARIABLE".split()
)
_FIELD_NAME = re.compile(r"\s*(=|[A-Za-z]+)")


def computed_field(instr: str) -> bool:
    m = _FIELD_NAME.match(instr)
    return bool(m) and (m.group(1) == "=" or m.group(1).upper() in _COMPUTED_FIELDS)


class WordML(Dialect):
    paragraph = W_P
    revisions = frozenset(map(w, ("ins", "del", "moveFrom", "moveTo", "rPrChange")))

    def __init__(self, styles: WordStyles | None = None) -> None:
        self.styles = styles or WordStyles()

    def is_code(self, p: Element) -> bool:
        return self.styles.code_paragraph(p)

    def items(self, p: Element) -> list[Item]:
        raw: list[Item] = []
        for i, child in enumerate(p):
            self._walk(child, frozenset((i,)), (), raw)
        return _fields(raw)

    def _walk(self, el: Element, top: frozenset[int], chain: tuple[Element, ...], out: list[Item]) -> None:
        tag = el.tag
        if not isinstance(tag, str) or tag in _DROPPED or tag in _CONTAINER_PROPS or tag == W_PPR:
            return
        if tag == W_R:
            self._run(el, top, chain, out)
        elif tag in _CONTAINERS or (tag == W_FLD_SIMPLE and not computed_field(el.get(w("instr"), ""))):
            content = el.find(W_SDT_CONTENT) if tag == W_SDT else el
            if content is None:  # a content control without content: keep it as it is
                out.append(Item(None, top, leaves=[Leaf(el, chain)], whole=not chain))
            for child in content if content is not None else ():
                self._walk(child, top, (*chain, el), out)
        else:  # w:del, computed fields, bookmarks, comment ranges, equations
            out.append(Item(None, top, leaves=[Leaf(el, chain)], whole=not chain))

    def _run(self, r: Element, top: frozenset[int], chain: tuple[Element, ...], out: list[Item]) -> None:
        props = r.find(W_RPR)
        kids = [c for c in r if isinstance(c.tag, str) and c.tag != W_RPR and c.tag not in _DROPPED]
        if not any(c.tag in (W_T, W_NO_BREAK_HYPHEN) for c in kids) or self.styles.code_run(r):
            # a tab, an image, a note mark, inline code: kept as it is
            out.append(_field_marks(Item(None, top, leaves=[Leaf(r, chain)], whole=not chain), kids))
            return
        key = canonical(props, _noise) + "|" + ",".join(str(id(c)) for c in chain)
        made: list[Item] = []
        for child in kids:
            if child.tag in (W_T, W_NO_BREAK_HYPHEN):
                text = (child.text or "") if child.tag == W_T else "\u2011"
                if made and made[-1].text is not None:
                    made[-1].text += text
                else:
                    made.append(Item(text, top, key=key, props=props, chain=chain))
            else:
                leaf = Leaf(child, chain, props, wrap=True)
                made.append(_field_marks(Item(None, top, leaves=[leaf]), [child]))
        if len(made) == 1:
            made[0].origin = r
        out.extend(made)

    def text_run(self, props: Element | None, text: str, lang: str | None) -> Element:
        run = etree.Element(W_R)
        if props is not None:
            run.append(deepcopy(props))
        elif lang:
            etree.SubElement(run, W_RPR)
        if lang:
            set_lang(run[0], lang)
            for old in run[0].iterfind(f"{W_RPR_CHANGE}/{W_RPR}"):  # the change it records stays the same
                set_lang(old, lang)
        t = etree.SubElement(run, W_T)
        t.text = text
        if text != text.strip():
            t.set(XML_SPACE, "preserve")
        return run

    def wrap(self, props: Element | None, node: Element) -> Element:
        run = etree.Element(W_R)
        if props is not None:
            run.append(deepcopy(props))
        run.append(node)
        return run

    def shell(self, container: Element) -> tuple[Element, Element]:
        shell = etree.Element(container.tag, dict(container.attrib))
        for child in container:
            if child.tag in _CONTAINER_PROPS:
                shell.append(deepcopy(child))
        if container.tag == W_SDT:
            return shell, etree.SubElement(shell, W_SDT_CONTENT)
        return shell, shell

    def finish(self, p: Element, lang: str) -> None:
        mark = p.find(f"{W_PPR}/{W_RPR}")
        if mark is not None:
            set_lang(mark, lang)


def set_lang(rpr: Element, lang: str) -> None:
    """Set w:lang/@w:val (Latin text); the East Asian and bidi languages stay as they are."""
    el = rpr.find(W_LANG)
    if el is None:
        later = next((c for c in rpr if c.tag in _AFTER_LANG), None)
        el = etree.SubElement(rpr, W_LANG)
        if later is not None:
            later.addprevious(el)
    el.set(w("val"), lang)


def set_default_lang(styles: Element, lang: str) -> bool:
    rpr = styles.find(f"{w('docDefaults')}/{w('rPrDefault')}/{W_RPR}")
    if rpr is None:
        return False
    set_lang(rpr, lang)
    return True


def _noise(tag: str, attribute: str) -> bool:
    if not attribute:
        return tag in _NOISE_ELEMENTS
    return attribute == _HINT or attribute.startswith(_RSID)


def _field_marks(item: Item, kids: list[Element]) -> Item:
    for child in kids:
        if child.tag == W_FLD_CHAR:
            item.mark = child.get(w("fldCharType"), "")
        elif child.tag == W_INSTR:
            item.mark = item.mark or "instr"
            item.note += child.text or ""
    return item


@dataclass(slots=True)
class _Field:
    start: int
    separate: int | None = None
    instr: str = ""


def _fields(raw: list[Item]) -> list[Item]:
    """Fold complex fields (w:fldChar begin … separate … end) into standalone items."""
    out: list[Item] = []
    stack: list[_Field] = []
    for item in raw:
        if item.mark == "begin":
            stack.append(_Field(len(out)))
        elif item.mark == "separate" and stack:
            stack[-1].separate = len(out)
        elif item.mark == "instr" and stack and stack[-1].separate is None:
            stack[-1].instr += item.note
        out.append(item)
        if item.mark == "end" and stack:
            f = stack.pop()
            if f.separate is None or computed_field(f.instr):
                _fold(out, f.start, len(out))
            else:  # code as one <xN/>, visible result translated, end as another <xN/>
                _fold(out, f.start, f.separate + 1)
    for f in reversed(stack):  # fields that go on in the next paragraph (a table of contents)
        _fold(out, f.start, f.separate + 1 if f.separate is not None else len(out))
    return out


def _fold(items: list[Item], start: int, end: int) -> None:
    items[start:end] = [merge_items(items[start:end])]
