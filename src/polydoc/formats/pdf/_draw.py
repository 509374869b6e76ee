"""Setting translated text into a block's box with reportlab (BSD): wrap, shrink to fit, draw.

Each paragraph is set on its own, in the source's font, size, colour, alignment and line
spacing. Only one that overflows its box shrinks, by the smallest step that makes it fit;
past a 10 % shrink its box first grows into the free space below it, and it never goes
below `MIN_SCALE`: a paragraph that still overflows is reported. A one-line block (heading,
table cell) may first grow to the right (or both ways when centred) up to the next
obstacle. Rooms are reserved in reading order, so two blocks never take the same space.
Widths are measured once at unit size, so trying smaller sizes is cheap.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from polydoc.formats.pdf._layout import Block
from polydoc.formats.pdf._text import Item, Protected, Style
from polydoc.formats.pdf.glyphs import shaping as _shaping
from polydoc.formats.pdf.glyphs.fonts import FontBook

Box = tuple[float, float, float, float]
MIN_SCALE = 0.7  # smaller than this reads as a different document
_GROW_FROM = 0.9  # below this a paragraph takes free room under it before shrinking on
_SCALES = [round(1.0 - 0.02 * i, 2) for i in range(16)]  # 1.0 … 0.7


@dataclass(slots=True)
class _Piece:
    text: str
    font: str
    style: Style
    width: float  # at block size 1
    clone: Protected | None = None


@dataclass(slots=True)
class _Word:
    pieces: list[_Piece] = field(default_factory=list)
    space: float = 0.0  # width of the space after it, at size 1

    @property
    def width(self) -> float:
        return sum(p.width for p in self.pieces)


@dataclass(slots=True)
class Placement:
    """A protected span to be drawn again from its own operators."""

    span: Protected
    x: float
    baseline: float
    scale: float


def _words(items: list[Item], fonts: FontBook, base: Style, size: float) -> list[_Word]:
    words: list[_Word] = [_Word()]
    for item in items:
        if isinstance(item, Protected) and item.ops:
            words[-1].pieces.append(_Piece("", "", base, item.width / size, clone=item))
            continue
        runs = item.runs if isinstance(item, Protected) else (item,)
        for run in runs:
            for part in re.split(r"(\s+)", run.text):
                if not part:
                    continue
                if part.isspace():
                    if words[-1].pieces:
                        name = fonts.primary(run.style.family, run.style.bold, run.style.italic).fontName
                        words[-1].space = stringWidth(" ", name, 1000) / 1000 * run.style.scale
                        words.append(_Word())
                    continue
                for index, unit in enumerate(_shaping.break_units(part)):
                    if index:
                        words.append(_Word())  # Chinese, Japanese: a break without a space
                    for text, name in fonts.split(unit, run.style.family, run.style.bold, run.style.italic):
                        width = _shaping.width(text, name) * run.style.scale
                        words[-1].pieces.append(_Piece(text, name, run.style, width))
    return [w for w in words if w.pieces]


def _wrap(words: list[_Word], width: float, indent: float = 0.0) -> list[list[_Word]] | None:
    """Greedy line breaking at unit size; None when a single word is wider than the line.
    The first line is `indent` shorter (a paragraph's first-line indent)."""
    lines: list[list[_Word]] = []
    current: list[_Word] = []
    used = indent
    for word in words:
        if word.width > width:
            return None
        extra = (current[-1].space if current else 0.0) + word.width
        if current and used + extra > width:
            lines.append(current)
            current, used = [word], word.width
        else:
            current.append(word)
            used += extra
    if current:
        lines.append(current)
    return lines


def _line_width(line: list[_Word]) -> float:
    return sum(w.width for w in line) + sum(w.space for w in line[:-1])


def _face(style: Style) -> tuple[str, bool, bool]:
    return style.family, style.bold, style.italic


def _around(boxes: list[Box], own: Box) -> list[Box]:
    """Obstacles for a block: boxes clear of it, and the sides of boxes that enclose it
    (a panel or table cell); boxes that merely touch its text (highlights) are ignored."""
    out: list[Box] = []
    for b in boxes:
        if b[2] <= own[0] or b[0] >= own[2] or b[3] <= own[1] or b[1] >= own[3]:
            out.append(b)
        elif b[0] <= own[0] + 1 and b[1] <= own[1] + 1 and b[2] >= own[2] - 1 and b[3] >= own[3] - 1:
            out += [(b[0], b[1], b[0], b[3]), (b[2], b[1], b[2], b[3]), (b[0], b[1], b[2], b[1])]
    return out


def room(block: Block, obstacles: list[Box], text_box: Box) -> tuple[Box, Box]:
    """The box a block fills (its own, widened to the right for a one-line block) and the
    same box grown down to the next obstacle, for text that does not fit at `MIN_SCALE`."""
    x0, y0, x1, y1 = block.x0, block.y0, block.x1, block.y1
    gap = 0.5 * block.size
    obstacles = _around(obstacles, (x0, y0, x1, y1))
    if len(block.lines) == 1:
        right = max(x1, text_box[2])
        left = min(x0, text_box[0])
        for o in obstacles:
            if o[1] < y1 and o[3] > y0:
                if o[0] >= x1 - 0.5:
                    right = min(right, o[0] - gap)
                if o[2] <= x0 + 0.5:
                    left = max(left, o[2] + gap)
        right, left = max(right, x1), min(left, x0)
        if block.align == "center":
            grow = min(right - x1, x0 - left)
            x0, x1 = x0 - grow, x1 + grow
        elif block.align == "right":
            x0 = left
        else:
            x1 = right
    elif block.align in ("left", "justify"):
        # wrapped text may reach its column's (or table cell's) right edge, as the source could
        walls = [o[0] - gap for o in obstacles if o[1] < y1 and o[3] > y0 and o[0] >= x1 - 0.5]
        x1 = max(x1, min([block.limit, *walls]))
    bottom = min(y0, text_box[1])
    for o in obstacles:
        if o[0] < x1 and o[2] > x0 and o[3] <= y0 + 0.5:
            bottom = max(bottom, o[3] + gap)
    return (x0, y0, x1, y1), (x0, min(y0, bottom), x1, y1)


@dataclass(slots=True)
class Setting:
    """A block's text fitted into its area at `scale`; it may be drawn smaller."""

    block: Block
    base: Style
    words: list[_Word]
    area: Box
    ascent: float
    descent: float
    lead: float
    indent: float = 0.0  # first-line indent, in points
    scale: float = 1.0
    fits: bool = True

    def lines(self, scale: float) -> list[list[_Word]]:
        unit = self.block.size * scale
        return _wrap(self.words, (self.area[2] - self.area[0]) / unit, self.indent / unit) or [
            [w] for w in self.words
        ]

    def starts(self, lines: list[list[_Word]], scale: float) -> Iterator[tuple[float, float, float]]:
        """(x, extra space between words, baseline) of each line."""
        size, (x0, _y0, x1, y1) = self.block.size, self.area
        y = y1 - self.ascent * scale
        for index, line in enumerate(lines):
            natural = _line_width(line) * size * scale + (self.indent if index == 0 else 0.0)
            x, extra = x0 + (self.indent if index == 0 else 0.0), 0.0
            if self.block.align == "center":
                x = x0 + (x1 - x0 - natural) / 2
            elif self.block.align == "right":
                x = x1 - natural
            elif self.block.align == "justify" and index < len(lines) - 1 and len(line) > 1:
                extra = (x1 - x0 - natural) / (len(line) - 1)
            yield x, extra, y
            y -= self.lead * scale

    def box(self, scale: float) -> Box:
        """The part of the area the text covers at `scale`."""
        lines = self.lines(scale)
        spans = [
            (x, x + _line_width(line) * self.block.size * scale + extra * (len(line) - 1))
            for line, (x, extra, _y) in zip(lines, self.starts(lines, scale), strict=True)
        ]
        top = self.area[3]
        bottom = top - (self.ascent + self.descent + (len(lines) - 1) * self.lead) * scale
        return (min(a for a, _b in spans), bottom, max(b for _a, b in spans), top)


def fit(fonts: FontBook, block: Block, base: Style, items: list[Item], area: Box, grown: Box) -> Setting:
    """The largest scale, down to `_GROW_FROM`, at which `items` fit `area`; failing that, the
    largest down to `MIN_SCALE` at which they fit `grown`; failing that, `MIN_SCALE` and
    `fits` False. The text is top-aligned like the original."""
    size = block.size
    first, last = block.lines[0], block.lines[-1]
    count = len(block.lines)
    lead = (first.baseline - last.baseline) / (count - 1) if count > 1 else 1.2 * size
    setting = Setting(
        block, base, _words(items, fonts, base, size), area,
        ascent=max(block.y1 - first.baseline, 0.5 * size),
        descent=max(last.baseline - block.y0, 0.1 * size),
        lead=max(lead, 1.05 * size),
    )  # fmt: skip
    if count > 1 and block.align in ("left", "justify") and first.x0 - block.x0 > 0.5 * size:
        setting.indent = first.x0 - block.x0
    setting.block = _shaping.aligned(block, setting.words)  # right-to-left: flush right
    if not setting.words:
        return setting
    for box, smallest in ((area, _GROW_FROM), (grown, MIN_SCALE)):
        scale = _largest_fitting(setting, box, smallest)
        if scale is not None:
            setting.area, setting.scale = box, scale
            return setting
    setting.area, setting.scale, setting.fits = grown, MIN_SCALE, False
    return setting


def _largest_fitting(setting: Setting, box: Box, smallest: float) -> float | None:
    size = setting.block.size
    width, height = box[2] - box[0], box[3] - box[1] + 0.15 * size
    for scale in (s for s in _SCALES if s >= smallest):
        lines = _wrap(setting.words, width / (size * scale), setting.indent / (size * scale))
        needed = (setting.ascent + setting.descent + (len(lines or []) - 1) * setting.lead) * scale
        if lines is not None and needed <= height:
            return scale
    return None


def draw(
    canvas: Canvas, fonts: FontBook, setting: Setting, scale: float, links: dict[int, list[Box]] | None = None
) -> list[Placement]:
    """Draw the setting at `scale`; returns where protected spans must be cloned, and adds to
    `links` the boxes the text of each link annotation now covers (one per line it is on)."""
    size = setting.block.size * scale
    clones: list[Placement] = []
    lines = setting.lines(scale)
    rtl = _shaping.rtl_words(setting.words)
    for line, (x, extra, y) in zip(lines, setting.starts(lines, scale), strict=True):
        if rtl or _shaping.complex_words(line):  # bidi order and shaping need the whole line
            placed, inked = _shaping.draw_line(canvas, line, x, extra, y, size, rtl)
            clones += [Placement(span, at, y, scale) for span, at in placed]
            _decorate(canvas, inked, y, size, links)
            continue
        strings: list[list] = []  # [x, text, font, style, end x]: pieces merged into one string
        for position, word in enumerate(line):
            for piece in word.pieces:
                end = x + piece.width * size
                if piece.clone is not None:
                    clones.append(Placement(piece.clone, x, y, scale))
                elif (
                    strings
                    and strings[-1][2:4] == [piece.font, piece.style]
                    and abs(strings[-1][4] - x) < 0.01
                ):
                    strings[-1][1] += piece.text
                    strings[-1][4] = end
                else:
                    strings.append([x, piece.text, piece.font, piece.style, end])
                x = end
            if position < len(line) - 1:
                last = strings[-1] if strings and abs(strings[-1][4] - x) < 0.01 else None
                x += word.space * size + extra
                if last and not extra and last[2] == fonts.primary(*_face(last[3])).fontName:
                    last[1] += " "
                    last[4] = x
        spans: list[tuple[float, float, Style]] = []  # inked extent of each string, for decorations
        for sx, text, font, style, _end in strings:
            draw_text(canvas, sx, y + style.rise * size, text, font, size * style.scale, style.color)
            ink = stringWidth(text.rstrip(), font, size * style.scale)
            if (
                spans
                and spans[-1][2].link == style.link
                and spans[-1][2].decos == style.decos
                and sx - spans[-1][1] < size
            ):
                spans[-1] = (spans[-1][0], sx + ink, style)  # one link or underline across words
            else:
                spans.append((sx, sx + ink, style))
        _decorate(canvas, spans, y, size, links)
    return clones


def _decorate(
    canvas: Canvas,
    spans: list[tuple[float, float, Style]],
    y: float,
    size: float,
    links: dict[int, list[Box]] | None,
) -> None:
    """Underlines and strike-throughs under the inked spans of a line, and their link boxes."""
    for x0, x1, style in spans:
        for deco in style.decos:
            _shaping.set_fill(canvas, deco.color)
            thick = max(deco.width * size, 0.3)
            canvas.rect(x0, y + deco.offset * size - thick / 2, x1 - x0, thick, stroke=0, fill=1)
        if links is not None and style.link >= 0:
            links.setdefault(style.link, []).append((x0, y - 0.25 * size, x1, y + 0.85 * size))


def draw_text(
    canvas: Canvas, x: float, y: float, text: str, font: str, size: float, color: tuple[float, ...]
) -> None:
    """Draw one string of one font: the single place text reaches the canvas (shaping hooks in here)."""
    _shaping.set_fill(canvas, color)
    canvas.setFont(font, size)
    canvas.drawString(x, y, text)
