"""Tesseract's words (TSV) as paragraphs on the PDF page, sampled from the page image.

Words are grouped by Tesseract's block/paragraph/line numbers and mapped from pixels to the
page's display space; a line's font size and baseline come from its box and the letters in it
(a box of capitals and descenders is about one font size high). The background colour around
a paragraph (median of a thin frame), its ink colour (the word pixels farthest from that) and
its weight (bold type covers more of its words' area) are sampled from the image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from PIL import Image

from polydoc.formats.pdf._chars import PageContent
from polydoc.formats.pdf._layout import Block, Line
from polydoc.segments import TAG

BOLD_INK = 1.3  # a paragraph with this much more ink than the page's median is set bold
JUNK_CONFIDENCE = 25.0  # words below this are specks and texture, not text
_ASCENDERS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789bdfhklt'\"!?/()[]{}|&%$#@ÀÁÂÄÇÈÉÊËÍÎÏÑÓÔÖÚÛÜß")
_DESCENDERS = set("gjpqy,;()[]{}|@$Qç")


@dataclass(slots=True)
class Paragraph:
    block: Block  # in display space, as `_draw` sets text
    text: str
    background: tuple[float, float, float]
    color: tuple[float, float, float]
    ink: float  # share of the words' area that is ink: bold type has more
    bold: bool = False

    @property
    def translatable(self) -> bool:
        return any(ch.isalpha() for ch in self.text)


@dataclass(slots=True)
class Word:
    key: tuple[int, int, int]  # Tesseract's block, paragraph and line numbers
    box: tuple[int, int, int, int]  # pixels: left, top, right, bottom
    conf: float
    text: str


def tsv_words(tsv: str) -> list[Word]:
    """The words of Tesseract's TSV output, without specks (low confidence, no letter or digit)."""
    words = []
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) != 12 or cols[0] != "5":
            continue
        text = TAG.sub("", cols[11]).strip()
        try:
            left, top, width, height = (int(v) for v in cols[6:10])
            conf = float(cols[10])
        except ValueError:
            continue
        if text and conf >= JUNK_CONFIDENCE and any(ch.isalnum() for ch in text):
            key = (int(cols[2]), int(cols[3]), int(cols[4]))
            words.append(Word(key, (left, top, left + width, top + height), conf, text))
    return words


def page_paragraphs(words: list[Word], rgb: Image.Image, content: PageContent) -> list[Paragraph]:
    """Tesseract's paragraphs, numbered in its reading order, in the page's display space."""
    groups: dict[tuple[int, int], list[Word]] = {}
    for w in words:
        groups.setdefault(w.key[:2], []).append(w)
    sx, sy = content.width / rgb.width, content.height / rgb.height
    paragraphs = [_paragraph(group, rgb, sx, sy, content.height) for group in groups.values()]
    body = sorted(p.block.size for p in paragraphs)[len(paragraphs) // 2]
    ink = sorted(p.ink for p in paragraphs)[(len(paragraphs) - 1) // 2]  # the lower median: body text
    for number, p in enumerate(paragraphs, start=1):
        p.block.number = number
        p.bold = len(paragraphs) > 1 and p.ink >= BOLD_INK * ink
        if p.block.size >= 1.2 * body and len(p.block.lines) <= 2:
            p.block.context = "heading"
    return paragraphs


def _paragraph(words: list[Word], rgb: Image.Image, sx: float, sy: float, height: float) -> Paragraph:
    rows: dict[tuple[int, int, int], list[Word]] = {}
    for w in words:
        rows.setdefault(w.key, []).append(w)
    lines, texts = [], []
    for row in rows.values():
        text = " ".join(w.text for w in row)
        left, top = min(w.box[0] for w in row), min(w.box[1] for w in row)
        right, bottom = max(w.box[2] for w in row), max(w.box[3] for w in row)
        # the box runs from the tallest letter to the lowest: its height in font sizes
        up = 0.73 if any(ch in _ASCENDERS for ch in text) else 0.53
        down = 0.21 if any(ch in _DESCENDERS for ch in text) else 0.0
        em = (bottom - top) / (up + down)
        lines.append(
            Line(
                chars=[],
                hidden=[],
                x0=left * sx,
                y0=height - bottom * sy,
                x1=right * sx,
                y1=height - top * sy,
                baseline=height - (bottom - down * em) * sy,
                size=em * sy,
            )
        )
        texts.append(text)
    block = Block(lines)
    block.finish()
    block.align = _align(lines, block.size)
    background, color, ink = _colours(rgb, words, block.size / sy)
    return Paragraph(block, _join(texts), background, color, ink)


def _join(lines: list[str]) -> str:
    """Lines as running text; a word hyphenated across a line break is joined again."""
    out = lines[0]
    for line in lines[1:]:
        if out.endswith("-") and out[-2:-1].isalpha() and line[:1].islower():
            out = out[:-1] + line
        else:
            out += " " + line
    return out


def _align(lines: list[Line], size: float) -> str:
    if len(lines) < 2:
        return "left"
    tol = 0.6 * size
    lefts, rights = [ln.x0 for ln in lines], [ln.x1 for ln in lines[:-1]]
    centres = [(ln.x0 + ln.x1) / 2 for ln in lines]
    if max(lefts) - min(lefts) <= tol:
        return "justify" if len(rights) > 1 and max(rights) - min(rights) <= tol else "left"
    if max(centres) - min(centres) <= tol:
        return "center"
    return "left"


def _colours(
    rgb: Image.Image, words: list[Word], em: float
) -> tuple[tuple[float, float, float], tuple[float, float, float], float]:
    """(background, text) colours: the median of a thin frame around the paragraph, and the
    median of the word pixels farthest from it (the ink, not the paper between the strokes);
    and the share of the word pixels nearer the ink than the paper."""
    left, top = min(w.box[0] for w in words), min(w.box[1] for w in words)
    right, bottom = max(w.box[2] for w in words), max(w.box[3] for w in words)
    m = max(3, round(0.25 * em))
    x0, y0 = max(0, left - m), max(0, top - m)
    x1, y1 = min(rgb.width, right + m), min(rgb.height, bottom + m)
    frame = [(x0, y0, x1, y0 + 2), (x0, y1 - 2, x1, y1), (x0, y0, x0 + 2, y1), (x1 - 2, y0, x1, y1)]
    ring = [px for box in frame for px in _pixels(rgb, box, 400)]
    background = _median(ring) if ring else (255, 255, 255)
    ink = [px for w in words for px in _pixels(rgb, w.box, 300)]
    ink.sort(key=lambda px: -_distance(px, background))
    color = _median(ink[: max(1, len(ink) // 10)]) if ink else (0, 0, 0)
    if _distance(color, background) < 60:  # too faint to tell: plain black or white
        color = (0, 0, 0) if sum(background) > 3 * 128 else (255, 255, 255)
    half = _distance(color, background) / 2
    share = sum(_distance(px, background) > half for px in ink) / max(1, len(ink))
    return _unit(background), _unit(color), share


def _pixels(rgb: Image.Image, box: tuple[int, int, int, int], limit: int) -> list[tuple[int, ...]]:
    """Up to about `limit` pixels of `box`, evenly spread (nearest neighbour: real ink colours)."""
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return []
    crop = rgb.crop(box)
    step = max(1, int(math.sqrt(crop.width * crop.height / limit)))
    if step > 1:
        size = (max(1, crop.width // step), max(1, crop.height // step))
        crop = crop.resize(size, Image.Resampling.NEAREST)
    data = crop.tobytes()
    return [tuple(data[i : i + 3]) for i in range(0, len(data), 3)]


def _median(pixels: list[tuple[int, ...]]) -> tuple[int, int, int]:
    mid = len(pixels) // 2
    return tuple(sorted(px[c] for px in pixels)[mid] for c in range(3))  # type: ignore[return-value]


def _distance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    return math.sqrt(sum((x - y) ** 2 for x, y in zip(a, b, strict=True)))


def _unit(px: tuple[int, ...]) -> tuple[float, float, float]:
    return (round(px[0] / 255, 3), round(px[1] / 255, 3), round(px[2] / 255, 3))
