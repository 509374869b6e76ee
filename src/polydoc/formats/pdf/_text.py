"""A block's characters as tagged segment text, and a translation back into drawable items.

Runs whose look differs from the block's base style become `<gN>` spans. Spans that must
come back unchanged become `<xN/>`: formulas and math-font runs, code in monospace fonts,
numbers, URLs and e-mail addresses. A protected run drawn by its own operators is later
drawn again from those very operators ("cloned"), so formulas keep their exact glyphs.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from polydoc.formats.pdf._chars import Char, Face, OpKey, PageContent, Rect
from polydoc.formats.pdf._layout import Block
from polydoc.segments import TagBuilder, parse_tagged, same_tags, strip_tags, well_formed

_URL = re.compile(r"(?:https?://|ftp://|www\.)[^\s<>\"]+[^\s<>\".,;:!?)\]]|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUMBER = re.compile(r"(?<![\w.])[-+−]?\d+(?:[.,:/–-]\d+)*(?:%|‰)?(?!\w)")
_MATH_CHARS = frozenset(
    "=+−×÷±∓<>≤≥≠≈≡∑∏∫∮∂∇√∞∈∉∋⊂⊃⊆⊇∪∩∧∨¬→←↔⇒⇐⇔∀∃∅^_|·∘′″⊕⊗⊥∥∝αβγδεζηθικλμνξοπρστυφχψωΓΔΘΛΞΠΣΦΨΩϕϵ"
)
_OPERATOR = re.compile(r"[=<>≤≥≠≈≡±∓×÷+−*/^→⇒⇔∈∉⊂⊆∪∩∝]+")
_OPERAND = re.compile(r"[\w().,'²³¹⁰-⁹₀-₉^_{}\[\]|/*+−-]{1,10}")
_LETTER = re.compile(r"[^\W\d_]")
_LIGATURES = {"ﬀ": "ff", "ﬁ": "fi", "ﬂ": "fl", "ﬃ": "ffi", "ﬄ": "ffl", "ﬅ": "st", "ﬆ": "st"}


@dataclass(frozen=True, slots=True)
class Deco:
    """An underline or strike-through drawn as a rule along the text."""

    offset: float  # of the rule's middle from the baseline, relative to the font size
    width: float  # thickness relative to the font size
    color: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Style:
    family: str  # sans | serif | mono
    bold: bool
    italic: bool
    color: tuple[float, ...]
    scale: float = 1.0  # font size relative to the block's
    rise: float = 0.0  # baseline shift relative to the block's font size
    link: int = -1  # ordinal of the /Link annotation over this text, or -1
    decos: tuple[Deco, ...] = ()


@dataclass(frozen=True, slots=True)
class Run:
    text: str
    style: Style


@dataclass(frozen=True, slots=True)
class Protected:
    """A span that comes back as it was: redrawn as `runs`, or cloned from `ops` when set."""

    runs: tuple[Run, ...]
    ops: tuple[OpKey, ...] = ()
    x0: float = 0.0
    baseline: float = 0.0
    width: float = 0.0


@dataclass(slots=True)
class BlockText:
    text: str  # tagged segment text
    base: Style
    spans: dict[int, Style]
    protected: dict[int, Protected]
    translatable: bool
    strokes: frozenset[OpKey] = frozenset()  # decoration rules removed and redrawn with the text
    whole: bool = False  # one part of a paragraph cut by a break: tags checked on the whole (`_flow`)


Item = Run | Protected


@lru_cache(maxsize=4096)
def _make_style(face: Face, color: tuple[float, ...], scale: float, rise: float) -> Style:
    return Style(face.family, face.bold, face.italic, tuple(round(v, 3) for v in color), scale, rise)


def _style(c: Char, block: Block, baseline: float, marks: _Marks) -> Style:
    size = block.size or 1.0
    style = _make_style(c.face, c.color, round(c.size / size, 1), round((c.baseline - baseline) / size, 1))
    mark = marks.get(id(c))
    return style if mark is None else replace(style, link=mark[0], decos=mark[1])


_Marks = dict[int, tuple[int, tuple[Deco, ...]]]  # id(char) -> (link ordinal, decorations)


def _marks(block: Block, content: PageContent) -> tuple[_Marks, frozenset[OpKey]]:
    """Which characters lie under a link rectangle or along an underline / strike-through, and
    the operators that painted those rules."""
    marks: _Marks = {}
    used: set[OpKey] = set()
    links = [ln for ln in content.links if _touches(ln.rect, block)]
    strokes = [s for s in content.strokes if _touches(s.box, block)]
    if not links and not strokes:
        return marks, frozenset()
    for line in block.lines:
        size = line.size or 1.0
        along = [
            s for s in strokes
            if s.box[0] >= line.x0 - 1 and s.box[2] <= line.x1 + 1
            and -0.35 * size <= (s.box[1] + s.box[3]) / 2 - line.baseline <= 0.45 * size
        ]  # fmt: skip
        for c in line.chars:
            mid_x, mid_y = (c.x0 + c.x1) / 2, (c.y0 + c.y1) / 2
            link = next(
                (
                    ln.ordinal
                    for ln in links
                    if ln.rect[0] - 1 <= mid_x <= ln.rect[2] + 1 and ln.rect[1] - 1 <= mid_y <= ln.rect[3] + 1
                ),
                -1,
            )
            decos = []
            for s in along:
                if s.box[0] - 0.5 <= mid_x <= s.box[2] + 0.5:
                    mid = (s.box[1] + s.box[3]) / 2
                    width = max(s.box[3] - s.box[1], 0.5)
                    decos.append(
                        Deco(round((mid - line.baseline) / size, 2), round(width / size, 3), s.color)
                    )
                    used.add(s.op)
            if link >= 0 or decos:
                marks[id(c)] = (link, tuple(decos))
    return marks, frozenset(used)


def _touches(rect: Rect, block: Block) -> bool:
    return (
        rect[0] < block.x1 + 1
        and rect[2] > block.x0 - 1
        and rect[1] < block.y1 + 1
        and rect[3] > block.y0 - 6
    )


def _atoms(block: Block, marks: _Marks) -> list[tuple[str, Char | None, Style | None]]:
    """(text, source char, style) per character, with the spaces the PDF only implies."""
    atoms: list[tuple[str, Char | None, Style | None]] = []
    for index, line in enumerate(block.lines):
        if index and atoms:
            last = atoms[-1][0]
            hyphenated = last == "-" and len(atoms) > 1 and atoms[-2][0][-1:].isalpha()
            starts_lower = line.text[:1].islower()
            full = block.lines[index - 1].x1 >= block.limit - 1.5 * block.size
            if last == "\u00ad" or (hyphenated and starts_lower and (block.align == "justify" or full)):
                atoms.pop()  # a word a line breaker hyphenated: the line was full, the word goes on
            elif not hyphenated:
                atoms.append((" ", None, None))
        prev: Char | None = None
        for c in line.chars:
            if prev is not None and not prev.text.isspace() and not c.text.isspace():
                if c.x0 - prev.x1 > 0.15 * max(c.size, prev.size):
                    atoms.append((" ", None, None))
            if c.text.isspace():
                atoms.append((" ", c, None))
            else:
                atoms.append((_LIGATURES.get(c.text, c.text), c, _style(c, block, line.baseline, marks)))
            prev = c
    # collapse runs of spaces, trim both ends
    out: list[tuple[str, Char | None, Style | None]] = []
    for atom in atoms:
        if atom[0] == " " and (not out or out[-1][0] == " "):
            continue
        out.append(atom)
    while out and out[-1][0] == " ":
        out.pop()
    # a space takes the style around it only when both sides share it
    for k, (text, c, style) in enumerate(out):
        if style is None and 0 < k < len(out) - 1 and out[k - 1][2] == out[k + 1][2]:
            out[k] = (text, c, out[k - 1][2])
    return out


def _math_spans(text: str) -> list[tuple[int, int]]:
    """Character ranges of formula-like token runs such as `E = mc²` or `x ≤ 5`."""
    tokens = [(m.start(), m.end(), m.group()) for m in re.finditer(r"\S+", text)]
    spans = []
    for start, end, tok in tokens:
        dense = sum(ch in _MATH_CHARS for ch in tok)
        if len(tok) > 1 and dense / len(tok) >= 0.3:
            spans.append((start, end))
    i = 0
    while i < len(tokens):
        if not _OPERATOR.fullmatch(tokens[i][2]):
            i += 1
            continue
        first = i - 1 if i > 0 and _is_operand(tokens[i - 1][2]) else i
        last = i
        while last + 1 < len(tokens) and _is_operand(tokens[last + 1][2]):
            last += 1
            if last + 1 < len(tokens) and _OPERATOR.fullmatch(tokens[last + 1][2]):
                last += 1
                continue
            break
        if last > first or first < i:
            spans.append((tokens[first][0], tokens[last][1]))
        i = last + 1
    return spans


def _is_operand(tok: str) -> bool:
    if not _OPERAND.fullmatch(tok):
        return False
    letters = sum(ch.isalpha() for ch in tok)
    return letters <= 2 or any(ch.isdigit() or ch in "^_()" for ch in tok)


def _protected_ranges(text: str) -> list[tuple[int, int]]:
    found: list[tuple[int, int]] = []
    candidates = [(m.start(), m.end()) for m in _URL.finditer(text)]
    candidates += _math_spans(text)
    candidates += [(m.start(), m.end()) for m in _NUMBER.finditer(text)]
    for start, end in candidates:
        if all(end <= s or start >= e for s, e in found):
            found.append((start, end))
    return sorted(found)


def _runs(atoms: list[tuple[str, Char | None, Style | None]], fallback: Style) -> list[Run]:
    runs: list[Run] = []
    for text, _c, style in atoms:
        style = style or fallback
        if runs and runs[-1].style == style:
            runs[-1] = Run(runs[-1].text + text, style)
        else:
            runs.append(Run(text, style))
    return runs


def _clone_ops(
    chars: list[Char], content: PageContent, op_chars: dict[OpKey, list[Char]]
) -> tuple[OpKey, ...]:
    """The operators that drew exactly these characters, when a clone can redraw them."""
    ops = sorted({c.op for c in chars}, key=lambda k: (k[0], k[1]))
    x0, x1 = min(c.x0 for c in chars) - 1, max(c.x1 for c in chars) + 1
    y0, y1 = min(c.y0 for c in chars) - 1, max(c.y1 for c in chars) + 1
    for key in ops:
        op = content.ops.get(key)
        if key[0] or op is None or not op.font_res:
            return ()
        for c in op_chars.get(key, []):
            if not (x0 <= c.x0 and c.x1 <= x1 and y0 <= c.y0 and c.y1 <= y1):
                return ()
    return tuple(ops)


def block_text(block: Block, content: PageContent, op_chars: dict[OpKey, list[Char]]) -> BlockText:
    marks, strokes = _marks(block, content)
    atoms = _atoms(block, marks)
    weights: Counter[Style] = Counter()
    for text, c, style in atoms:
        if c is not None and style is not None and c.face.kind == "text" and text.strip():
            weights[style] += len(text)
    first_style = next((s for _t, _c, s in atoms if s is not None), None)
    base = weights.most_common(1)[0][0] if weights else first_style or Style("sans", False, False, (0.0,))
    baseline = block.lines[0].baseline
    builder = TagBuilder()

    def add_plain(chunk: list[tuple[str, Char | None, Style | None]]) -> None:
        text = "".join(a[0] for a in chunk)
        pos = 0
        for start, end in _protected_ranges(text):
            _add_styled(builder, chunk, pos, start, base)
            builder.add_standalone(Protected(tuple(_runs(_slice(chunk, start, end), base))))
            pos = end
        _add_styled(builder, chunk, pos, len(text), base)

    i, n = 0, len(atoms)
    while i < n:
        kind = _kind(atoms[i])
        if kind in ("math", "code"):
            j = i
            while j + 1 < n and (_kind(atoms[j + 1]) == kind or (
                atoms[j + 1][0] == " " and j + 2 < n and _kind(atoms[j + 2]) == kind
            )):  # fmt: skip
                j += 1
            span = atoms[i : j + 1]
            chars = [c for _t, c, _s in span if c is not None]
            ops = _clone_ops(chars, content, op_chars)
            line_base = next(
                (ln.baseline for ln in block.lines if any(ch is chars[0] for ch in ln.chars)), baseline
            )
            builder.add_standalone(
                Protected(
                    tuple(_runs(span, base)),
                    ops,
                    min(c.x0 for c in chars),
                    line_base,
                    max(c.x1 for c in chars) - min(c.x0 for c in chars),
                )
            )
            i = j + 1
            continue
        j = i
        while j < n and _kind(atoms[j]) not in ("math", "code"):
            j += 1
        add_plain(atoms[i:j])
        i = j
    text = builder.text()
    translatable = bool(_LETTER.search(strip_tags(text)))
    return BlockText(
        text,
        base,
        dict(builder.spans),
        dict(builder.standalones),
        translatable,
        strokes,  # type: ignore[arg-type]
    )


def _kind(atom: tuple[str, Char | None, Style | None]) -> str:
    return atom[1].face.kind if atom[1] is not None and atom[0].strip() else "space"


def _slice(
    chunk: list[tuple[str, Char | None, Style | None]], start: int, end: int
) -> list[tuple[str, Char | None, Style | None]]:
    """Atoms covering character offsets [start, end) of the chunk's text."""
    out, pos = [], 0
    for atom in chunk:
        nxt = pos + len(atom[0])
        if nxt > start and pos < end:
            out.append(atom)
        pos = nxt
    return out


def _add_styled(
    builder: TagBuilder, chunk: list[tuple[str, Char | None, Style | None]], start: int, end: int, base: Style
) -> None:
    for run in _runs(_slice(chunk, start, end), base):
        builder.add(run.text, None if run.style == base else run.style)


def translated_items(bt: BlockText, translation: str) -> tuple[list[Item], bool]:
    """What to draw for a translation; False when its tags were broken and were dropped."""
    ok = well_formed(translation) and (bt.whole or same_tags(bt.text, translation))
    items: list[Item] = []
    for piece in parse_tagged(translation):
        if piece.standalone is not None:
            protected = bt.protected.get(piece.standalone)
            if protected is not None:
                items.append(protected)
            continue
        style = bt.base
        if ok and piece.open_ids:
            style = bt.spans.get(piece.open_ids[-1], bt.base)
        if piece.text:
            items.append(Run(piece.text, style))
    # spans the engine dropped still come back, at the end, rather than being lost (a part's
    # were brought back on the whole paragraph)
    if not ok and not bt.whole:
        present = {p.standalone for p in parse_tagged(translation) if p.standalone is not None}
        for number, protected in sorted(bt.protected.items()):
            if number not in present:
                items += [Run(" ", bt.base), protected]
    return items, ok
