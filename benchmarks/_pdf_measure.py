"""What `pdf_fidelity.py` reads back from a rebuilt PDF (pdfminer.six for the characters,
pikepdf for the link annotations), against the paragraphs and links the document was built from.
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher

import pikepdf
from _pdf_work import MARK, TAG, pseudo_spanish
from pdfminer.high_level import extract_pages
from pdfminer.layout import LTChar, LTContainer

COVERED = 0.9  # share of a link text's characters whose centre must lie inside its link's rects
OCR_MATCH = 0.95  # share of a scanned paragraph's characters a segment must match (OCR noise)
_CELL = 24.0  # points; the grid for the nearest-source-character search


def norm(text: str) -> str:
    """Compatibility form (ligatures split) without white space or soft hyphens."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", text) if not ch.isspace() and ch != "\u00ad")


NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
_NUM = r"(?:\x00|\d)(?:[.,]?(?:\x00|\d))*"  # a number, or the <xN/> the handler put for it


def _segment_key(text: str) -> str:
    return norm(TAG.sub(lambda m: "\x00" if m.group(3) else "", text))


class _Paragraph:
    """A source paragraph as a segment must hold it: normalised, any number also as its <xN/>."""

    def __init__(self, text: str) -> None:
        self.text = norm(text)
        self.pieces = [p for p in NUMBER.split(self.text) if p]
        self.pattern = re.compile(_NUM.join(map(re.escape, NUMBER.split(self.text))))

    def in_segment(self, segment: str, fuzzy: bool) -> bool:
        if all(p in segment for p in self.pieces) and self.pattern.search(segment):
            return True
        if not fuzzy or len(segment) < OCR_MATCH * len(self.text):
            return False
        blocks = SequenceMatcher(None, self.text, segment, autojunk=False).get_matching_blocks()
        return sum(b.size for b in blocks) >= OCR_MATCH * len(self.text)


@dataclass
class Whole:
    whole: int = 0
    total: int = 0
    split: int = 0  # in no single segment
    merged: int = 0  # segments holding two or more whole paragraphs
    examples: list[str] = field(default_factory=list)


def whole_paragraphs(paragraphs: list[str], segments: list[str], fuzzy: bool = False) -> Whole:
    """A paragraph is whole when exactly one segment contains all of it."""
    segs = [_segment_key(s) for s in segments]
    out = Whole(total=len(paragraphs))
    holders: dict[int, int] = defaultdict(int)
    for para in paragraphs:
        target = _Paragraph(para)
        found = [i for i, s in enumerate(segs) if target.in_segment(s, fuzzy)]
        if len(found) == 1:
            out.whole += 1
            holders[found[0]] += 1
        elif not found:
            out.split += 1
            if len(out.examples) < 2:
                out.examples.append(para[:60])
    out.merged = sum(1 for n in holders.values() if n > 1)
    return out


@dataclass
class Page:
    chars: list[LTChar]
    links: list[tuple[str, tuple[float, float, float, float]]]


def _chars(item) -> list[LTChar]:
    if isinstance(item, LTChar):
        return [item]
    if isinstance(item, LTContainer):
        return [c for child in item for c in _chars(child)]
    return []


def read_pages(pdf: bytes) -> list[Page]:
    pages = [Page(_chars(layout), []) for layout in extract_pages(io.BytesIO(pdf), laparams=None)]
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        for page, obj in zip(pages, doc.pages, strict=False):
            for annot in obj.obj.get("/Annots", []):
                action = annot.get("/A")
                if annot.get("/Subtype") != "/Link" or action is None or "/URI" not in action:
                    continue
                x0, y0, x1, y1 = (float(v) for v in annot["/Rect"])
                rect = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
                page.links.append((str(action["/URI"]), rect))
    return pages


def _letters(page: Page) -> dict[tuple[int, int], list[LTChar]]:
    grid: dict[tuple[int, int], list[LTChar]] = defaultdict(list)
    for ch in page.chars:
        if ch.get_text().isalnum():
            cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
            grid[int(cx // _CELL), int(cy // _CELL)].append(ch)
    return grid


def _nearest(grid: dict[tuple[int, int], list[LTChar]], x: float, y: float) -> LTChar | None:
    gx, gy = int(x // _CELL), int(y // _CELL)
    for reach in range(1, 8):  # bounded: 8 cells of 24 pt around the point
        near = [
            c
            for dx in range(-reach, reach + 1)
            for dy in range(-reach, reach + 1)
            for c in grid.get((gx + dx, gy + dy), ())
        ]
        if near:
            return min(near, key=lambda c: ((c.x0 + c.x1) / 2 - x) ** 2 + ((c.y0 + c.y1) / 2 - y) ** 2)
    return None


def size_ratios(
    source: list[Page], output: list[Page], scan: tuple[float, float, float] | None
) -> list[float]:
    """For every translated word (its closing MARK) in the output: its size over the size of the
    nearest source character on the same page (for a scan: over the heading's or the body's size,
    by the height of the word; `_pdf_corpus.SCAN_SIZES`)."""
    ratios = []
    for src, out in zip(source, output, strict=False):
        grid = _letters(src) if scan is None else {}
        for ch in out.chars:
            if ch.get_text() != MARK:
                continue
            if scan is not None:
                ratios.append(ch.size / (scan[0] if (ch.y0 + ch.y1) / 2 > scan[2] else scan[1]))
                continue
            near = _nearest(grid, (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2)
            if near is not None and near.size > 0:
                ratios.append(ch.size / near.size)
    return ratios


def _inside(ch: LTChar, rect: tuple[float, float, float, float]) -> bool:
    cx, cy = (ch.x0 + ch.x1) / 2, (ch.y0 + ch.y1) / 2
    return rect[0] <= cx <= rect[2] and rect[1] <= cy <= rect[3]


def _overlaps(rect: tuple[float, float, float, float], chars: list[LTChar]) -> bool:
    return any(ch.x0 < rect[2] and ch.x1 > rect[0] and ch.y0 < rect[3] and ch.y1 > rect[1] for ch in chars)


def link_covered(output: list[Page], url: str, text: str) -> bool:
    """True when the translated link text is on a page whose /Link annotations for `url` each
    overlap its characters and together hold the centres of at least COVERED of them."""
    target = norm(pseudo_spanish(text))
    for page in output:
        rects = [r for u, r in page.links if u.rstrip("/") == url.rstrip("/")]
        if not rects:
            continue
        flat: list[tuple[str, LTChar]] = [(k, ch) for ch in page.chars for k in norm(ch.get_text())]
        joined = "".join(k for k, _ in flat)
        start = joined.find(target)
        while start >= 0:
            chars = [ch for _, ch in flat[start : start + len(target)]]
            inside = sum(1 for ch in chars if any(_inside(ch, r) for r in rects))
            if inside >= COVERED * len(chars) and all(_overlaps(r, chars) for r in rects):
                return True
            start = joined.find(target, start + 1)
    return False
