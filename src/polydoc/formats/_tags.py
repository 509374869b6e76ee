"""Inline tags in segment text: `<gN>…</gN>` (paired) and `<xN/>` (standalone)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

TAG = re.compile(r"<(/?)g(\d+)>|<x(\d+)/>")


def tags_of(text: str) -> Counter[str]:
    return Counter(m.group(0) for m in TAG.finditer(text))


def same_tags(source: str, translated: str) -> bool:
    """True when both texts carry exactly the same multiset of tags."""
    return tags_of(source) == tags_of(translated)


def well_formed(text: str) -> bool:
    """Paired tags open and close in a properly nested order."""
    stack: list[str] = []
    for m in TAG.finditer(text):
        if m.group(3) is not None:
            continue
        if m.group(1):
            if not stack or stack.pop() != m.group(2):
                return False
        else:
            stack.append(m.group(2))
    return not stack


def strip_tags(text: str) -> str:
    return TAG.sub("", text)


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of plain text under the open paired tags `open_ids`, or a standalone tag."""

    text: str
    open_ids: tuple[int, ...] = ()
    standalone: int | None = None  # id of an <xN/> tag; text is "" then


def parse_tagged(text: str) -> list[Piece]:
    """Split tagged text into pieces, each knowing which <gN> spans enclose it.

    Unbalanced closing tags are ignored rather than raising: callers check
    `same_tags`/`well_formed` first and fall back to the source when they fail.
    """
    pieces: list[Piece] = []
    stack: list[int] = []
    pos = 0
    for m in TAG.finditer(text):
        if m.start() > pos:
            pieces.append(Piece(text[pos : m.start()], tuple(stack)))
        pos = m.end()
        if m.group(3) is not None:
            pieces.append(Piece("", tuple(stack), standalone=int(m.group(3))))
        elif m.group(1):
            n = int(m.group(2))
            if n in stack:
                while stack and stack.pop() != n:
                    pass
        else:
            stack.append(int(m.group(2)))
    if pos < len(text):
        pieces.append(Piece(text[pos:], tuple(stack)))
    return pieces


class TagBuilder:
    """Builds tagged text from runs that carry a formatting key.

    Runs with key None are plain; a run with a key is wrapped in `<gN>` and the key is
    remembered in `spans[N]`. Adjacent runs with the same key share one tag.
    """

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.spans: dict[int, object] = {}
        self.standalones: dict[int, object] = {}
        self._next = 1
        self._open_key: object | None = None
        self._open = False

    def _close(self) -> None:
        if self._open:
            self.parts.append(f"</g{self._next - 1}>")
            self._open = False
            self._open_key = None

    def add(self, text: str, key: object | None = None) -> None:
        if not text:
            return
        if key is None:
            self._close()
        elif not (self._open and self._open_key == key):
            self._close()
            self.spans[self._next] = key
            self.parts.append(f"<g{self._next}>")
            self._next += 1
            self._open, self._open_key = True, key
        self.parts.append(text)

    def add_standalone(self, payload: object) -> int:
        self._close()
        n = self._next
        self._next += 1
        self.standalones[n] = payload
        self.parts.append(f"<x{n}/>")
        return n

    def text(self) -> str:
        self._close()
        return "".join(self.parts)
