"""Conversion between segment text and Apertium's stream format.

Our `<gN>…</gN>` spans become Apertium word-bound blanks (`[[gN]]word[[/]]`), which the
`apertium-wblank-mode` pipeline carries through reordering, so a bold word stays bold after
translation. Spans without words and `<xN/>` tags become superblanks (`[<x3/>]`), which keep
their position. Reserved characters are backslash-escaped as apertium-destxt does.
"""

from __future__ import annotations

import re

from polydoc.segments import TAG

_RESERVED = re.compile(r"([\\\[\]^$/@<>{}])")
_WORDLIKE = re.compile(r"\w")
# output tokens: word-bound blank + word, superblank, escaped char, or plain text
_OUT = re.compile(
    r"\[\[(?P<wb>[^\]]*)\]\](?P<word>(?:\\.|[^\\\[])*?)\[\[/\]\]"
    r"|\[(?P<sb>(?:\\.|[^\\\]])*)\]"
    r"|(?P<text>(?:\\.|[^\\\[])+)",
    re.S,
)
_UNESCAPE = re.compile(r"\\(.)", re.S)


def escape(text: str) -> str:
    return _RESERVED.sub(r"\\\1", text)


def _unescape(text: str) -> str:
    return _UNESCAPE.sub(r"\1", text)


def to_stream(text: str) -> str:
    """Segment text -> Apertium stream text (one chunk, without the NUL)."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    matches = list(TAG.finditer(text))

    def flush(chunk: str) -> None:
        if not chunk:
            return
        if not stack:
            out.append(escape(chunk))
            return
        label = "; ".join(f"g{n}" for n in stack)
        # word-bound blanks wrap words only; spaces and punctuation between them stay outside
        for piece in re.split(r"(\w+)", chunk):
            if not piece:
                continue
            out.append(f"[[{label}]]{escape(piece)}[[/]]" if _WORDLIKE.match(piece) else escape(piece))

    # spans with no word inside are sent as positional superblanks
    wordless: set[str] = set()
    opened: dict[str, int] = {}
    for m in matches:
        if m.group(2) is None:
            continue
        if not m.group(1):
            opened[m.group(2)] = m.end()
        elif m.group(2) in opened:
            inner = TAG.sub("", text[opened[m.group(2)] : m.start()])
            if not _WORDLIKE.search(inner):
                wordless.add(m.group(2))
    for m in matches:
        flush(text[pos : m.start()])
        pos = m.end()
        n = m.group(2)
        if n is None or n in wordless:
            out.append("[" + escape(m.group(0)) + "]")
        elif not m.group(1):
            stack.append(n)
        elif n in stack:
            stack.remove(n)
    flush(text[pos:])
    # a final blank keeps sentence-final punctuation (Apertium drops it otherwise)
    return "".join(out) + "[]"


def from_stream(stream: str) -> str:
    """Apertium output -> segment text with <gN> spans rebuilt around the translated words."""
    tokens: list[tuple[tuple[str, ...], str, bool]] = []  # (span ids, text, is_word)
    for m in _OUT.finditer(stream):
        if m.group("wb") is not None:
            ids = tuple(
                p.strip().split(":")[1] if p.strip().startswith("t:") else p.strip()
                for p in m.group("wb").split(";")
                if p.strip()
            )
            tokens.append((tuple(i.removeprefix("g") for i in ids), _unescape(m.group("word")), True))
        elif m.group("sb") is not None:
            tokens.append(((), _unescape(m.group("sb")), False))
        else:
            tokens.append(((), _unescape(m.group("text")), False))
    return _rebuild_spans(tokens)


def _rebuild_spans(tokens: list[tuple[tuple[str, ...], str, bool]]) -> str:
    """Emit nested <gN> tags; a span seen again after it closed is not re-opened (no duplicates)."""
    out: list[str] = []
    open_ids: list[str] = []
    done: set[str] = set()
    pending_space = ""
    for i, (ids, text, is_word) in enumerate(tokens):
        if not is_word:
            # whitespace between two words of the same span stays inside the span
            if not text.strip() and open_ids:
                nxt = next((t for t in tokens[i + 1 :] if t[2] or t[1].strip()), None)
                keep = set(nxt[0]) if nxt and nxt[2] else set()
                while open_ids and open_ids[-1] not in keep:
                    n = open_ids.pop()
                    out.append(f"</g{n}>")
                    done.add(n)
                if open_ids:
                    pending_space += text
                    continue
            while open_ids:
                n = open_ids.pop()
                out.append(f"</g{n}>")
                done.add(n)
            out.append(pending_space + text)
            pending_space = ""
            continue
        wanted = [n for n in ids if n not in done or n in open_ids]
        while open_ids and open_ids[-1] not in wanted:
            n = open_ids.pop()
            out.append(f"</g{n}>")
            done.add(n)
        out.append(pending_space)
        pending_space = ""
        for n in wanted:
            if n not in open_ids:
                open_ids.append(n)
                out.append(f"<g{n}>")
        out.append(text)
    while open_ids:
        out.append(f"</g{open_ids.pop()}>")
    out.append(pending_space)
    return "".join(out)
