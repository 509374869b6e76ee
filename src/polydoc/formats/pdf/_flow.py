"""Paragraphs that run on across a column or page break: one segment for both parts.

The last block of a column (or of a page, in reading order) continues in the first block of
the next column (or page) when it does not end a sentence, its last line is full (the next
word would not have fitted) and the next part is body text of the same look: same size,
family, weight, not a heading, caption, list item or table cell, and not indented as a new
paragraph. The pair is one segment `p<page>#b<i>+p<page>#b<j>`; every other id stays. A
block joins at most one other, so a paragraph is cut at most once.

The second part's tags are renumbered after the first's. A rebuild splits the translation
back by the share of source characters in each part, at a word boundary (any character in
text without spaces), closing the spans open at the cut and reopening them after it. Pages
stream with one page of look-ahead: a page's last block waits for the next page's first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import TypeVar

from polydoc.formats.pdf._chars import Rect
from polydoc.formats.pdf._layout import _BULLET, Block
from polydoc.formats.pdf._page import PageText, segment_id
from polydoc.formats.pdf._text import BlockText
from polydoc.segments import TAG, parse_tagged, same_tags, strip_tags, well_formed

_ENDS = re.compile(r"[.!?:;…。！？：；‼⁇][\"'”’»)\]）」』]*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]")
_EDGE = ("header", "footer")
P = TypeVar("P")  # a page as `_document` reads it: text, scan or unreadable
_CLOSING = frozenset("。，、．！？：；」』）】〉》”’)]},.!?:;")


@dataclass(slots=True, eq=False)
class Pair:
    """Block `i` of `first` goes on in block `j` of `second` (the same page for columns).
    Its segment text is taken when the pair is found, before a rebuild changes the parts."""

    first: PageText
    i: int
    second: PageText
    j: int
    offset: int = field(init=False)  # how far the second part's tag numbers move
    text: str = field(init=False)

    def __post_init__(self) -> None:
        bt = self.first.texts[self.i]
        self.offset = max([0, *bt.spans, *bt.protected])
        a = bt.text
        b = _shift(self.second.texts[self.j].text, self.offset)
        if a.endswith("-") and a[-2:-1].isalpha() and b[:1].islower():
            self.text = a[:-1] + b  # a word hyphenated at the break
        elif _CJK.match(a[-1:]) or _CJK.match(b[:1]):
            self.text = a + b
        else:
            self.text = f"{a} {b}"

    @property
    def sid(self) -> str:
        a, b = self.first.blocks[self.i], self.second.blocks[self.j]
        return f"{segment_id(self.first.number, a)}+{segment_id(self.second.number, b)}"


def _shift(text: str, by: int) -> str:
    def move(m: re.Match[str]) -> str:
        if m.group(3) is not None:
            return f"<x{int(m.group(3)) + by}/>"
        return f"<{m.group(1)}g{int(m.group(2)) + by}>"

    return TAG.sub(move, text) if by else text


def ends_sentence(text: str) -> bool:
    return bool(_ENDS.search(strip_tags(text).rstrip()))


def _continues(a: Block, bta: BlockText, b: Block, btb: BlockText) -> bool:
    if not (bta.translatable and btb.translatable) or a.context or b.context:
        return False
    if ends_sentence(bta.text) or not a.lines or not b.lines:
        return False
    last, first = a.lines[-1], b.lines[0]
    size = max(a.size, b.size)
    if not 0.9 <= b.size / (a.size or 1.0) <= 1.1:
        return False
    if last.bold != first.bold or last.kind != first.kind or last.family != first.family:
        return False
    if (bta.base.family, bta.base.bold, bta.base.italic) != (btb.base.family, btb.base.bold, btb.base.italic):
        return False
    if _BULLET.match(first.text.lstrip()):
        return False  # a list item starts (the first part may be one: it goes on)
    if len(b.lines) >= 2 and first.x0 > b.lines[1].x0 + 0.8 * size:
        return False  # an indented first line starts a paragraph
    if last.x1 - last.x0 < 0.7 * max(a.x1 - a.x0, b.x1 - b.x0):
        return False  # a short line, such as a label set at the right margin
    return a.limit - last.x1 <= first.first_word + 0.5 * size  # the next word did not fit


def _in_cell(block: Block, rules: list[Rect]) -> bool:
    """Between ruled walls: a table cell, just left of its text and anywhere right of it."""
    walls = [
        (r[0] + r[2]) / 2
        for r in rules
        if r[2] - r[0] < 2.5 and r[3] - r[1] > 2 and r[1] < block.y1 and r[3] > block.y0
    ]
    return any(block.x0 - 2 * block.size <= x <= block.x0 + 0.5 for x in walls) and any(
        x >= block.x1 - 0.5 for x in walls
    )


def _overlap(a: Block, b: Block) -> bool:
    return min(a.x1, b.x1) - max(a.x0, b.x0) > 0


def _column_break(page: PageText, k: int) -> bool:
    """Blocks k and k+1 end one column and start the next."""
    a, b = page.blocks[k], page.blocks[k + 1]
    if b.x0 < a.x1 - 1 or b.y1 <= a.y0:
        return False
    width_a, width_b = a.x1 - a.x0, b.x1 - b.x0
    if not 0.6 <= width_b / (width_a or 1.0) <= 1.6:
        return False
    for c in page.blocks:
        if c is a or c is b or c.context in _EDGE:
            continue
        if _overlap(c, a) and not _overlap(c, b) and c.y1 < a.y0:
            return False  # something below the first part in its column
        if _overlap(c, b) and not _overlap(c, a) and c.y0 > b.y1:
            return False  # something above the second part in its column
    top, bottom = max(a.y1, b.y1), min(a.y0, b.y0)
    return not any(
        r[2] - r[0] < 2.5
        and r[3] - r[1] > 2
        and a.x1 - 1 <= r[0] <= b.x0 + 1
        and r[1] < top
        and r[3] > bottom
        for r in page.content.rules
    )  # a ruled wall between them: table cells


def _column_pairs(page: PageText, taken: set[int]) -> list[Pair]:
    out: list[Pair] = []
    for k in range(len(page.blocks) - 1):
        if k in taken or k + 1 in taken:
            continue
        a, b = page.blocks[k], page.blocks[k + 1]
        if _in_cell(a, page.content.rules) or _in_cell(b, page.content.rules):
            continue
        if _column_break(page, k) and _continues(a, page.texts[k], b, page.texts[k + 1]):
            out.append(Pair(page, k, page, k + 1))
            taken |= {k, k + 1}
    return out


def _body(page: PageText, positions: range) -> int | None:
    """The first of `positions` holding text other than a running header or footer."""
    for k in positions:
        if page.texts[k].translatable and page.blocks[k].context not in _EDGE:
            return k
    return None


def _page_pair(page: PageText, nxt: PageText, taken: set[int]) -> Pair | None:
    i = _body(page, range(len(page.blocks) - 1, -1, -1))
    j = _body(nxt, range(len(nxt.blocks)))
    if i is None or j is None or i in taken:
        return None
    if _in_cell(page.blocks[i], page.content.rules) or _in_cell(nxt.blocks[j], nxt.content.rules):
        return None
    if not _continues(page.blocks[i], page.texts[i], nxt.blocks[j], nxt.texts[j]):
        return None
    return Pair(page, i, nxt, j)


@dataclass(slots=True)
class Flow:
    """One page's share of the joins: pairs starting on it, and blocks already in a pair."""

    pairs: list[Pair]
    skip: set[int]

    def segments(self, page: PageText) -> Iterator[tuple[str, str, str]]:
        starts = {p.i: p for p in self.pairs}
        for k, (block, bt) in enumerate(zip(page.blocks, page.texts, strict=True)):
            if k in self.skip or not bt.translatable:
                continue
            pair = starts.get(k)
            if pair is None:
                yield segment_id(page.number, block), bt.text, block.context
            else:
                yield pair.sid, pair.text, block.context


def flows(stream: Iterator[tuple[int, P, P]]) -> Iterator[tuple[int, P, Flow]]:
    """(index, page, next page) -> (index, page, its joins). Only text pages join."""
    incoming: set[int] = set()
    for index, page, nxt in stream:
        if not isinstance(page, PageText):
            incoming = set()
            yield index, page, Flow([], set())
            continue
        taken = set(incoming)
        pairs = _column_pairs(page, taken)
        skip = incoming | {p.j for p in pairs}
        incoming = set()
        if isinstance(nxt, PageText):
            pair = _page_pair(page, nxt, taken)
            if pair is not None:
                pairs.append(pair)
                incoming = {pair.j}
        yield index, page, Flow(pairs, skip)


def _merged(pair: Pair, part: int) -> BlockText:
    """A part's block text that knows the tags of both parts, its own renumbered."""
    a, b = pair.first.texts[pair.i], pair.second.texts[pair.j]
    by = pair.offset
    spans = {**a.spans, **{n + by: s for n, s in b.spans.items()}}
    protected = {**a.protected, **{n + by: p for n, p in b.protected.items()}}
    own = a if part == 0 else replace(b, text=_shift(b.text, by))
    return replace(own, spans=spans, protected=protected, whole=True)


def apply(pair: Pair, translation: str) -> tuple[str, str, bool]:
    """Give each part its block text for drawing and return the two translation parts, and
    whether the translation's tags were intact."""
    source = pair.text
    ok = same_tags(source, translation) and well_formed(translation)
    if not ok:  # keep known placeholders, drop spans, bring back what the engine lost
        a, b = pair.first.texts[pair.i], pair.second.texts[pair.j]
        known = {*a.protected, *(n + pair.offset for n in b.protected)}
        present = {p.standalone for p in parse_tagged(translation) if p.standalone is not None}
        kept = [
            f"<x{p.standalone}/>" if p.standalone is not None else p.text
            for p in parse_tagged(translation)
            if p.standalone is None or p.standalone in known
        ]
        translation = "".join(kept) + "".join(f" <x{n}/>" for n in sorted(known - present))
    len_a = len(strip_tags(pair.first.texts[pair.i].text))
    len_b = len(strip_tags(pair.second.texts[pair.j].text))
    first, second = split(translation, len_a / max(1, len_a + len_b))
    merged = _merged(pair, 0), _merged(pair, 1)
    pair.first.texts[pair.i], pair.second.texts[pair.j] = merged
    return first, second, ok


def parts(
    page: PageText, flow: Flow, translations: Mapping[str, str], carry: dict[str, str]
) -> tuple[dict[str, str], list[str]]:
    """The page's share of joined translations by its blocks' own ids, and the ids of joined
    segments whose tags came back broken. `carry` takes second parts that are on the next page
    and brings this page's from the previous one."""
    local = dict(carry)
    carry.clear()
    broken: list[str] = []
    for pair in flow.pairs:
        translation = translations.get(pair.sid)
        if translation is None:
            continue
        sid_a = segment_id(pair.first.number, pair.first.blocks[pair.i])
        sid_b = segment_id(pair.second.number, pair.second.blocks[pair.j])
        local[sid_a], second, ok = apply(pair, translation)
        (local if pair.second is page else carry)[sid_b] = second
        if not ok:
            broken.append(pair.sid)
    return local, broken


def split(text: str, share: float) -> tuple[str, str]:
    """Cut well-formed tagged text after `share` of its characters, at the nearest space
    (at a character when the text has no spaces), spans open at the cut closed and reopened."""
    tokens = re.split(r"(<(?:/?g\d+|x\d+/)>)", text)
    plain = strip_tags(text)
    target = round(share * len(plain))
    lead = len(plain) - len(plain.lstrip())
    spaces = [m.start() + lead for m in re.finditer(r"\s+", plain.strip()) if m.start()]
    if spaces and len(_CJK.findall(plain)) * 3 < len(plain):
        cut = min(spaces, key=lambda s: (abs(s - target), s))
    else:
        cut = min(max(target, 1), max(len(plain) - 1, 0))
        while 0 < cut < len(plain) - 1 and plain[cut] in _CLOSING:
            cut += 1  # closing punctuation stays with the character before it
    first: list[str] = []
    second: list[str] = []
    stack: list[str] = []
    pos, done = 0, False
    for tok in tokens:
        if not tok:
            continue
        tag = TAG.fullmatch(tok)
        if tag is not None:
            out = second if done else first
            out.append(tok)
            if tag.group(2) is not None and not done:
                if tag.group(1):
                    if stack:
                        stack.pop()
                else:
                    stack.append(tag.group(2))
            continue
        if done or pos + len(tok) <= cut:
            (second if done else first).append(tok)
            pos += len(tok)
            continue
        here = cut - pos
        first.append(tok[:here].rstrip())
        first += [f"</g{n}>" for n in reversed(stack)]
        second += [f"<g{n}>" for n in stack]
        second.append(tok[here:].lstrip())
        done = True
    if not done:  # the cut fell at the very end
        return "".join(first), ""
    return _tidy("".join(first)), _tidy("".join(second))


def _tidy(text: str) -> str:
    return re.sub(r"<g(\d+)>(\s*)</g\1>", r"\2", text).strip()
