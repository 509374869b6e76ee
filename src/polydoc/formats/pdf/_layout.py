"""Characters -> lines -> paragraph blocks -> reading order, for one page.

Purely geometric and deterministic, so a rebuild finds the same blocks as the extraction.
Lines are split at gaps wider than a character and at vertical rules (table cells, columns);
a line joins the block of the nearest line above it when size, spacing, alignment and rules
agree. Blocks are ordered by recursive XY cuts (columns are preferred over rows, except where
a horizontal rule separates rows, as in a ruled table).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from polydoc.formats.pdf._chars import Char, OpKey, PageContent, Rect

_GAP = 1.0  # a gap wider than this many font sizes splits a line (columns, table cells)
_BULLET = re.compile(r"^(?:[•◦▪▫■□●○‣⁃]|[–—*-]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)")


@dataclass(slots=True, eq=False)
class Line:
    chars: list[Char]  # left to right, duplicates (fake bold) removed
    hidden: list[Char]  # duplicates: their operators still belong to the line
    x0: float
    y0: float
    x1: float
    y1: float
    baseline: float
    size: float

    @property
    def text(self) -> str:
        """The characters with the spaces their gaps imply."""
        out, prev = [], None
        for c in self.chars:
            if prev is not None and c.x0 - prev.x1 > 0.15 * self.size and not (prev.text + c.text).isspace():
                out.append(" ")
            out.append(c.text)
            prev = c
        return "".join(out)

    @property
    def bold(self) -> bool:
        return all(c.face.bold for c in self.chars if c.text.strip())

    @property
    def kind(self) -> str:
        """ "code" or "math" when every character is, else "text"."""
        kinds = {c.face.kind for c in self.chars if c.text.strip()}
        return kinds.pop() if len(kinds) == 1 else "text"


@dataclass(slots=True, eq=False)
class Block:
    lines: list[Line]
    x0: float = 0.0
    y0: float = 0.0
    x1: float = 0.0
    y1: float = 0.0
    size: float = 0.0
    number: int = 0
    context: str = ""
    align: str = "left"  # left | center | right | justify
    ops: set[OpKey] = field(default_factory=set)

    def finish(self) -> None:
        self.x0 = min(line.x0 for line in self.lines)
        self.y0 = min(line.y0 for line in self.lines)
        self.x1 = max(line.x1 for line in self.lines)
        self.y1 = max(line.y1 for line in self.lines)
        self.size = _median([line.size for line in self.lines])
        self.ops = {c.op for line in self.lines for c in (*line.chars, *line.hidden)}

    @property
    def chars(self) -> list[Char]:
        return [c for line in self.lines for c in line.chars]


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def _voverlap(a0: float, a1: float, b0: float, b1: float) -> float:
    return min(a1, b1) - max(a0, b0)


def _vrule_between(rules: list[Rect], x0: float, x1: float, y: float) -> bool:
    return any(r[3] - r[1] > 2 and x0 <= (r[0] + r[2]) / 2 <= x1 and r[1] <= y <= r[3] for r in rules)


def _continues(last: Char, c: Char, rules: list[Rect]) -> bool:
    h = min(last.y1 - last.y0, c.y1 - c.y0)
    if _voverlap(last.y0, last.y1, c.y0, c.y1) < 0.5 * h:
        return False
    size = max(last.size, c.size)
    gap = c.x0 - last.x1
    if not -0.5 * size <= gap <= _GAP * size:
        return False
    return gap < 0.2 * size or not _vrule_between(rules, last.x1, c.x0, (c.y0 + c.y1) / 2)


def _make_line(chars: list[Char]) -> Line | None:
    chars.sort(key=lambda c: (c.x0, -c.y1))
    kept: list[Char] = []
    hidden: list[Char] = []
    for c in chars:
        twin = next(
            (k for k in kept[-3:] if k.text == c.text and abs(k.x0 - c.x0) < 0.3 * max(c.x1 - c.x0, 0.5)),
            None,
        )
        (hidden if twin is not None and c.text.strip() else kept).append(c)
    visible = [c for c in kept if c.text.strip()]
    if not visible:
        return None
    sizes = [c.size for c in visible]
    main = [c for c in visible if c.size >= 0.8 * max(sizes)]
    return Line(
        chars=kept,
        hidden=hidden,
        x0=min(c.x0 for c in visible),
        y0=min(c.y0 for c in visible),
        x1=max(c.x1 for c in visible),
        y1=max(c.y1 for c in visible),
        baseline=_median([c.baseline for c in main]),
        size=_median([c.size for c in main]),
    )


def _lines(content: PageContent) -> list[Line]:
    frags: list[list[Char]] = []
    for c in content.chars:
        if not c.usable:
            continue
        if frags and _continues(frags[-1][-1], c, content.rules):
            frags[-1].append(c)
        else:
            frags.append([c])
    # rows: fragments that share a baseline band, whatever order the stream drew them in
    frags.sort(key=lambda f: -(min(c.y0 for c in f) + max(c.y1 for c in f)))
    rows: list[tuple[float, float, list[list[Char]]]] = []
    for frag in frags:
        y0, y1 = min(c.y0 for c in frag), max(c.y1 for c in frag)
        for i in range(len(rows) - 1, max(-1, len(rows) - 9), -1):
            r0, r1, members = rows[i]
            if _voverlap(y0, y1, r0, r1) >= 0.5 * min(y1 - y0, r1 - r0):
                members.append(frag)
                break
        else:
            rows.append((y0, y1, [frag]))
    lines: list[Line] = []
    for _y0, _y1, members in rows:
        members.sort(key=lambda f: min(c.x0 for c in f))
        merged = [list(members[0])]
        for frag in members[1:]:
            prev = merged[-1]
            right = max(c.x1 for c in prev)
            left = min(c.x0 for c in frag)
            size = max(max(c.size for c in prev), max(c.size for c in frag))
            mid = (frag[0].y0 + frag[0].y1) / 2
            if left - right <= _GAP * size and not (
                left - right > 0.2 * size and _vrule_between(content.rules, right, left, mid)
            ):
                prev.extend(frag)
            else:
                merged.append(list(frag))
        for chars in merged:
            line = _make_line(chars)
            if line is not None:
                lines.append(line)
    lines.sort(key=lambda ln: (-ln.baseline, ln.x0))
    return lines


def _hoverlap(a: Line | Block, b: Line | Block) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _pitches(lines: list[Line]) -> dict[int, float]:
    """The usual baseline distance between consecutive lines of a paragraph, per font size."""
    seen: dict[int, Counter[float]] = {}
    for i, line in enumerate(lines):
        for j in range(i + 1, len(lines)):
            below = lines[j]
            dy = line.baseline - below.baseline
            if dy > 3 * line.size:
                break
            if dy > 0.5 * line.size and _hoverlap(line, below) > 0 and round(below.size) == round(line.size):
                if dy >= 0.9 * line.size:
                    seen.setdefault(round(line.size), Counter())[round(dy * 2) / 2] += 1
                break
    # the smallest spacing that recurs: paragraph gaps recur too, but are wider
    out = {}
    for size, counts in seen.items():
        total = sum(counts.values())
        recurring = [dy for dy, n in counts.items() if n >= max(2, 0.15 * total)]
        out[size] = min(recurring) if recurring else max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    return out


def _hrule_between(rules: list[Rect], upper: Line, lower: Line) -> bool:
    left, right = max(upper.x0, lower.x0), min(upper.x1, lower.x1)
    return any(
        r[3] - r[1] <= 2.5
        and lower.y1 - 0.5 < (r[1] + r[3]) / 2 < upper.y0 - 0.5
        and min(r[2], right) - max(r[0], left) > 0
        for r in rules
    )


def _columns(lines: list[Line]) -> dict[int, tuple[float, float]]:
    """Left and right edge of the text column around each line (lines overlapping it nearby).
    `lines` are sorted top to bottom, so the scan stops once lines are too far away."""
    out = {}
    for i, line in enumerate(lines):
        left, right = line.x0, line.x1
        for step in (-1, 1):
            j = i + step
            while 0 <= j < len(lines) and abs(lines[j].baseline - line.baseline) <= 20 * line.size:
                other = lines[j]
                if _hoverlap(line, other) >= 0.5 * min(line.x1 - line.x0, other.x1 - other.x0):
                    left, right = min(left, other.x0), max(right, other.x1)
                j += step
        out[id(line)] = (left, right)
    return out


def _joins(
    block: Block, above: Line, line: Line, pitch: float | None, rules: list[Rect], column: tuple[float, float]
) -> bool:
    size = max(above.size, line.size)
    if not 0.8 <= line.size / above.size <= 1.25:
        return False
    dy = above.baseline - line.baseline
    typical = pitch if pitch and 0.95 * size <= pitch <= 2.6 * size else 1.2 * size
    if not 0.6 * size < dy <= max(typical * 1.15, 1.05 * size):
        return False
    if len(block.lines) >= 2:
        leading = block.lines[-2].baseline - above.baseline
        if abs(dy - leading) > 0.25 * size:
            return False
    if _hrule_between(rules, above, line) or above.bold != line.bold or above.kind != line.kind:
        return False
    left, right = column
    short = above.x1 < right - 2 * size
    centred = abs((above.x0 + above.x1) - (line.x0 + line.x1)) < 4 and above.x0 > left + 0.8 * size
    hanging = bool(_BULLET.match(block.lines[0].text.lstrip()))
    if short and line.x0 >= left + 0.8 * size and not centred and not hanging:
        return False  # an indented line after a short one starts a paragraph
    if _BULLET.match(line.text.lstrip()):
        return False
    return _hoverlap(above, line) > 0


def _blocks(lines: list[Line], rules: list[Rect]) -> list[Block]:
    pitches = _pitches(lines)
    columns = _columns(lines)
    owner: dict[int, Block] = {}
    blocks: list[Block] = []
    for i, line in enumerate(lines):
        above = None
        for j in range(i - 1, -1, -1):
            cand = lines[j]
            if cand.baseline - line.baseline > 3 * max(line.size, cand.size):
                break
            if cand.baseline > line.baseline + 0.3 * line.size and _hoverlap(cand, line) > 0:
                if above is None or cand.baseline < above.baseline:
                    above = cand
        block = owner.get(id(above)) if above is not None else None
        if (
            above is not None
            and block is not None
            and block.lines[-1] is above
            and _joins(block, above, line, pitches.get(round(line.size)), rules, columns[id(line)])
        ):
            block.lines.append(line)
        else:
            block = Block([line])
            blocks.append(block)
        owner[id(line)] = block
    for block in blocks:
        block.finish()
    return blocks


def _gaps(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """(size, position) of the empty intervals between overlapping spans."""
    out = []
    spans = sorted(spans)
    end = spans[0][1]
    for start, stop in spans[1:]:
        if start > end:
            out.append((start - end, (start + end) / 2))
        end = max(end, stop)
    return out


def _cut(group: list[Block], rules: list[Rect]) -> tuple[list[Block], list[Block]] | None:
    """Split a group at its widest empty band (columns weigh more, ruled rows most); the
    first part reads first. None when no band separates the blocks."""
    left, right = min(b.x0 for b in group), max(b.x1 for b in group)
    best: tuple[float, str, float] | None = None
    for size, pos in _gaps([(b.x0, b.x1) for b in group]):
        if best is None or size * 1.5 > best[0]:
            best = (size * 1.5, "x", pos)
    for size, pos in _gaps([(b.y0, b.y1) for b in group]):
        ruled = any(
            r[3] - r[1] <= 2.5
            and abs((r[1] + r[3]) / 2 - pos) < size / 2
            and r[2] - r[0] > 0.6 * (right - left)
            for r in rules
        )
        score = size + (1000 if ruled else 0)
        if best is None or score > best[0]:
            best = (score, "y", pos)
    if best is None:
        return None
    _score, axis, pos = best
    first = [b for b in group if (b.x1 <= pos if axis == "x" else b.y0 >= pos)]
    chosen = {id(b) for b in first}
    return first, [b for b in group if id(b) not in chosen]


def _order(blocks: list[Block], rules: list[Rect]) -> list[Block]:
    """Recursive XY cuts, with an explicit stack so crowded pages cannot recurse too deep."""
    out: list[Block] = []
    stack = [blocks]
    while stack:
        group = stack.pop()
        parts = _cut(group, rules) if len(group) > 1 else None
        if parts is None:
            out += sorted(group, key=lambda b: (-b.y1, b.x0))
        else:
            stack += [parts[1], parts[0]]
    return out


def _align(block: Block, text_left: float, text_right: float) -> str:
    lines = block.lines
    tol = max(2.0, 0.2 * block.size)
    if len(lines) == 1:
        centre = (block.x0 + block.x1) / 2
        if block.x0 > text_left + 2 * block.size:
            if abs(centre - (text_left + text_right) / 2) < tol:
                return "center"
            if abs(block.x1 - text_right) < tol:
                return "right"
        return "left"
    lefts = [ln.x0 for ln in lines[1:]]  # the first line may be indented
    rights = [ln.x1 for ln in lines]
    centres = [(ln.x0 + ln.x1) / 2 for ln in lines]
    if max(lefts) - min(lefts) <= tol and lines[0].x0 >= min(lefts) - tol:
        body = rights[:-1]
        edge = max(rights) if len(body) >= 2 else text_right
        return "justify" if all(abs(r - edge) <= tol for r in body) else "left"
    if max(centres) - min(centres) <= tol:
        return "center"
    if max(rights) - min(rights) <= tol:
        return "right"
    return "left"


def _context(block: Block, content: PageContent, body_size: float) -> str:
    if block.y0 >= 0.9 * content.height:
        return "header"
    if block.y1 <= 0.1 * content.height:
        return "footer"
    text = block.lines[0].text.lstrip()
    if re.match(r"(Figure|Fig\.|Table|Tab\.)\s*\d", text):
        return "caption"
    if block.size >= 1.2 * body_size or (len(block.lines) == 1 and block.lines[0].bold):
        return "heading"
    return ""


def page_blocks(content: PageContent) -> list[Block]:
    """The page's text blocks in reading order, numbered from 1."""
    lines = _lines(content)
    if not lines:
        return []
    blocks = _order(_blocks(lines, content.rules), content.rules)
    body_size = _median([c.size for b in blocks for c in b.chars if c.text.strip()])
    text_left, text_right = min(b.x0 for b in blocks), max(b.x1 for b in blocks)
    for number, block in enumerate(blocks, start=1):
        block.number = number
        block.align = _align(block, text_left, text_right)
        block.context = _context(block, content, body_size)
    return blocks
