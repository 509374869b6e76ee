"""Inline Markdown: markdown-it's inline tokens laid back onto the exact source they came from.

markdown-it tells what a paragraph contains (emphasis, links, code, breaks) but not where; this
walks its tokens over the paragraph's source text and records each piece's span, so the segment
can be spliced back without touching a byte of markup. Emphasis, strong, strikethrough, links,
images and paired inline HTML become `<gN>` (an image's alt text is translated in place); inline
code, autolinks, bare URLs, hard breaks and other inline HTML become `<xN/>`. Anything the walk
cannot place raises `Misaligned` and the caller leaves that block untranslated.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Sequence
from html.entities import html5
from typing import TYPE_CHECKING

from polydoc.formats.web._html_flow import URL, Part, split_urls

if TYPE_CHECKING:
    from markdown_it.token import Token

_PUNCT = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_SOFT = re.compile(r"[ \t]*\n[ \t]*")
_HARD = re.compile(r"(?:[ \t]*\\|[ \t]{2,})\n[ \t]*")
_WS = re.compile(r"[ \t\n]*")
_HTML_OPEN = re.compile(r"<([A-Za-z][A-Za-z0-9-]*)[^>]*(?<!/)>$")
_HTML_CLOSE = re.compile(r"</([A-Za-z][A-Za-z0-9-]*)\s*>$")
# Bare URLs, e-mail addresses and GFM footnote references stay as they are.
_OPAQUE_TEXT = re.compile(rf"{URL.pattern}|\[\^[^\]\s]+\]")
_CODE_HTML = frozenset({"code", "kbd", "samp", "var"})
_VOID = frozenset("area base br col embed hr img input link meta param source track wbr".split())


class Misaligned(Exception):
    """The tokens do not match the source text (a construct this walk does not know)."""


def _entity(ref: str) -> str:
    """One entity reference as markdown-it reads it: only complete HTML5 names count."""
    return html.unescape(ref) if ref[1] == "#" else html5.get(ref[1:], ref)


_DECODE = re.compile(r"\\([!-/:-@\[-`{-~])|" + _ENTITY.pattern)


def decode(raw: str) -> str:
    """Markdown source text → the text it shows: backslash escapes and entities resolved."""
    return _DECODE.sub(lambda m: m.group(1) or _entity(m.group(0)), raw)


class Aligner:
    """Walks inline tokens over `v` (the paragraph's lines, container prefixes removed)."""

    def __init__(self, v: str, to_abs: Callable[[int], int], source: str) -> None:
        self.v = v
        self.source = source
        self.to_abs = to_abs
        self.pos = 0
        self.parts: list[Part] = []
        self.keys: list[tuple[int, int]] = []  # (key, link text start) of open spans
        self.next_key = 0

    def part(self, kind: str, a: int, b: int, **kw: object) -> None:
        self.parts.append(Part(kind, self.to_abs(a), self.to_abs(b), **kw))  # type: ignore[arg-type]

    def expect(self, s: str) -> int:
        if not self.v.startswith(s, self.pos):
            raise Misaligned(f"expected {s!r} at {self.pos}")
        a = self.pos
        self.pos += len(s)
        return a

    def open(self, markup: str) -> None:
        a = self.expect(markup)
        self.next_key += 1
        self.keys.append((self.next_key, self.pos))
        self.part("open", a, self.pos, key=self.next_key)

    def close(self, markup: str) -> None:
        a = self.expect(markup)
        key, _ = self.keys.pop()
        self.part("close", a, self.pos, key=key)

    def text(self, expected: str) -> None:
        v, p, i = self.v, self.pos, 0
        while i < len(expected):
            if p >= len(v):
                raise Misaligned("text runs past the paragraph")
            if v[p] == "\\" and p + 1 < len(v) and v[p + 1] in _PUNCT and v[p + 1] == expected[i]:
                p, i = p + 2, i + 1
            elif v[p] == "&" and (m := _ENTITY.match(v, p)) and expected.startswith(_entity(m[0]), i):
                p, i = m.end(), i + len(_entity(m[0]))
            elif v[p] == expected[i]:
                p, i = p + 1, i + 1
            else:
                raise Misaligned(f"text {expected!r} does not match at {p}")
        if p > self.pos:
            a, b = self.to_abs(self.pos), self.to_abs(p)
            self.parts.extend(split_urls(a, b, self.source, _OPAQUE_TEXT))
        self.pos = p

    def code(self, markup: str) -> None:
        a = self.expect(markup)
        m = re.compile(rf"(?<!`){re.escape(markup)}(?!`)").search(self.v, self.pos)
        if m is None:
            raise Misaligned("unclosed code span")
        self.pos = m.end()
        self.part("x", a, self.pos)

    def regex(self, pattern: re.Pattern[str], kind: str, **kw: object) -> None:
        m = pattern.match(self.v, self.pos)
        if m is None:
            raise Misaligned(f"{pattern.pattern} does not match at {self.pos}")
        self.part(kind, self.pos, m.end(), **kw)
        self.pos = m.end()

    def link_tail(self, label_start: int) -> str | None:
        """Consume what follows `]`; the label to write back when the text changes, if it is one."""
        v = self.v
        if v.startswith("(", self.pos):
            p = _WS.match(v, self.pos + 1).end()  # type: ignore[union-attr]
            if v.startswith(")", p):
                self.pos = p + 1
                return None
            from markdown_it.helpers import parseLinkDestination, parseLinkTitle  # on first use (0.04 s)

            dest = parseLinkDestination(v, p, len(v))
            if dest.ok:
                p = _WS.match(v, dest.pos).end()  # type: ignore[union-attr]
                if not v.startswith(")", p):
                    title = parseLinkTitle(v, p, len(v))
                    p = _WS.match(v, title.pos).end() if title.ok else p  # type: ignore[union-attr]
                if v.startswith(")", p):
                    self.pos = p + 1
                    return None
        label = " ".join(v[label_start : self.pos - 1].split())
        if v.startswith("[", self.pos):
            end = re.compile(r"(?:[^\\\]]|\\.)*\]", re.S).match(v, self.pos + 1)
            if end is None:
                raise Misaligned("unclosed link label")
            collapsed = end.end() == self.pos + 2
            self.pos = end.end()
            return f"][{label}]" if collapsed else None
        return f"][{label}]"  # shortcut reference: keep the label when the text changes

    def walk(self, tokens: Sequence[Token]) -> None:
        skip_autolink = False
        for tok in tokens:
            t = tok.type
            if skip_autolink:
                skip_autolink = t != "link_close"
                continue
            if t == "text":
                self.text(tok.content)
            elif t == "softbreak":
                self.regex(_SOFT, "text", text=" ")
            elif t == "hardbreak":
                self.regex(_HARD, "x")
            elif t == "code_inline":
                self.code(tok.markup)
            elif t in ("strong_open", "em_open", "s_open"):
                self.open(tok.markup)
            elif t in ("strong_close", "em_close", "s_close"):
                self.close(tok.markup)
            elif t == "link_open" and tok.markup in ("autolink", "linkify"):
                end = self.v.find(">", self.pos) + 1 if tok.markup == "autolink" else 0
                if end <= self.pos:
                    raise Misaligned("autolink")
                self.part("x", self.pos, end)
                self.pos, skip_autolink = end, True
            elif t == "link_open":
                self.open("[")
            elif t == "link_close":
                self.close_link()
            elif t == "image":
                self.open("![")
                self.walk(tok.children or [])
                self.close_link()
            elif t == "html_inline":
                self.inline_html(tok.content)
            elif t == "text_special":
                self.text(tok.content)
            else:
                raise Misaligned(f"unknown inline token {t}")

    def close_link(self) -> None:
        a = self.expect("]")
        key, label_start = self.keys.pop()
        raw = self.link_tail(label_start)
        self.part("close", a, self.pos, key=key, raw=raw)

    def inline_html(self, content: str) -> None:
        a = self.expect(content)
        if (m := _HTML_OPEN.match(content)) and m.group(1).lower() not in _VOID:
            self.part("open", a, self.pos, key=m.group(1).lower())
        elif m := _HTML_CLOSE.match(content):
            name = m.group(1).lower()
            self.part("close", a, self.pos, key=name)
            opening = [i for i, p in enumerate(self.parts) if p.kind == "open" and p.key == name]
            if name in _CODE_HTML and opening:  # <kbd>Ctrl</kbd> is kept whole, as in HTML pages
                start = self.parts[opening[-1]].start
                del self.parts[opening[-1] :]
                self.parts.append(Part("x", start, self.to_abs(self.pos)))
        else:
            self.part("x", a, self.pos)


def align(v: str, to_abs: Callable[[int], int], source: str, children: Sequence[Token]) -> list[Part]:
    aligner = Aligner(v, to_abs, source)
    aligner.walk(children)
    if aligner.pos != len(v) or aligner.keys:
        raise Misaligned("tokens end before the paragraph does")
    return aligner.parts


_ESCAPE = re.compile(r"[\\`*\[\]]|(?<!\w)_|_(?!\w)|<(?=[A-Za-z/!?])|&(?=#?\w+;)")
_BLOCK_START = re.compile(r"#{1,6}(?=\s|$)|>|[-+](?=\s|$)|\d{1,9}(?=[.)](?:\s|$))")


def escape(text: str) -> str:
    """Translated text → Markdown source that shows exactly that text, on one line."""
    return _ESCAPE.sub(lambda m: "\\" + m.group(0), " ".join(text.splitlines()))


def guard_line_start(text: str) -> str:
    """Escape what would turn a paragraph's first line into a heading, quote or list item."""
    m = _BLOCK_START.match(text)
    if m is None:
        return text
    at = m.end() if text[0].isdigit() else 0
    return text[:at] + "\\" + text[at:]
