"""Reading order of a page's blocks by recursive XY cuts.

Columns are preferred over rows, except where a horizontal rule separates rows, as in a
ruled table.
"""

from __future__ import annotations

from typing import Protocol, TypeVar

from polydoc.formats.pdf._chars import Rect


class _Boxed(Protocol):
    x0: float
    y0: float
    x1: float
    y1: float


Block = TypeVar("Block", bound=_Boxed)


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
            and abs((r[1] + r[3]) / 2 - pos) < size / 2 + 3  # char boxes may stop at the baseline
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


def reading_order(blocks: list[Block], rules: list[Rect]) -> list[Block]:
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
