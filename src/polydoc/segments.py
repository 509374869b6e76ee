"""Segments, the inline tag vocabulary they carry, and what counts as translatable.

A segment is one piece of a document to translate, in reading order, with an id that is its
structural path (`word/document.xml#p14`), so rebuilding is a dictionary lookup.

Its text carries inline formatting as XLIFF-style tags (Translate Toolkit's placeables):
`<gN>…</gN>` wraps a span (a bold run, a link) and `<xN/>` stands for something that is not text
(a line break, an image, a field). The format handler remembers what N means; engines only have
to keep the tags, and a translation whose tags differ from its source's is not used.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

TAG = re.compile(r"<(/?)g(\d+)>|<x(\d+)/>")
# a URL (with a scheme, or starting www.) or an e-mail address: never words to translate
_URL_OR_EMAIL = re.compile(r"(?:https?://|ftp://|www\.|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.I)


@dataclass(frozen=True, slots=True)
class Segment:
    id: str  # structural path, e.g. "word/document.xml#p14"; unique within the document
    text: str  # "Press <g1>Save</g1><x2/>now"
    context: str = ""  # optional hint for engines: "title", "heading", "cell", "alt"…


def translatable(text: str) -> bool:
    """True when tagged text has something to translate: a letter outside tags, URLs and e-mails.

    The one rule every format asks ("is there anything here for the engine?"); table cells ask
    `is_data_value` on top, since a cell may hold codes and keywords a program reads.
    """
    plain = strip_tags(text)
    if any(mark in plain for mark in ("://", "www.", "@", "mailto:")):
        plain = _URL_OR_EMAIL.sub(" ", plain)
    return any(ch.isalpha() for ch in plain)


_NUMBER = re.compile(r"[-+(]?[$€£¥₹]?\d[\d.,'\u00a0\u202f]*(?:[eE][-+]?\d+)?%?\)?")
_DATE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[AaPp]\.?[Mm]\.?)?")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CODE_CHARS = re.compile(r"[\d_/\\@#{}<>=|~^$%&*+]|\w\.\w")
_CAMEL = re.compile(r"[a-z]+[A-Z]\w*")
_BOOLEANS = {"true", "false"}
_LETTER = re.compile(r"[^\W\d_]")
_PUNCTUATION = ".,;:!?\"'()[]«»“”‘’¿¡"


def _token_is_data(token: str) -> bool:
    word = token.strip(_PUNCTUATION)
    if word.isalpha():  # the common case, kept fast: a plain word is data only as a keyword or code
        return word.casefold() in _BOOLEANS or _all_caps(word) or bool(_CAMEL.fullmatch(word))
    if not _LETTER.search(token):
        return True
    if any(p.fullmatch(token) for p in (_NUMBER, _DATE, _TIME, _URL, _EMAIL)):
        return True
    return bool(_CODE_CHARS.search(word)) or _all_caps(token)


def _all_caps(token: str) -> bool:
    return token.isupper() and len(_LETTER.findall(token)) >= 2


def is_data_value(text: str) -> bool:
    """True when `text` is a value to keep as it is (number, date, code, URL…), not words."""
    tokens = text.split()
    if not tokens:
        return True
    if len(tokens) == 1:
        return _token_is_data(tokens[0])
    # "USD 100" is data, "PLEASE READ CAREFULLY" is shouted words
    return all(_token_is_data(t) for t in tokens) and not all(_all_caps(t) for t in tokens)


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
