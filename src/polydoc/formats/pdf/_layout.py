"""Lines -> paragraph blocks -> reading order, for one page.

Purely geometric and deterministic, so a rebuild finds the same blocks as the extraction.
A line joins the block of the nearest line above it when it reads as the same paragraph:
same font size and weight, the block's own line spacing, no rule between them, no list
marker starting it, and not a new paragraph by indentation or by a previous line that
stopped short although the next word would have fitted (the test a line breaker applies).
One block is one paragraph, heading, list item or table cell.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from polydoc.formats.pdf._chars import Char, OpKey, PageContent, Rect
from polydoc.formats.pdf._lines import Line, median, page_lines
from polydoc.formats.pdf._order import reading_order

_BULLET = re.compile(
    r"^(?:[•◦▪▫■□●○‣⁃\uf0b7\uf0a7\uf076\uf0d8\uf0fc]|[–—*-]\s|\(?\d{1,3}[.)]\s|\(?[a-z][.)]\s)"
)


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
    limit: float = 0.0  # right edge of its column or table cell: wrapped text may reach it

    def finish(self) -> None:
        self.x0 = min(line.x0 for line in self.lines)
        self.y0 = min(line.y0 for line in self.lines)
        self.x1 = max(line.x1 for line in self.lines)
        self.y1 = max(line.y1 for line in self.lines)
        self.size = median([line.size for line in self.lines])
        self.ops = {c.op for line in self.lines for c in (*line.chars, *line.hidden)}

    @property
    def chars(self) -> list[Char]:
        return [c for line in self.lines for c in line.chars]


_MARKER = re.compile(
    r"^(?:[•◦▪▫■□●○‣⁃\uf0b7\uf0a7\uf076\uf0d8\uf0fc–—*-]|\(?\d{1,3}[.)]|\(?[a-zA-Z][.)]|[ivxIVX]{1,4}[.)])$"
)


def _hoverlap(a: Line | Block, b: Line | Block) -> float:
    return min(a.x1, b.x1) - max(a.x0, b.x0)


def _pitches(lines: list[Line], columns: dict[int, tuple[float, float]]) -> dict[tuple, float]:
    """The usual baseline distance between consecutive lines of a paragraph, per font size,
    and per font size within each text column: a page often sets its table cells tighter
    than its body text, and the page-wide figure alone would then split the body's paragraphs."""
    seen: dict[tuple, Counter[float]] = {}
    for i, line in enumerate(lines):
        for j in range(i + 1, len(lines)):
            below = lines[j]
            dy = line.baseline - below.baseline
            if dy > 3 * line.size:
                break
            if dy > 0.5 * line.size and _hoverlap(line, below) > 0 and round(below.size) == round(line.size):
                if dy >= 0.9 * line.size:
                    step = round(dy * 2) / 2
                    seen.setdefault((round(line.size),), Counter())[step] += 1
                    if columns[id(line)] == columns[id(below)]:
                        seen.setdefault(_pitch_key(line, columns), Counter())[step] += 1
                break
    # the smallest spacing that recurs: paragraph gaps recur too, but are wider
    out = {}
    for key, counts in seen.items():
        total = sum(counts.values())
        recurring = [dy for dy, n in counts.items() if n >= max(2, 0.15 * total)]
        if recurring:
            out[key] = min(recurring)
        elif len(key) == 1:
            out[key] = max(counts.items(), key=lambda kv: (kv[1], -kv[0]))[0]
    return out


def _pitch_key(line: Line, columns: dict[int, tuple[float, float]]) -> tuple:
    left, right = columns[id(line)]
    return round(line.size), round(left), round(right)


def _hrule_between(rules: list[Rect], upper: Line, lower: Line) -> bool:
    left, right = max(upper.x0, lower.x0), min(upper.x1, lower.x1)
    return any(
        r[3] - r[1] <= 2.5
        and lower.y1 - 0.5 < (r[1] + r[3]) / 2 < upper.y0 - 0.5
        and min(r[2], right) - max(r[0], left) > 0
        and not _underlines(r, upper)
        for r in rules
    )


def _underlines(rule: Rect, line: Line) -> bool:
    """A rule just under the line's baseline and no wider than its text: an underline, which
    belongs to the line (a table border reaches past the text by the cell padding)."""
    y = (rule[1] + rule[3]) / 2
    return (
        line.baseline - 0.35 * line.size <= y <= line.baseline + 0.05 * line.size
        and rule[0] >= line.x0 - 1
        and rule[2] <= line.x1 + 1
    )


def _columns(lines: list[Line], rules: list[Rect]) -> dict[int, tuple[float, float]]:
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
        out[id(line)] = _within_cell(line, left, right, rules)
    return out


def _within_cell(line: Line, left: float, right: float, rules: list[Rect]) -> tuple[float, float]:
    """Inside a ruled table, the cell around the line, less the cell's padding on the right
    as much as on the left; elsewhere the column."""
    mid = (line.y0 + line.y1) / 2
    walls = [
        (r[0] + r[2]) / 2 for r in rules if r[3] - r[1] > 2 and r[2] - r[0] < 2.5 and r[1] <= mid <= r[3]
    ]
    before = [x for x in walls if x <= line.x0 + 0.5]
    after = [x for x in walls if x >= line.x1 - 0.5]
    if before and after:
        pad = line.x0 - max(before)
        return max(left, max(before)), max(line.x1, min(after) - pad)
    return left, right


def _joins(
    block: Block,
    above: Line,
    line: Line,
    pitch: float | None,
    rules: list[Rect],
    column: tuple[float, float],
    listed: bool = False,
) -> bool:
    """Whether `line` continues `block`, whose last line is `above`; `listed` when the block
    is a list item whose marker stands apart (its wrapped lines hang at the text's edge)."""
    size = max(above.size, line.size)
    if not 0.9 <= line.size / above.size <= 1.1:
        return False
    dy = above.baseline - line.baseline
    typical = pitch if pitch and 0.95 * size <= pitch <= 2.6 * size else 1.2 * size
    # pages mix spacings (table cells are often set tighter than body text): the page's
    # usual pitch or up to 1.5 lines joins, and the block's own spacing rules after that
    if not 0.6 * size < dy <= max(typical * 1.15, 1.5 * size):
        return False
    if len(block.lines) >= 2:
        leading = block.lines[-2].baseline - above.baseline
        if abs(dy - leading) > 0.25 * size:
            return False
    if _hrule_between(rules, above, line) or above.bold != line.bold or above.kind != line.kind:
        return False
    if above.family and line.family and above.family != line.family:
        return False
    left, right = column
    short = above.x1 < right - 2 * size
    centred = abs((above.x0 + above.x1) - (line.x0 + line.x1)) < 4 and above.x0 > left + 0.8 * size
    hanging = listed or bool(_BULLET.match(block.lines[0].text.lstrip()))
    if short and line.x0 >= left + 0.8 * size and not centred and not hanging:
        return False  # an indented line after a short one starts a paragraph
    settled = len(block.lines) >= 2 and abs(block.lines[-2].x0 - above.x0) < 1
    if settled and line.x0 > above.x0 + 0.8 * size and not centred and not hanging:
        return False  # so does one indented past two lines that shared their left edge
    if _BULLET.match(line.text.lstrip()):
        return False
    if not centred and right - above.x1 > line.first_word + 0.5 * size:
        return False  # a line breaker would have put that word on the line above
    return _hoverlap(above, line) > 0


def _marked(lines: list[Line]) -> set[int]:
    """Lines with a list marker standing on its own just left of them (a bullet or number
    set apart by a tab): each starts a new list item."""
    out = set()
    for i, line in enumerate(lines):
        if not _MARKER.match(line.text.strip()):
            continue
        for other in lines[max(0, i - 3) : i + 4]:
            if (
                other is not line
                and abs(other.baseline - line.baseline) < 0.2 * line.size
                and 0 <= other.x0 - line.x1 <= 4 * line.size
            ):
                out.add(id(other))
    return out


def _pitch(pitches: dict[tuple, float], line: Line, columns: dict[int, tuple[float, float]]) -> float | None:
    return pitches.get(_pitch_key(line, columns), pitches.get((round(line.size),)))


def _blocks(lines: list[Line], rules: list[Rect]) -> list[Block]:
    columns = _columns(lines, rules)
    pitches = _pitches(lines, columns)
    marked = _marked(lines)
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
            and id(line) not in marked
            and block.lines[-1] is above
            and _joins(
                block,
                above,
                line,
                _pitch(pitches, line, columns),
                rules,
                columns[id(line)],
                listed=id(block.lines[0]) in marked,
            )
        ):
            block.lines.append(line)
        else:
            block = Block([line])
            blocks.append(block)
        block.limit = max(block.limit, columns[id(line)][1])
        owner[id(line)] = block
    for block in blocks:
        block.finish()
    return blocks


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
        flush = all(abs(r - edge) <= tol for r in body)
        return "justify" if flush and _stretched(block) else "left"
    if max(centres) - min(centres) <= tol:
        return "center"
    if max(rights) - min(rights) <= tol:
        return "right"
    return "left"


def _word_gap(line: Line) -> float | None:
    """The line's usual space between words, or None for a single word."""
    words = [c for c in line.chars if c.text.strip()]
    gaps = [b.x0 - a.x1 for a, b in zip(words, words[1:], strict=False) if b.x0 - a.x1 > 0.15 * line.size]
    return median(gaps) if gaps else None


def _stretched(block: Block) -> bool:
    """Whether a line that reaches the right edge had its spaces widened to get there, as
    justified text has; ragged-right text may end a line at the edge by chance, with the
    spaces of its other lines. A block with one spaced line cannot tell: it keeps its edge."""
    gaps = [g for g in map(_word_gap, block.lines) if g is not None]
    if len(gaps) < 2:
        return True
    return max(gaps) > 1.25 * min(gaps) + 0.02 * block.size


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
    lines = page_lines(content)
    if not lines:
        return []
    blocks = reading_order(_blocks(lines, content.rules), content.rules)
    body_size = median([c.size for b in blocks for c in b.chars if c.text.strip()])
    text_left, text_right = min(b.x0 for b in blocks), max(b.x1 for b in blocks)
    for number, block in enumerate(blocks, start=1):
        block.number = number
        block.align = _align(block, text_left, text_right)
        block.context = _context(block, content, body_size)
    return blocks
