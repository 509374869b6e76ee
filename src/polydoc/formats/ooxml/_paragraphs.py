"""Paragraphs of Office Open XML (WordprocessingML `w:p`, DrawingML `a:p`) as tagged segments.

A dialect turns a paragraph's children into `Item`s: text under some run properties, or a
standalone thing (tab, image, field, bookmark) that becomes `<xN/>`. The text under the
paragraph's dominant formatting is plain; every other formatting becomes a `<gN>` span.
Rebuild walks the original again, creates one run per translated piece with the properties
of the span it sits in, puts the standalone things back where their tags are, and
recreates the containers (hyperlink, tracked insertion, content control) around them.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Protocol

from lxml import etree

from polydoc.formats._code_style import code_fonts
from polydoc.formats.base import Segment
from polydoc.segments import TagBuilder, parse_tagged, same_tags, translatable, well_formed

A = "http://schemas.openxmlformats.org/drawingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"

A_P, A_R, A_T, A_RPR = f"{{{A}}}p", f"{{{A}}}r", f"{{{A}}}t", f"{{{A}}}rPr"
A_PPR, A_END = f"{{{A}}}pPr", f"{{{A}}}endParaRPr"
A_DEF, A_LST, A_LATIN = f"{{{A}}}defRPr", f"{{{A}}}lstStyle", f"{{{A}}}latin"
MC_ALT, MC_CHOICE, MC_FALLBACK = f"{{{MC}}}AlternateContent", f"{{{MC}}}Choice", f"{{{MC}}}Fallback"

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# attributes of a:rPr that spell checkers and editors change without any visible effect
_DML_NOISE = frozenset(("lang", "altLang", "dirty", "err", "noProof", "smtClean", "smtId", "bmk"))

Element = etree._Element


def clean_xml(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (an engine may return them)."""
    return _NOT_XML.sub("", text)


@dataclass(slots=True)
class Leaf:
    """One node of a rebuilt paragraph, with the containers it sits in (outermost first).

    By default `node` is an original element moved as is. With `wrap`, it is a child split off
    a run and goes into a new run with `props`; with `text`, a run is created as it was.
    """

    node: Element | None
    chain: tuple[Element, ...] = ()
    props: Element | None = None
    wrap: bool = False
    text: str | None = None


@dataclass(slots=True)
class Item:
    """Text under one formatting (`text` set) or a standalone thing (`text` None)."""

    text: str | None
    tops: frozenset[int]  # indexes of the paragraph children it comes from
    key: str = ""  # formatting identity: canonical run properties and containers
    props: Element | None = None
    chain: tuple[Element, ...] = ()
    leaves: list[Leaf] = field(default_factory=list)
    whole: bool = False  # made of whole paragraph children only: may stay where it is
    origin: Element | None = None  # the run a text item is all of, kept when it is not translated
    mark: str = ""  # dialect bookkeeping (Word field characters)
    note: str = ""  # dialect bookkeeping (Word field instruction)

    def as_leaves(self) -> list[Leaf]:
        if self.text is None:
            return self.leaves
        if self.origin is not None:
            return [Leaf(self.origin, self.chain)]
        return [Leaf(None, self.chain, self.props, text=self.text)]


def merge_items(items: list[Item]) -> Item:
    """One standalone item made of several (a whole field, adjacent markers)."""
    leaves = [leaf for it in items for leaf in it.as_leaves()]
    whole = all(leaf.node is not None and not leaf.chain and not leaf.wrap for leaf in leaves)
    return Item(None, frozenset().union(*(it.tops for it in items)), leaves=leaves, whole=whole)


class Dialect(ABC):
    paragraph: str  # Clark name of a paragraph element
    # elements that record a revision (tracked insertion, deletion, move, formatting change)
    revisions: frozenset[str] = frozenset()

    def is_code(self, p: Element) -> bool:
        """A paragraph of code (code style, monospace font): kept exactly as it is."""
        return False

    @abstractmethod
    def items(self, p: Element) -> list[Item]:
        """The paragraph's content in order; property elements (pPr) are not items."""

    @abstractmethod
    def text_run(self, props: Element | None, text: str, lang: str | None) -> Element:
        """A new run with a copy of `props`, its language set to `lang` when given."""

    def wrap(self, props: Element | None, node: Element) -> Element:
        raise NotImplementedError

    def shell(self, container: Element) -> tuple[Element, Element]:
        """An empty copy of a container and the element its runs go into."""
        raise NotImplementedError

    @abstractmethod
    def finish(self, p: Element, lang: str) -> None:
        """Called after a paragraph was rebuilt (paragraph mark language)."""


def canonical(props: Element | None, noise: Callable[[str, str], bool]) -> str:
    """A string equal for run properties that look the same; `noise(tag, attribute)` says what
    to ignore (attribute "" asks about a whole element)."""
    if props is None:
        return ""
    parts = []
    for el in props.iterdescendants():
        if not isinstance(el.tag, str) or noise(el.tag, ""):
            continue
        attrs = sorted((k, v) for k, v in el.attrib.items() if not noise(el.tag, k))
        if attrs or len(el) or len(el.attrib) == 0:  # an element left with no attributes was noise
            parts.append(f"{el.tag}{attrs}")
    attrs = sorted((k, v) for k, v in props.attrib.items() if not noise(props.tag, k))
    return f"{attrs if attrs else ''}{'|'.join(parts)}"


@dataclass(slots=True)
class Paragraph:
    text: str  # tagged segment text without edge white space
    start: int  # paragraph children [start, end) are replaced on rebuild
    end: int
    base: Item
    spans: dict[int, Item]
    standalones: dict[int, Item]
    lead: str = ""
    trail: str = ""
    lead_item: Item | None = None  # where the edge white space comes from (an inserted space)
    trail_item: Item | None = None
    prefix: list[Item] = field(default_factory=list)  # standalone things before the text
    suffix: list[Item] = field(default_factory=list)  # and after it


def analyse(p: Element, dialect: Dialect) -> Paragraph | None:
    items = dialect.items(p)
    lo, hi = 0, len(items)
    while lo < hi and items[lo].text is None and items[lo].whole:
        lo += 1
    while hi > lo and items[hi - 1].text is None and items[hi - 1].whole:
        hi -= 1
    items = _merge_adjacent_standalones(items[lo:hi])
    texts = [it for it in items if it.text is not None]
    if not any(it.text and it.text.strip() for it in texts):
        return None
    tops = set().union(*(it.tops for it in items))
    # standalone things at the edges are put back around the translation, not offered as tags
    prefix = items[:1] if items[0].text is None else []
    suffix = items[-1:] if items[-1].text is None else []
    items = items[len(prefix) : len(items) - len(suffix)]
    weight: Counter[str] = Counter()
    for it in [it for it in texts if not it.chain] or texts:  # a link is a span, not the base
        weight[it.key] += len(it.text or "")
    base_key = max(weight, key=lambda k: weight[k])
    base = next(it for it in texts if it.key == base_key)
    first, last = items[0].text, items[-1].text
    lead = first[: len(first) - len(first.lstrip())] if first is not None else ""
    trail = last[len(last.rstrip()) :] if last is not None else ""
    builder, by_key = TagBuilder(), {}
    for i, it in enumerate(items):
        if it.text is None:
            builder.add_standalone(it)
            continue
        text = it.text[len(lead) :] if i == 0 else it.text
        if i == len(items) - 1 and trail:
            text = text[: len(text) - len(trail)]
        key = None if it.key == base_key else it.key
        builder.add(text, key)
        by_key.setdefault(key, it)
    return Paragraph(
        text=builder.text(),
        start=min(tops),
        end=max(tops) + 1,
        base=base,
        spans={n: by_key[k] for n, k in builder.spans.items()},
        standalones=dict(builder.standalones),  # type: ignore[arg-type]
        lead=lead,
        trail=trail,
        lead_item=items[0] if lead else None,
        trail_item=items[-1] if trail else None,
        prefix=prefix,
        suffix=suffix,
    )


def _merge_adjacent_standalones(items: list[Item]) -> list[Item]:
    out: list[Item] = []
    for it in items:
        if it.text is None and out and out[-1].text is None:
            out[-1] = merge_items([out[-1], it])
        else:
            out.append(it)
    return out


_TAGS_LOST = "the translation lost or moved inline formatting tags; its text was kept with the paragraph's main formatting"
_REVISIONS_KEPT = (
    "the translation lost or moved inline formatting tags around tracked changes; the source was kept"
)


def rebuild_paragraph(
    p: Element, para: Paragraph, translated: str, dialect: Dialect, lang: str
) -> str | None:
    """Replace the paragraph's content by the translation; a warning when tags had to be dropped.

    Edge white space goes back into the run it came from (a space inserted with change
    tracking stays in its w:ins). A paragraph with tracked changes whose tags were lost is not
    changed: a revision is never turned into plain text.
    """
    ok = same_tags(para.text, translated) and well_formed(translated)
    if not ok and _has_revisions(para, dialect):
        return _REVISIONS_KEPT
    leaves: list[Leaf] = []
    pending: list[tuple[Item, str]] = [(it, "") for it in para.prefix]

    def add(tmpl: Item, text: str) -> None:
        if pending and pending[-1][0] is tmpl and pending[-1][1]:
            pending[-1] = (tmpl, pending[-1][1] + text)
        elif text:
            pending.append((tmpl, text))

    add(para.lead_item or para.base, para.lead)
    used: set[int] = set()
    for piece in parse_tagged(clean_xml(translated).strip()):
        if piece.standalone is not None:
            item = para.standalones.get(piece.standalone)
            if item is not None and piece.standalone not in used:
                used.add(piece.standalone)
                pending.append((item, ""))
            continue
        add(para.spans.get(piece.open_ids[-1], para.base) if ok and piece.open_ids else para.base, piece.text)
    if not ok:  # never lose an image or a footnote reference because the engine dropped its tag
        pending.extend((it, "") for n, it in para.standalones.items() if n not in used)
    add(para.trail_item or para.base, para.trail)
    pending.extend((it, "") for it in para.suffix)
    for item, text in pending:
        if item.text is None:
            leaves.extend(item.leaves)
        else:
            leaves.append(Leaf(dialect.text_run(item.props, text, lang), item.chain))
    old = list(p)[para.start : para.end]
    anchor = p[para.start - 1] if para.start > 0 else None
    nodes = _assemble(leaves, dialect)
    for child in old:
        if child.getparent() is p:
            p.remove(child)
    at = p.index(anchor) + 1 if anchor is not None else 0
    for i, node in enumerate(nodes):
        p.insert(at + i, node)
    dialect.finish(p, lang)
    return None if ok else _TAGS_LOST


def _has_revisions(para: Paragraph, dialect: Dialect) -> bool:
    if not dialect.revisions:
        return False
    items = [para.base, *para.spans.values(), *para.standalones.values(), para.lead_item, para.trail_item]
    for it in filter(None, items):
        nodes = [leaf.node for leaf in it.leaves if leaf.node is not None]
        if it.props is not None:
            nodes.append(it.props)
        chains = [it.chain, *(leaf.chain for leaf in it.leaves)]
        if any(c.tag in dialect.revisions for chain in chains for c in chain):
            return True
        if any(next(n.iter(*dialect.revisions), None) is not None for n in nodes):
            return True
    return False


def _assemble(leaves: list[Leaf], dialect: Dialect) -> list[Element]:
    """Top-level nodes for the leaves, with consecutive leaves of one container sharing a shell."""
    out: list[Element] = []
    stack: list[tuple[Element, Element]] = []  # (original container, where its content goes)
    for leaf in leaves:
        if leaf.text is not None:
            node = dialect.text_run(leaf.props, leaf.text, None)
        elif leaf.wrap and leaf.node is not None:
            node = dialect.wrap(leaf.props, leaf.node)
        else:
            assert leaf.node is not None
            node = leaf.node
        k = 0
        while k < len(stack) and k < len(leaf.chain) and stack[k][0] is leaf.chain[k]:
            k += 1
        del stack[k:]
        for container in leaf.chain[k:]:
            shell, inner = dialect.shell(container)
            (stack[-1][1] if stack else out).append(shell)
            stack.append((container, inner))
        (stack[-1][1] if stack else out).append(node)
    return out


@dataclass(slots=True)
class _Slot:
    id: str
    source_id: str  # the paragraph whose translation it takes (itself, or its Choice twin)
    p: Element
    para: Paragraph | None


def _slots(
    part: str, root: Element, dialect: Dialect, skip: Callable[[Element], bool] | None
) -> Iterator[_Slot]:
    """Every paragraph of a part in document order, analysed as it is reached (extraction streams).

    The Fallback copy of an mc:AlternateContent (the VML text box Word writes next to the
    DrawingML one) takes the translation of its twin in the Choice when both read the same.
    Nothing may change the part while this runs: `rebuild_part` takes the whole list first.
    """
    paras = list(root.iter(dialect.paragraph))
    index = {p: i for i, p in enumerate(paras)}
    early: dict[int, Paragraph | None] = {}  # twins analysed ahead of their turn

    def analysed(i: int) -> Paragraph | None:
        if i not in early:
            skipped = (skip is not None and skip(paras[i])) or dialect.is_code(paras[i])
            early[i] = None if skipped else analyse(paras[i], dialect)
        return early[i]

    twin: dict[int, int] = {}
    for alt in reversed(list(root.iter(MC_ALT))):  # inner ones first
        choice, fallback = alt.find(MC_CHOICE), alt.find(MC_FALLBACK)
        if choice is None or fallback is None:
            continue
        chosen = [index[c] for c in choice.iter(dialect.paragraph)]
        fallen = [index[f] for f in fallback.iter(dialect.paragraph)]
        if len(chosen) != len(fallen):
            continue
        if all(_text(analysed(c)) == _text(analysed(f)) for c, f in zip(chosen, fallen, strict=True)):
            for c, f in zip(chosen, fallen, strict=True):
                twin[f] = twin.get(c, c)
    for i, p in enumerate(paras):
        para = analysed(i)
        del early[i]
        yield _Slot(f"{part}#p{i}", f"{part}#p{twin.get(i, i)}", p, para)


def _text(para: Paragraph | None) -> str | None:
    return para.text if para is not None else None


class Interleave(Protocol):
    """Bilingual output: which paragraphs keep a source copy, and how the two are joined."""

    def wants(self, p: Element) -> bool: ...

    def join(self, source: Element, translated: Element) -> None: ...


@dataclass(frozen=True, slots=True)
class TextPart:
    """A part whose paragraphs are translated."""

    name: str
    dialect: Dialect
    skip: Callable[[Element], bool] | None = None  # paragraphs that are not content
    context: Callable[[Element], str] | None = None
    chart: bool = False  # also the chart's series and category names
    bilingual: Interleave | None = None  # set in bilingual output mode


def part_segments(part: TextPart, root: Element) -> Iterator[Segment]:
    for slot in _slots(part.name, root, part.dialect, part.skip):
        if slot.para is not None and slot.source_id == slot.id and translatable(slot.para.text):
            yield Segment(slot.id, slot.para.text, part.context(slot.p) if part.context else "")


def rebuild_part(
    part: TextPart, root: Element, translations: Mapping[str, str], lang: str, warnings: list[str]
) -> bool:
    """Translate the part's paragraphs in place; True when anything changed."""
    changed = False
    for slot in list(_slots(part.name, root, part.dialect, part.skip)):  # analysed before any change
        translated = translations.get(slot.source_id)
        if slot.para is None or not translated or not translated.strip():
            continue
        keep = part.bilingual is not None and part.bilingual.wants(slot.p)
        source = deepcopy(slot.p) if keep else None  # before the paragraph changes
        warning = rebuild_paragraph(slot.p, slot.para, translated, part.dialect, lang)
        if warning is not None:
            warnings.append(f"{slot.id}: {warning}")
        if source is not None and part.bilingual is not None and warning != _REVISIONS_KEPT:
            part.bilingual.join(source, slot.p)
        changed = changed or warning != _REVISIONS_KEPT
    return changed


class DrawingML(Dialect):
    """`a:p` paragraphs: slides, notes, tables, charts and SmartArt."""

    paragraph = A_P

    def is_code(self, p: Element) -> bool:
        """All its text in a monospace typeface (a:latin of the run, the paragraph's or the
        text body's level defaults); theme fonts (+mn-lt) are not."""
        fonts = [_dml_font(p, r) for r in p.iterchildren(A_R) if (r.findtext(A_T) or "").strip()]
        return code_fonts(fonts, None)

    def items(self, p: Element) -> list[Item]:
        out = []
        for i, child in enumerate(p):
            if not isinstance(child.tag, str) or child.tag in (A_PPR, A_END):
                continue
            if child.tag == A_R:
                props, t = child.find(A_RPR), child.find(A_T)
                text = (t.text or "") if t is not None else ""
                out.append(Item(text, frozenset((i,)), key=canonical(props, _dml_noise), props=props))
            else:  # a:br, a:fld (slide number, date), equations
                out.append(Item(None, frozenset((i,)), leaves=[Leaf(child)], whole=True))
        return out

    def text_run(self, props: Element | None, text: str, lang: str | None) -> Element:
        run = etree.Element(A_R)
        rpr = deepcopy(props) if props is not None else etree.Element(A_RPR)
        if lang:
            rpr.set("lang", lang)
            rpr.attrib.pop("err", None)
        if len(rpr) or rpr.attrib:
            run.append(rpr)
        etree.SubElement(run, A_T).text = text
        return run

    def finish(self, p: Element, lang: str) -> None:
        end = p.find(A_END)
        if end is not None:
            end.set("lang", lang)
            end.attrib.pop("err", None)


def _dml_noise(tag: str, attribute: str) -> bool:
    return attribute in _DML_NOISE


def _dml_font(p: Element, r: Element) -> str | None:
    ppr = p.find(A_PPR)
    level = int(ppr.get("lvl", "0")) + 1 if ppr is not None and ppr.get("lvl", "0").isdigit() else 1
    places = [r.find(A_RPR), ppr.find(A_DEF) if ppr is not None else None]
    body = p.getparent()
    styles = body.find(A_LST) if body is not None else None
    if styles is not None:
        places.append(styles.find(f"{{{A}}}lvl{level}pPr/{A_DEF}"))
    for props in places:
        latin = props.find(A_LATIN) if props is not None else None
        if latin is not None and latin.get("typeface"):
            return latin.get("typeface")
    return None
