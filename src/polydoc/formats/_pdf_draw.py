"""Setting translated text into a block's box with reportlab (BSD): wrap, shrink to fit, draw.

Widths are measured once at unit size, so trying smaller sizes is cheap. A block may use
free room: a one-line block (heading, table cell) may grow to the right (or both ways when
centred) up to the next obstacle, and any block may take half of the free space below it.
Rooms are reserved in reading order, so two blocks never take the same free space.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from polydoc.formats._pdf_fonts import FontBook
from polydoc.formats._pdf_layout import Block
from polydoc.formats._pdf_text import Item, Protected, Style

Box = tuple[float, float, float, float]
_SCALES = [1.0 - 0.03 * i for i in range(27)] + [0.2, 0.15, 0.1]


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


@dataclass(slots=True)
class Fitted:
    scale: float
    fits: bool
    box: Box
    clones: list[Placement]


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
                for text, name in fonts.split(part, run.style.family, run.style.bold, run.style.italic):
                    width = stringWidth(text, name, 1000) / 1000 * run.style.scale
                    words[-1].pieces.append(_Piece(text, name, run.style, width))
    return [w for w in words if w.pieces]


def _wrap(words: list[_Word], width: float) -> list[list[_Word]] | None:
    """Greedy line breaking at unit size; None when a single word is wider than the line."""
    lines: list[list[_Word]] = []
    current: list[_Word] = []
    used = 0.0
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


def _set_color(canvas: Canvas, color: tuple[float, ...]) -> None:
    if len(color) == 3:
        canvas.setFillColorRGB(*color)
    elif len(color) == 4:
        canvas.setFillColorCMYK(*color)
    else:
        canvas.setFillGray(color[0] if color else 0.0)


def room(block: Block, obstacles: list[Box], text_box: Box) -> Box:
    """The box a block may fill: its own, plus free room to the right and below."""
    x0, y0, x1, y1 = block.x0, block.y0, block.x1, block.y1
    gap = 0.5 * block.size
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
    bottom = min(y0, text_box[1])
    for o in obstacles:
        if o[0] < x1 and o[2] > x0 and o[3] <= y0 + 0.5:
            bottom = max(bottom, o[3] + gap)
    if bottom < y0:
        y0 -= (y0 - bottom) / 2
    return (x0, y0, x1, y1)


def fit_and_draw(
    canvas: Canvas, fonts: FontBook, block: Block, base: Style, items: list[Item], area: Box
) -> Fitted:
    """Draw `items` in `area` at the largest size that fits, top-aligned like the original."""
    size = block.size
    first, last = block.lines[0], block.lines[-1]
    ascent = max(block.y1 - first.baseline, 0.5 * size)
    descent = max(last.baseline - block.y0, 0.1 * size)
    count = len(block.lines)
    lead = (first.baseline - last.baseline) / (count - 1) if count > 1 else 1.2 * size
    lead = max(lead, 1.05 * size)
    words = _words(items, fonts, base, size)
    width, height = area[2] - area[0], area[3] - area[1] + 0.15 * size
    chosen: tuple[float, list[list[_Word]]] | None = None
    for scale in _SCALES:
        lines = _wrap(words, width / (size * scale))
        if lines is not None and (ascent + descent + (len(lines) - 1) * lead) * scale <= height:
            chosen = (scale, lines)
            break
    fits = chosen is not None
    if chosen is None:
        scale = _SCALES[-1]
        chosen = (scale, _wrap(words, width / (size * scale)) or [[w] for w in words])
    scale, lines = chosen
    clones: list[Placement] = []
    y = area[3] - ascent * scale
    used_left, used_right = area[2], area[0]
    for index, line in enumerate(lines):
        natural = _line_width(line) * size * scale
        x, extra = area[0], 0.0
        if block.align == "center":
            x = area[0] + (width - natural) / 2
        elif block.align == "right":
            x = area[2] - natural
        elif block.align == "justify" and index < len(lines) - 1 and len(line) > 1:
            extra = (width - natural) / (len(line) - 1)
        used_left = min(used_left, x)
        strings: list[list] = []  # [x, text, font, style, end x]: pieces merged into one string
        for position, word in enumerate(line):
            for piece in word.pieces:
                if piece.clone is not None:
                    clones.append(Placement(piece.clone, x, y, scale))
                elif strings and strings[-1][2:4] == [piece.font, piece.style] and abs(strings[-1][4] - x) < 0.01:
                    strings[-1][1] += piece.text
                    strings[-1][4] = x + piece.width * size * scale
                else:
                    strings.append([x, piece.text, piece.font, piece.style, x + piece.width * size * scale])
                x += piece.width * size * scale
            if position < len(line) - 1:
                x += word.space * size * scale + extra
                last = strings[-1] if strings else None
                style = last[3] if last else base
                if last and not extra and last[2] == fonts.primary(style.family, style.bold, style.italic).fontName:
                    last[1] += " "
                    last[4] = x
        for sx, text, font, style, _end in strings:
            _set_color(canvas, style.color)
            canvas.setFont(font, size * scale * style.scale)
            canvas.drawString(sx, y + style.rise * size * scale, text)
        used_right = max(used_right, x)
        y -= lead * scale
    bottom = y + lead * scale - descent * scale
    return Fitted(scale, fits, (used_left, bottom, used_right, area[3]), clones)
