"""A small HTML tokenizer that records the exact source span of every token.

lxml and `html.parser` report lines, not offsets, and both normalise what they read; rebuilding
by splicing translated text into the source needs exact spans. This follows the HTML tokenizer
closely enough for real pages: tags with attributes (quoted values may hold `>`), comments,
doctype/processing instructions/CDATA, raw text elements (script, style…) and escapable raw text
(title, textarea). Entities are never expanded here and no DTD is ever read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RAW_TEXT = frozenset({"script", "style", "xmp", "iframe", "noembed", "noframes", "textarea", "title"})
_TAG_OPEN = re.compile(r"<([A-Za-z][^\t\n\f\r />]*)")
_END_TAG = re.compile(r"</([A-Za-z][^\t\n\f\r />]*)[^>]*>")
_ATTR_NAME = re.compile(r"[^\t\n\f\r />][^\t\n\f\r /=>]*")
_EQUALS = re.compile(r"[\t\n\f\r ]*=[\t\n\f\r ]*")
_UNQUOTED = re.compile(r"[^\t\n\f\r >]*")
_SEPARATOR = re.compile(r"[\t\n\f\r /]*")
_COMMENT = re.compile(r"<!--(?:>|->|.*?--!?>)", re.S)
_SPECIAL = re.compile(r"<!\[CDATA\[.*?\]\]>|<![^>]*>|<\?[^>]*>|</[^A-Za-z>][^>]*>|</>", re.S)


@dataclass(slots=True)
class Attr:
    name: str  # lower case
    start: int  # value span (inside the quotes); start == end == name end when there is no value
    end: int
    quote: str  # '"', "'" or "" when unquoted or absent
    has_value: bool
    name_end: int


@dataclass(slots=True)
class Token:
    kind: str  # "start" | "end" | "text" | "raw" (script/style body) | "rcdata" (title body) | "other"
    start: int
    end: int
    name: str = ""
    attrs: list[Attr] = field(default_factory=list)
    self_closing: bool = False

    def attr(self, name: str) -> Attr | None:
        return next((a for a in self.attrs if a.name == name), None)


def _start_tag(text: str, pos: int) -> Token | None:
    m = _TAG_OPEN.match(text, pos)
    if m is None:
        return None
    token = Token("start", pos, pos, m.group(1).lower())
    p = m.end()
    while True:
        sep = _SEPARATOR.match(text, p)
        assert sep is not None
        if sep.end() >= len(text):
            return None  # the tag never ends: the "<" is text
        if text[sep.end()] == ">":
            token.self_closing = text[sep.end() - 1] == "/" and sep.end() > p
            token.end = sep.end() + 1
            return token
        name = _ATTR_NAME.match(text, sep.end())
        assert name is not None
        p = name.end()
        eq = _EQUALS.match(text, p)
        if eq is None:
            token.attrs.append(Attr(name.group(0).lower(), p, p, "", False, p))
            continue
        v = eq.end()
        if v < len(text) and text[v] in "\"'":
            close = text.find(text[v], v + 1)
            if close < 0:
                return None
            token.attrs.append(Attr(name.group(0).lower(), v + 1, close, text[v], True, name.end()))
            p = close + 1
        else:
            value = _UNQUOTED.match(text, v)
            assert value is not None
            token.attrs.append(Attr(name.group(0).lower(), v, value.end(), "", True, name.end()))
            p = value.end()


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    pos, text_start, n = 0, 0, len(text)

    def flush_text(upto: int) -> None:
        if upto > text_start:
            tokens.append(Token("text", text_start, upto))

    while True:
        lt = text.find("<", pos)
        if lt < 0:
            break
        token: Token | None = None
        if text.startswith("<!--", lt):
            m = _COMMENT.match(text, lt)
            token = Token("other", lt, m.end() if m else n)
        elif text.startswith(("<!", "<?", "</"), lt):
            m = _END_TAG.match(text, lt)
            if m:
                token = Token("end", lt, m.end(), m.group(1).lower())
            else:
                m = _SPECIAL.match(text, lt)
                token = Token("other", lt, m.end()) if m else None
        else:
            token = _start_tag(text, lt)
        if token is None:
            pos = lt + 1
            continue
        flush_text(lt)
        tokens.append(token)
        pos = text_start = token.end
        if token.kind == "start" and token.name in _RAW_TEXT and not token.self_closing:
            close = re.compile(rf"</{re.escape(token.name)}(?=[\t\n\f\r />])", re.I).search(text, pos)
            body_end = close.start() if close else n
            if body_end > pos:
                kind = "rcdata" if token.name in ("title", "textarea") else "raw"
                tokens.append(Token(kind, pos, body_end))
            pos = text_start = body_end
    flush_text(n)
    return tokens
