"""Lines in any script: bidi reordering, HarfBuzz shaping, glyphs drawn by id; CJK breaks.

reportlab draws a string through the font's cmap, one glyph per character, left to right.
That is right for Latin, Greek, Cyrillic and CJK, and wrong for Arabic (a letter's glyph
depends on its neighbours), pointed Hebrew, Devanagari (conjuncts, reordered vowel signs) and
any right-to-left line. A line holding such text is instead

1. given embedding levels by the Unicode bidi algorithm (python-bidi's `algorithm` module: the
   Rust entry point only returns the reordered string, and we need the level of each
   character to place our pieces) and cut into runs of one level and one font;
2. reordered to visual order (rule L2);
3. shaped run by run by HarfBuzz (uharfbuzz) with the run's font and direction; HarfBuzz also
   mirrors brackets in right-to-left runs;
4. drawn glyph by glyph at HarfBuzz's positions, each by id (`GlyphFont.code_for`).

Text extraction must give the logical string. Each glyph's ToUnicode is the characters it
was shaped from (`_place` says how clusters are shared out), and the glyphs and the spaces
between words are emitted in logical order. Tried on poppler 22.12 and pdfminer.six:
pdftotext then reads lines in logical order, ligatures included (it still moves a comma or
full stop beside a space to the other word, as in LibreOffice's right-to-left PDFs), and
pdfminer reads each run of one direction in logical order. An ActualText span per line was
tried first: poppler spreads its characters left to right over the span and then reverses
them as right-to-left text, so it read backwards.

Widths for wrapping are shaped widths (`width`), so lines are measured as they are drawn.
Underlines and link boxes are not drawn for these lines yet (`_draw.draw` makes them from
its own strings).
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import uharfbuzz as hb
from bidi import algorithm as uba
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas

from polydoc.formats.pdf.glyphs.fonts import GlyphFont, script_of

# closing marks that must not start a line, opening ones that must not end it (JIS X 4051)
_NO_START = set("、。，．・：；？！ー）」』】〕〉》〗〙〛｝］"
                "ゃゅょっぁぃぅぇぉゎゕゖャュョッァィゥェォヮヵヶ々ゝゞヽヾ…‥,.:;?!)]}%")  # fmt: skip
_NO_END = set("（「『【〔〈《〖〘〚｛［([{")
_SHAPED = {"arabic", "hebrew", "devanagari"}
_LOCK = threading.Lock()


def _strong_rtl(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("R", "AL")


def complex_text(text: str) -> bool:
    """Whether reportlab's one-glyph-per-character drawing would be wrong for `text`."""
    return any(_strong_rtl(ch) or script_of(ch) in _SHAPED for ch in text)


def rtl_paragraph(texts: Iterable[str]) -> bool:
    """The paragraph direction (rules P2-P3): that of its first strong character."""
    for text in texts:
        for ch in text:
            kind = unicodedata.bidirectional(ch)
            if kind in ("R", "AL"):
                return True
            if kind == "L":
                return False
    return False


def rtl_words(words: Sequence[Any]) -> bool:
    """Whether a paragraph of `_draw._Word`s runs right to left."""
    return rtl_paragraph(piece.text for word in words for piece in word.pieces)


def complex_words(words: Sequence[Any]) -> bool:
    return any(complex_text(piece.text) for word in words for piece in word.pieces)


def aligned(block: Any, words: Sequence[Any]) -> Any:
    """A right-to-left paragraph is set flush right unless the source was centred."""
    if block.align in ("left", "justify") and rtl_words(words):
        return replace(block, align="right")
    return block


def _cjk(ch: str) -> bool:
    return script_of(ch) == "cjk" and not ("\uac00" <= ch <= "\ud7af" or "\u1100" <= ch <= "\u11ff")


def break_units(part: str) -> list[str]:
    """`part` (text without spaces) cut where a line may break: between two characters when
    either is Chinese or Japanese, but never before closing or after opening punctuation.
    Korean keeps breaking at spaces only."""
    units = [part[:1]]
    for prev, ch in zip(part, part[1:], strict=False):
        if (_cjk(prev) or _cjk(ch)) and ch not in _NO_START and prev not in _NO_END:
            units.append(ch)
        else:
            units[-1] += ch
    return [u for u in units if u]


@cache
def _hb_font(name: str) -> tuple[hb.Font, int]:
    font = pdfmetrics.getFont(name)
    face = font.hbFace  # built from the bytes reportlab already read
    return hb.Font(face), face.upem


@dataclass(slots=True)
class _Glyph:
    gid: int
    cluster: int
    advance: float  # font units
    dx: float
    dy: float


def shape(text: str, name: str, rtl: bool, start: int = 0, end: int | None = None) -> list[_Glyph]:
    """Glyphs for text[start:end] in visual order, shaped with the rest of `text` as context."""
    font, _upem = _hb_font(name)
    buf = hb.Buffer()
    end = len(text) if end is None else end
    buf.add_codepoints([ord(c) for c in text], start, end - start)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    buf.cluster_level = hb.BufferClusterLevel.MONOTONE_CHARACTERS  # marks keep their own text
    with _LOCK:  # one hb.Font is shared by the worker's threads
        hb.shape(font, buf)
    return [
        _Glyph(info.codepoint, info.cluster, pos.x_advance, pos.x_offset, pos.y_offset)
        for info, pos in zip(buf.glyph_infos, buf.glyph_positions, strict=True)
    ]


def width(text: str, name: str) -> float:
    """Width of `text` at size 1, shaped when reportlab's own measure would be wrong."""
    if not complex_text(text) or not isinstance(pdfmetrics.getFont(name), GlyphFont):
        return stringWidth(text, name, 1000) / 1000
    _font, upem = _hb_font(name)
    return sum(g.advance for g in shape(text, name, rtl_paragraph([text]))) / upem


def _levels(text: str, rtl: bool) -> list[int]:
    storage = uba.get_empty_storage()
    storage["base_level"], storage["base_dir"] = (1, "R") if rtl else (0, "L")
    uba.get_embedding_levels(text, storage)
    uba.explicit_embed_and_overrides(storage)
    uba.resolve_weak_types(storage)
    uba.resolve_neutral_types(storage, False)
    uba.resolve_implicit_levels(storage, False)
    return [c["level"] for c in storage["chars"]]


@dataclass(slots=True)
class _Run:
    order: int  # position in logical order
    piece: Any  # a `_draw._Piece`; for a space, the piece before it
    start: int
    end: int
    level: int
    gap: float | None = None  # points, for the space between two words


def _runs(line: Sequence[Any], size: float, extra: float, rtl: bool) -> list[_Run]:
    """The line's pieces and spaces in logical order, cut where the embedding level changes."""
    parts: list[tuple[Any, str, float | None]] = []
    for position, word in enumerate(line):
        parts += [(p, p.text if p.clone is None else "\ufffc", None) for p in word.pieces]
        if position < len(line) - 1:
            parts.append((word.pieces[-1], " ", word.space * size + extra))
    levels = _levels("".join(text for _p, text, _g in parts), rtl)
    runs: list[_Run] = []
    at = 0
    for piece, text, gap in parts:
        for i in range(len(text)):
            level = levels[at + i]
            if runs and runs[-1].piece is piece and runs[-1].level == level and gap is None:
                runs[-1].end = i + 1
            else:
                runs.append(_Run(len(runs), piece, i, i + 1, level, gap))
        at += len(text)
    return runs


def _visual(runs: list[_Run]) -> list[_Run]:
    """Rule L2: from the highest level down to the lowest odd one, reverse every sequence of
    runs at that level or above."""
    out = list(runs)
    if not out:
        return out
    top, low = max(r.level for r in out), min(r.level for r in out)
    for level in range(top, low - 1 if low % 2 else low, -1):  # down to the lowest odd level
        i = 0
        while i < len(out):
            if out[i].level >= level:
                j = i
                while j < len(out) and out[j].level >= level:
                    j += 1
                out[i:j] = out[i:j][::-1]
                i = j
            else:
                i += 1
    return out


@dataclass(slots=True)
class _Mark:
    key: tuple[int, int, int]  # logical order: run, cluster, glyph
    x: float
    y: float
    code: int
    piece: Any
    size: float


def draw_line(
    canvas: Canvas, line: Sequence[Any], x: float, extra: float, y: float, size: float, rtl: bool
) -> tuple[list[tuple[Any, float]], list[tuple[float, float, Any]]]:
    """Draw one line of words (`_draw._Word`) from `x`. Returns the (protected span, x) pairs
    to clone and the inked (x0, x1, style) spans left to right, one across the words of a
    link or underline, for `_draw._decorate`."""
    marks: list[_Mark] = []
    clones: list[tuple[Any, float]] = []
    inked: list[tuple[float, float, Any]] = []
    for run in _visual(_runs(line, size, extra, rtl)):
        piece = run.piece
        if run.gap is not None:
            # a space character, for extractors that do not guess spaces from the gaps
            if piece.clone is None and 32 in pdfmetrics.getFont(piece.font).face.charToGlyph:
                marks.append(_Mark((run.order, 0, 0), x, y, 32, piece, size * piece.style.scale))
            x += run.gap
        elif piece.clone is not None:
            clones.append((piece.clone, x))
            x += piece.width * size
        else:
            start, style = x, piece.style
            x = _place(run, x, y + style.rise * size, size * style.scale, marks)
            last = inked[-1][2] if inked else None
            if (
                last is not None
                and (last.link, last.decos) == (style.link, style.decos)
                and start - inked[-1][1] < size
            ):
                inked[-1] = (inked[-1][0], x, style)
            else:
                inked.append((start, x, style))
    _emit(canvas, sorted(marks, key=lambda m: m.key))
    return clones, inked


def _place(run: _Run, x: float, y: float, size: float, marks: list[_Mark]) -> float:
    """Shape one run and add its glyphs to `marks`; returns the x after it.

    A cluster with fewer glyphs than characters (a ligature, a Devanagari conjunct): left to
    right, its last glyph stands for the characters left over. Right to left, poppler would
    read such a glyph's characters backwards, so each glyph stands for one character and
    invisible glyphs of no width, just past the cluster in reading order, for the others
    (placed left to right they were read as a word of their own, poppler seeing a glyph
    printed twice)."""
    piece, rtl = run.piece, run.level % 2 == 1
    font: GlyphFont = pdfmetrics.getFont(piece.font)
    hbfont, upem = _hb_font(piece.font)
    unit = size / upem
    glyphs = shape(piece.text, piece.font, rtl, run.start, run.end)
    clusters: dict[int, list[tuple[_Glyph, float]]] = {}
    for g in glyphs:
        clusters.setdefault(g.cluster, []).append((g, x))
        x += g.advance * unit
    starts = sorted(clusters)
    blank = font.face.charToGlyph.get(32, 0)
    for start, end in zip(starts, [*starts[1:], run.end], strict=True):
        chars = piece.text[start:end]
        group = clusters[start]
        for i, (g, gx) in enumerate(group):
            text = chars[i:] if i == len(group) - 1 and not rtl else chars[i : i + 1]
            code = font.code_for(g.gid, text, hbfont.get_glyph_h_advance(g.gid) * 1000 / upem)
            marks.append(_Mark((run.order, start, i), gx + g.dx * unit, y + g.dy * unit, code, piece, size))
        if rtl:
            left = min(gx for _g, gx in group) - 0.01
            for k, ch in enumerate(chars[len(group) :], start=len(group)):
                marks.append(_Mark((run.order, start, k), left, y, font.code_for(blank, ch, 0), piece, size))
    return x


def set_fill(canvas: Canvas, color: tuple[float, ...]) -> None:
    """The fill colour as the source gave it: RGB, CMYK or grey."""
    if len(color) == 3:
        canvas.setFillColorRGB(*color)
    elif len(color) == 4:
        canvas.setFillColorCMYK(*color)
    else:
        canvas.setFillGray(color[0] if color else 0.0)


def _emit(canvas: Canvas, marks: list[_Mark]) -> None:
    canvas.saveState()
    obj = canvas.beginText()
    current: tuple[str, float] | None = None
    color = None
    for mark in marks:
        if mark.piece.style.color != color:
            color = mark.piece.style.color
            canvas.drawText(obj)
            set_fill(canvas, color)
            obj, current = canvas.beginText(), None
        if current != (mark.piece.font, mark.size):
            current = (mark.piece.font, mark.size)
            obj.setFont(*current)
        obj.setTextOrigin(mark.x, mark.y)
        obj.textOut(chr(mark.code))
    canvas.drawText(obj)
    canvas.restoreState()
