"""Characters -> lines for one page: fragments on a baseline, split at wide gaps and rules.

Lines are split at gaps wider than a character and at vertical rules (table cells, columns);
duplicated characters (fake bold drawn twice) are kept aside so their operators still belong
to the line.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from polydoc.formats.pdf._chars import Char, PageContent, Rect

_GAP = 1.0  # a gap wider than this many font sizes splits a line (columns, table cells)


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
    def first_word(self) -> float:
        """Width of the line's first word: up to its first space or gap."""
        words = [c for c in self.chars if c.text.strip()]
        end = words[0].x1
        for prev, c in zip(words, words[1:], strict=False):
            if c.x0 - prev.x1 > 0.15 * self.size or any(
                k.text.isspace() and prev.x1 - 0.1 <= k.x0 <= c.x0 for k in self.chars
            ):
                break
            end = c.x1
        return end - words[0].x0

    @property
    def bold(self) -> bool:
        return all(c.face.bold for c in self.chars if c.text.strip())

    @property
    def family(self) -> str:
        """The family most of the line's running text is set in."""
        counts = Counter(c.face.family for c in self.chars if c.text.strip() and c.face.kind == "text")
        return counts.most_common(1)[0][0] if counts else ""  # code and formulas do not count

    @property
    def kind(self) -> str:
        """ "code" or "math" when every character is, else "text"."""
        kinds = {c.face.kind for c in self.chars if c.text.strip()}
        return kinds.pop() if len(kinds) == 1 else "text"


def median(values: list[float]) -> float:
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
        baseline=median([c.baseline for c in main]),
        size=median([c.size for c in main]),
    )


def page_lines(content: PageContent) -> list[Line]:
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
