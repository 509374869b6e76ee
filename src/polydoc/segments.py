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
from functools import lru_cache

TAG = re.compile(r"<(/?)g(\d+)>|<x(\d+)/>")
# Tokens no engine may change (URLs, e-mail addresses, paths, file names, identifiers): engines
# get them as placeholders (`engines/protect.py`) and they never make a text translatable.
_TLD = "com|org|net|edu|gov|mil|int|info|biz|io|co|ai|app|dev|uk|de|fr|es|it|nl|eu|ca|au|us|jp|cn|ru|br|ch|se|fi|dk|pl|pt|at|cz|ie|nz|mx|ar"
_FILE_EXT = (
    "html?|xhtml|php|aspx?|jsp|cfm|cgi|py|js|ts|css|json|xml|ya?ml|md|txt|csv|tsv|pdf|docx?|xlsx?|pptx?"
    "|od[tsp]|epub|png|jpe?g|gif|svg|webp|ico|zip|gz|tgz|bz2|xz|tar|exe|dll|so|dylib|sh|bat|ps1|ini|cfg"
    "|conf|toml|log|sql|db|java|cpp|hpp|rs|go|rb|po|pot|xliff|xlf|srt|vtt|mp3|mp4|wav|iso|deb|rpm"
)
_PROTECTED = re.compile(
    rf"""
    (?:[A-Za-z][A-Za-z0-9+.-]*://|www\.)[^\s<>"'«»“”]+                       # URL: scheme or www.
  | (?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+                                  # e-mail address
  | (?<![\w@/.-])(?:[\w-]+\.)+(?:{_TLD})\b(?:/[^\s<>"'«»“”]*)?                # bare domain, with a path
  | \b[A-Za-z]:\\[^\s<>"']+                                                   # Windows path
  | (?<![\w/~])~[\w.-]*(?:/[\w.~%+@:-]+)*/?                                   # ~user, ~/folder
  | (?<![\w/~.])\.{{0,2}}(?:/[\w.~%+@:-]+){{2,}}/?                            # /a/b, ../a/b
  | (?<![\w/~.])/[\w.~%+@:-]+/                                                # /folder/
  | (?<![\w.-])[\w-]+\.(?:{_FILE_EXT})\b                                      # file name
  | \b(?=[\w-]*\d)(?=[\w-]*[^\W\d_])(?!\d+[a-z]{{1,2}}\b)\w+(?:-\w+)*         # letters with digits: ids
  | \b[a-z]+[A-Z]\w*                                                          # camelCase
  | \b[^\W_]+(?:_[^\W_]+)+\b                                                  # snake_case, ALL_CAPS_CODE
    """,
    re.X,
)
# what a protected token needs: a cheap test that skips the big pattern for most prose
_MAYBE_PROTECTED = re.compile(r"[\d@/\\~_]|\.\w|[a-z][A-Z]")
_TRAILING = ".,;:!?)]}'\"»”"
# a word of prose: only letters, between spaces (or opening marks) and spaces (or closing marks)
_PROSE_WORD = re.compile(r"(?:^|(?<=[\s(\[\"'«“¿¡]))[^\W\d_]+(?=[,;:!?.)\]\"'»”]*(?:\s|$))")


def protected_spans(plain: str) -> list[tuple[int, int]]:
    """(start, end) of the URLs, e-mail addresses, paths, file names and identifiers in untagged
    text: `www.amazon.com`, `ray@oreilly.com`, `/forums/forums.cfm`, `index.cfm`, `~jkorpela`,
    `3OQX89CUTAV1X`, `getElementById`, `ERR_TIMEOUT`. Sentence punctuation after them is not theirs.
    Plain words, numbers, dates and words in capitals are left to the engine."""
    if not _MAYBE_PROTECTED.search(plain):
        return []
    return list(_protected_spans(plain))


@lru_cache(maxsize=8192)  # a run asks for a text's spans three times: to protect, to route, to check
def _protected_spans(plain: str) -> tuple[tuple[int, int], ...]:
    spans = []
    for m in _PROTECTED.finditer(plain):
        end = m.end()
        while end > m.start() + 1 and plain[end - 1] in _TRAILING:
            end -= 1
        spans.append((m.start(), end))
    return tuple(spans)


@dataclass(frozen=True, slots=True)
class Segment:
    id: str  # structural path, e.g. "word/document.xml#p14"; unique within the document
    text: str  # "Press <g1>Save</g1><x2/>now"
    context: str = ""  # optional hint for engines: "title", "heading", "cell", "alt"…


def translatable(text: str) -> bool:
    """True when tagged text has something to translate: a letter outside tags and outside the
    tokens engines must not touch (`protected_spans`).

    The one rule every format asks ("is there anything here for the engine?"); table cells ask
    `is_data_value` on top, since a cell may hold codes and keywords a program reads.
    """
    plain = strip_tags(text)
    for m in _PROSE_WORD.finditer(plain):  # the common case: a plain word settles it
        word = m.group(0)
        if not (word[0].islower() and not word.islower()):  # "iPhone" is a name, not prose
            return True
    return any(ch.isalpha() for ch in _without_protected(plain))


def prose(text: str) -> str:
    """The words of tagged text: its tags and protected tokens left out (what language detection
    should read: `3OQX89CUTAV1X` and a list of URLs are no language)."""
    return _without_protected(strip_tags(text))


def _without_protected(plain: str) -> str:
    return without_spans(plain, protected_spans(plain))


def without_spans(plain: str, spans: list[tuple[int, int]]) -> str:
    """`plain` without the given (start, end) spans, each replaced by a space."""
    kept, pos = [], 0
    for start, end in spans:
        kept.append(plain[pos:start])
        pos = end
    kept.append(plain[pos:])
    return " ".join(kept)


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
    # "USD 100" is data; "PLEASE READ CAREFULLY" and "MARRIED ONE INCOME 2 CHILDREN" are words in
    # capitals: two of them make prose (the engine keeps the capitals, see engines/routing.py)
    words_in_capitals = sum(1 for t in tokens if (w := t.strip(_PUNCTUATION)).isalpha() and _all_caps(w))
    return words_in_capitals < 2 and all(_token_is_data(t) for t in tokens)


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


def term_in(term: str, text: str) -> bool:
    """Case-insensitive whole-word occurrence of `term` in `text` (how glossary terms are found)."""
    if not term.strip():
        return False
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text, re.IGNORECASE) is not None


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
