"""Bilingual HTML: each translated block keeps its source and is followed by its translation.

A flow that is all the text of a paragraph-like element (p, h1–h6, blockquote, dt, dd, a div
of text…, with an explicit end tag) gets a copy of that element after it: the same start tag
with `lang` set to the target language (and no `id`, which must stay unique), the translated
text, the same end tag. A flow that shares its element with other text or blocks, or sits in
an element that cannot be repeated (li, td, th, caption, figcaption: a second one would be a
new list item or cell, or invalid), gets its translation right after it, on a new line inside
the same element: `<br/><span lang="…">…</span>`. Text that cannot hold markup (title, option) is translated in
place, as in the plain mode; so are attributes (alt, title…).
"""

from __future__ import annotations

import html
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from polydoc.formats.web._html_flow import Flow
from polydoc.formats.web._html_tokens import Token

REPEATABLE = frozenset(
    """p h1 h2 h3 h4 h5 h6 dt dd blockquote address div section article aside header footer main nav
    center search figure""".split()
)
PLAIN_ONLY = frozenset("title option optgroup select datalist".split())
_CLOSES_P = frozenset(
    """address article aside blockquote center details dialog dir div dl fieldset figcaption figure footer
    form h1 h2 h3 h4 h5 h6 header hgroup hr main menu nav ol p pre search section table ul""".split()
)
_SIBLINGS = {"li": {"li"}, "dt": {"dt", "dd"}, "dd": {"dt", "dd"}, "option": {"option"}, "tr": {"tr"}}
_SIBLINGS |= {"td": {"td", "th"}, "th": {"td", "th"}}


@dataclass(slots=True, eq=False)
class Block:
    name: str
    start: Token
    end: Token | None = None  # None: ended without an end tag
    flows: int = 0
    nested: bool = False  # holds another block element


class Blocks:
    """The innermost block element around any source offset."""

    def __init__(self, tokens: list[Token], block_names: frozenset[str], void: frozenset[str]) -> None:
        self.starts: list[int] = []
        self.owner: list[Block | None] = []
        stack: list[Block] = []
        for t in tokens:
            if t.kind == "start" and t.name in block_names and t.name not in void and not t.self_closing:
                while stack and _implicitly_closed(stack[-1].name, t.name):
                    stack.pop()
                if stack:
                    stack[-1].nested = True
                stack.append(Block(t.name, t))
            elif t.kind == "end" and t.name in block_names:
                match = next((k for k in range(len(stack) - 1, -1, -1) if stack[k].name == t.name), None)
                if match is not None:
                    stack[match].end = t
                    del stack[match:]
            self.starts.append(t.start)
            self.owner.append(stack[-1] if stack else None)

    def around(self, offset: int) -> Block | None:
        k = bisect_right(self.starts, offset) - 1
        return self.owner[k] if k >= 0 else None


def _implicitly_closed(open_name: str, new: str) -> bool:
    return (open_name == "p" and new in _CLOSES_P) or new in _SIBLINGS.get(open_name, ())


Edit = tuple[int, int, str]


def bilingual_edits(
    source: str,
    blocks: Blocks,
    flows: list[Flow],
    rendered: Callable[[Flow], str | None],
    lang: str,
    splice: Callable[[int, int], str],
) -> tuple[list[Edit], list[Flow]]:
    """Edits that add each translation beside its source, and the flows that must be translated
    in place instead. `rendered(flow)` is its translation as markup (None: not translated);
    `splice(start, end)` the source span with the page's other edits (translated attributes)."""
    owners = [blocks.around(flow.start) for flow in flows]
    for block in owners:
        if block is not None:
            block.flows += 1
    edits: list[Edit] = []
    in_place: list[Flow] = []
    for flow, block in zip(flows, owners, strict=True):
        if block is not None and block.name in PLAIN_ONLY:
            in_place.append(flow)
            continue
        text = rendered(flow)
        if text is None:
            continue
        if block is not None and block.name in REPEATABLE and block.end is not None and _alone(block):
            copy = (
                _indent(source, block.start.start)
                + start_tag(source, block.start, lang)
                + splice(block.start.end, flow.start)
                + text
                + splice(flow.end, block.end.start)
                + source[block.end.start : block.end.end]
            )
            edits.append((block.end.end, block.end.end, copy))
        else:
            edits.append((flow.end, flow.end, f'<br/><span lang="{_quoted(lang)}">{text}</span>'))
    return edits, in_place


def _indent(source: str, at: int) -> str:
    """A line break and the source block's indentation, when it starts a line of its own."""
    line = source.rfind("\n", 0, at)
    lead = source[line + 1 : at]
    return "\n" + lead if line >= 0 and not lead.strip() else ""


def _alone(block: Block) -> bool:
    return block.flows == 1 and not block.nested


def start_tag(source: str, tag: Token, lang: str) -> str:
    """The start tag again, with `lang` set and without `id` or another language."""
    out, pos = [], tag.start
    for attr in tag.attrs:
        if attr.name in ("id", "lang", "xml:lang"):
            name_start = attr.name_end - len(attr.name)
            end = attr.end + (1 if attr.quote else 0) if attr.has_value else attr.name_end
            out.append(source[pos:name_start].rstrip(" \t\n\r\f"))
            pos = end
    out.append(source[pos : tag.end])
    text = "".join(out)
    at = 1 + len(tag.name)
    return f'{text[:at]} lang="{_quoted(lang)}"{text[at:]}'


def _quoted(text: str) -> str:
    return html.escape(text, quote=True)
