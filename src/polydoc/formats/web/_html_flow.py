"""Inline flows, shared by the HTML and Markdown handlers: source pieces that become one segment.

A flow is a list of parts, each a span of the decoded source: text, an opening or closing inline
markup (`<b>`, `**`), or something opaque that must not be translated (an image, inline code, a
URL). The segment is the trimmed core of the flow: markup wrapping the whole sentence and opaque
pieces at its edges stay outside, so the engine sees as few tags as possible. On rebuild the core's
span is replaced by the translation with every tag turned back into the source markup it stood
for, so everything outside the core keeps its exact bytes.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import dataclass

from polydoc.formats._placeholders import repair, repair_warning
from polydoc.segments import translatable

_NAMED = re.compile(r"&[A-Za-z][A-Za-z0-9]*;")
_SPACE = re.compile(r"[ \t\n\r\f]+")
_EDGE_SPACE = " \t\n\r\f"
# Bare URLs and e-mail addresses inside text are carried as <xN/> so the engine cannot touch them.
URL = re.compile(
    r"\b(?:https?|ftp)://[^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)]|\bwww\.[\w-]+\.[^\s<>\"'\[\]]*[^\s<>\"'\[\].,;:!?)]"
    r"|\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b"
)


@dataclass(slots=True)
class Part:
    kind: str  # "text" | "open" | "close" | "x"
    start: int  # span in the decoded source
    end: int
    text: str | None = None  # text of a "text" part when it is not just its decoded span (a soft break)
    key: object = None  # pairs an "open" with its "close"
    raw: str | None = None  # markup written back instead of the source span (a rewritten link label)
    n: int = 0  # tag number within the segment


@dataclass(slots=True)
class Flow:
    id: str
    parts: list[Part]  # the core only, numbered
    text: str  # segment text
    context: str

    @property
    def start(self) -> int:
        return self.parts[0].start

    @property
    def end(self) -> int:
        return self.parts[-1].end


Decode = Callable[[str], str]


def split_urls(start: int, end: int, source: str, pattern: re.Pattern[str] = URL) -> list[Part]:
    """Text parts for a span of source text, with URLs and e-mail addresses as opaque parts."""
    parts: list[Part] = []
    pos = start
    for m in pattern.finditer(source, start, end):
        if m.start() > pos:
            parts.append(Part("text", pos, m.start()))
        parts.append(Part("x", m.start(), m.end()))
        pos = m.end()
    if pos < end:
        parts.append(Part("text", pos, end))
    return parts


def entity_keeper(raw: str) -> Callable[[str], str]:
    """Writes characters that the source spelled as named entities (`&copy;`, `&nbsp;`) the same
    way again in escaped translated text."""
    named = {html.unescape(e): e for e in set(_NAMED.findall(raw))}
    named = {ch: e for ch, e in named.items() if len(ch) == 1 and ch not in "&<>\"'\\"}

    def keep(text: str) -> str:
        return "".join(named.get(ch, ch) for ch in text) if any(ch in named for ch in text) else text

    return keep


def _text_of(part: Part, source: str, decode: Decode) -> str:
    return part.text if part.text is not None else decode(source[part.start : part.end])


def _pair(parts: list[Part]) -> None:
    """Give each open/close pair one temporary number; unmatched markup becomes opaque."""
    stack: list[int] = []
    for i, part in enumerate(parts):
        part.n = i + 1
        if part.kind == "open":
            stack.append(i)
        elif part.kind == "close":
            match = next((d for d in range(len(stack) - 1, -1, -1) if parts[stack[d]].key == part.key), None)
            if match is None:
                part.kind = "x"
                continue
            for j in stack[match + 1 :]:  # misnested: opened inside, never closed
                parts[j].kind = "x"
            part.n = parts[stack[match]].n
            del stack[match:]
    for j in stack:
        parts[j].kind = "x"


def _collapse_empty(parts: list[Part], source: str, decode: Decode) -> list[Part]:
    """A pair around no text (an icon `<i></i>`, an image without alt) becomes one opaque part."""
    out: list[Part] = []
    i = 0
    while i < len(parts):
        part = parts[i]
        if part.kind == "open":
            j = next(k for k in range(i + 1, len(parts)) if parts[k].kind == "close" and parts[k].n == part.n)
            inner = parts[i + 1 : j]
            if not any(p.kind == "text" and _text_of(p, source, decode).strip() for p in inner):
                out.append(Part("x", part.start, parts[j].end))
                i = j + 1
                continue
        out.append(part)
        i += 1
    return out


def _blank(part: Part, source: str, decode: Decode) -> bool:
    return part.kind == "x" or (part.kind == "text" and not _text_of(part, source, decode).strip())


def _trim(parts: list[Part], source: str, decode: Decode) -> list[Part]:
    lo, hi = 0, len(parts)
    while lo < hi:
        if _blank(parts[lo], source, decode):
            lo += 1
        elif _blank(parts[hi - 1], source, decode):
            hi -= 1
        elif parts[lo].kind == "open" and parts[hi - 1].kind == "close" and parts[lo].n == parts[hi - 1].n:
            lo, hi = lo + 1, hi - 1
        else:
            break
    core = parts[lo:hi]
    if core and core[0].kind == "text" and core[0].text is None:
        raw = source[core[0].start : core[0].end]
        core[0].start += len(raw) - len(raw.lstrip(_EDGE_SPACE))
    if core and core[-1].kind == "text" and core[-1].text is None:
        raw = source[core[-1].start : core[-1].end]
        core[-1].end -= len(raw) - len(raw.rstrip(_EDGE_SPACE))
    return core


def make_flow(sid: str, parts: list[Part], source: str, decode: Decode, context: str = "") -> Flow | None:
    """The segment for a run of parts, or None when it has nothing to translate."""
    _pair(parts)
    core = _trim(_collapse_empty(parts, source, decode), source, decode)
    opened: dict[int, int] = {}  # temporary pair number -> tag number in the segment
    count = 0
    out: list[str] = []
    for part in core:
        if part.kind == "text":
            out.append(_text_of(part, source, decode))
            continue
        if part.kind == "close":
            part.n = opened[part.n]
        else:
            count += 1
            if part.kind == "open":
                opened[part.n] = count
            part.n = count
        out.append({"open": f"<g{part.n}>", "close": f"</g{part.n}>", "x": f"<x{part.n}/>"}[part.kind])
    text = _SPACE.sub(" ", "".join(out)).strip()
    return Flow(sid, core, text, context) if core and translatable(text) else None


def render(
    flow: Flow,
    translated: str,
    escape: Callable[[str], str],
    payload: Callable[[Part], str],
    warnings: list[str],
) -> str:
    """The translated core as source markup; a translation that broke its tags keeps all its text."""
    fixed = repair(flow.text, translated)
    if fixed.changed:
        warnings.append(repair_warning(flow.id, len(fixed.missing)))
    by_tag = {(p.kind, p.n): p for p in flow.parts if p.kind != "text"}
    out: list[str] = []
    for kind, value in fixed.tokens:
        if kind == "t":
            out.append(escape(str(value)))
        else:
            out.append(payload(by_tag[({"o": "open", "c": "close", "x": "x"}[kind], int(value))]))
    for n in fixed.missing:
        if out and not out[-1][-1:].isspace():
            out.append(" ")
        out.append(payload(by_tag[("x", n)]))
    return "".join(out)
