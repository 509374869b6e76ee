"""One page from characters to segments, and from translations to an overlay drawing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field

from reportlab.pdfgen.canvas import Canvas

from polydoc.formats.pdf._chars import Char, OpKey, PageContent, ShowOp, invert
from polydoc.formats.pdf._draw import Box, Placement, Setting, draw, fit, room
from polydoc.formats.pdf._layout import Block, page_blocks
from polydoc.formats.pdf._text import BlockText, block_text, translated_items
from polydoc.formats.pdf.glyphs.fonts import FontBook


def segment_id(page_no: int, block: Block) -> str:
    return f"p{page_no}#b{block.number}"


@dataclass(slots=True)
class PageText:
    """A page's blocks with their segment text, in reading order."""

    number: int  # 1-based
    content: PageContent
    blocks: list[Block]
    texts: list[BlockText]

    def segments(self) -> Iterator[tuple[str, str, str]]:
        for block, bt in zip(self.blocks, self.texts, strict=True):
            if bt.translatable:
                yield segment_id(self.number, block), bt.text, block.context


def page_text(number: int, content: PageContent) -> PageText:
    blocks = page_blocks(content)
    op_chars: dict[OpKey, list[Char]] = defaultdict(list)
    for c in content.chars:
        if c.text.strip():
            op_chars[c.op].append(c)
    return PageText(number, content, blocks, [block_text(b, content, op_chars) for b in blocks])


@dataclass(slots=True)
class PagePlan:
    """What a rebuild does to one page: operators to remove and spans to clone."""

    remove: dict[OpKey, ShowOp]
    clones: list[Placement]
    ctm: tuple[float, ...]
    paths: set[OpKey] = field(default_factory=set)  # underlines and strike-throughs redrawn
    links: dict[int, list[Box]] = field(default_factory=dict)  # link ordinal -> new boxes (display)
    fallbacks: list[str] = field(default_factory=list)  # segment ids whose tags were broken
    shrunk: int = 0  # blocks set smaller than the source to fit
    overflow: int = 0  # blocks that did not fit even at the smallest size and grown
    locked: int = 0  # translated blocks left alone: their operators also draw other text


def _groups(page: PageText, changed: set[int]) -> tuple[list[int], int]:
    """Blocks to redraw: the changed ones and every block sharing an operator with them."""
    parent = list(range(len(page.blocks)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    owner: dict[OpKey, int] = {}
    for i, block in enumerate(page.blocks):
        for op in block.ops:
            if op in owner:
                parent[find(i)] = find(owner[op])
            else:
                owner[op] = i
    # operators that also draw visible text we cannot lay out again (rotated, no Unicode) stay
    foreign = {c.op for c in page.content.chars if c.text.strip() and c.visible and not c.usable}
    foreign |= {c.op for c in page.content.chars if not c.text and c.visible}
    wanted = {find(i) for i in changed}
    blocked = {find(owner[op]) for op in foreign if op in owner}
    chosen = [i for i in range(len(page.blocks)) if find(i) in wanted and find(i) not in blocked]
    locked = sum(1 for i in changed if find(i) in blocked)
    return chosen, locked


def plan_page(
    page: PageText, translations: Mapping[str, str], canvas: Canvas, fonts_of: Callable[[], FontBook]
) -> PagePlan | None:
    """Draw the page's translated blocks on `canvas` (one overlay page); None if nothing changes."""
    changed: dict[int, str] = {}
    for i, (block, bt) in enumerate(zip(page.blocks, page.texts, strict=True)):
        translation = translations.get(segment_id(page.number, block)) if bt.translatable else None
        if translation is not None and translation != bt.text:
            changed[i] = translation
    if not changed:
        return None
    chosen, locked = _groups(page, set(changed))
    if not chosen:
        return PagePlan({}, [], page.content.ctm, locked=locked)
    fonts: FontBook = fonts_of()
    content = page.content
    plan = PagePlan({}, [], content.ctm, locked=locked)
    redraw = set(chosen)
    obstacles: list[Box] = [(b.x0, b.y0, b.x1, b.y1) for b in page.blocks]
    obstacles += content.rules + content.edges
    left, bottom = min(b.x0 for b in page.blocks), min(b.y0 for b in page.blocks)
    right, top = max(b.x1 for b in page.blocks), max(b.y1 for b in page.blocks)
    # text may use the page up to its margins, taken as symmetric when one side is unknown
    text_box = (
        max(0.0, min(left, content.width - right)), max(0.0, min(bottom, content.height - top)),
        min(content.width, max(right, content.width - left)), top,
    )  # fmt: skip
    settings: list[Setting] = []
    for i, (block, bt) in enumerate(zip(page.blocks, page.texts, strict=True)):
        if i not in redraw:
            continue
        own = (block.x0, block.y0, block.x1, block.y1)
        items, ok = translated_items(bt, changed.get(i, bt.text))
        if not ok:
            plan.fallbacks.append(segment_id(page.number, block))
        setting = fit(
            fonts, block, bt.base, items, *room(block, [o for o in obstacles if o != own], text_box)
        )
        if setting.words:
            obstacles.append(setting.box(setting.scale))
            settings.append(setting)
        for op in block.ops:
            if op in content.ops:
                plan.remove[op] = content.ops[op]
        plan.paths |= bt.strokes
    canvas.setPageSize((content.width, content.height))
    canvas.saveState()
    canvas.transform(*invert(content.ctm))  # we draw in pdfminer's display space
    for setting in settings:  # each paragraph at its own size: shrinking one shrinks no other
        plan.clones += draw(canvas, fonts, setting, setting.scale, plan.links)
        plan.shrunk += setting.scale < 1.0
        plan.overflow += not setting.fits
    canvas.restoreState()
    return plan
