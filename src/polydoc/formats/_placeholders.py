"""Placeholders and inline markup inside localisation strings, carried as segment tags.

An engine must not translate `{name}`, `{{count}}`, `%{count}`, `%(n)d`, `%1$s`, `:name`, `$t(key)`,
a URL, an e-mail address, a colour `#ff0000` or the markup in `<b>Save</b>`, so before a string
becomes a segment each of them is replaced by a tag: `<xN/>` for a standalone placeholder,
`<gN>…</gN>` for a paired tag (`<b>…</b>`, react-i18next `<0>…</0>`). The caller keeps the payload
of every N, and `repair` + `render` put them back.

Fallback when a translation lost, duplicated or broke tags (`repair`), chosen so that no
placeholder is ever lost: the translated text is kept; each standalone placeholder it still has
is restored once (duplicates dropped); paired tags are restored only if they still nest properly,
otherwise they are dropped and their text kept; the placeholders it lost go back at the start if
they began the source (`%s files`, `<v Bob>…`) and are otherwise appended at the end by the caller,
which records a warning.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from polydoc.segments import TAG, same_tags, well_formed

_PLACEHOLDER = re.compile(
    r"""
    (?P<url>\b(?:https?|ftp)://[^\s<>"'{}]*[^\s<>"'{}.,;:!?)\]])
  | (?P<email>\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b)
  | (?P<brace>[$%]?\{)
  | (?P<nest>\$t\([^()\n]*\))
  | (?P<hex>(?<![\w&\#])\#(?:[0-9a-fA-F]{8}|[0-9a-fA-F]{6}|[0-9a-fA-F]{3,4})\b)
  | (?P<printf>%(?:\(\w+\)|<\w+>)?(?:\d+\$)?[-+0\#]*(?:\d+|\*)?(?:\.(?:\d+|\*))?(?:hh|h|ll|l|L|q|j|z|t)?
               [diouxXeEfFgGcrsaAp@%])
  | (?P<laravel>(?<![\w:/]):[A-Za-z_]\w*)
  | (?P<entity>&(?:[A-Za-z][A-Za-z0-9]*|\#\d+|\#[xX][0-9A-Fa-f]+);)
  | (?P<comment><!--.*?-->)
  | (?P<tag><(?P<slash>/?)(?P<name>[A-Za-z][\w.:-]*|\d+)(?:\s[^<>]*?)?(?P<self>/?)>)
    """,
    re.X | re.S,
)
_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)  # HTML elements that never have a closing tag

Token = tuple[str, str | int]  # ("t", text) | ("x", n) | ("o", n) | ("c", n)


def _balanced(text: str, start: int) -> int:
    """End (exclusive) of the brace group opening at `start`, or -1 if it never closes."""
    depth = 0
    for i in range(start, len(text)):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i + 1
    return -1


def _scan(text: str) -> list[tuple[str, str, str]]:
    """Split text into (kind, raw, tag name): kind is "t" text, "x" placeholder, "o"/"c" open/close tag."""
    items: list[tuple[str, str, str]] = []
    pos = 0
    while (m := _PLACEHOLDER.search(text, pos)) is not None:
        start, end = m.start(), m.end()
        if m.group("brace"):
            end = _balanced(text, text.index("{", start))
            if end < 0:  # a lone "{" is just text
                items.append(("t", text[pos : m.end()], ""))
                pos = m.end()
                continue
        if start > pos:
            items.append(("t", text[pos:start], ""))
        raw = text[start:end]
        name = (m.group("name") or "").lower()
        if m.group("tag") and not m.group("self") and name not in _VOID:
            items.append(("c" if m.group("slash") else "o", raw, name))
        else:
            items.append(("x", raw, ""))
        pos = end
    if pos < len(text):
        items.append(("t", text[pos:], ""))
    return items


def pair_tags(items: list[tuple[str, str, str]]) -> dict[int, int]:
    """Index of each opening tag -> index of its closing tag; tags left out are unpaired."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, (kind, _, name) in enumerate(items):
        if kind == "o":
            stack.append(i)
        elif kind == "c":
            for depth in range(len(stack) - 1, -1, -1):
                if items[stack[depth]][2] == name:
                    pairs[stack[depth]] = i
                    del stack[depth:]
                    break
    return pairs


class Masker:
    """Builds one segment's text. Payloads: what each N stands for, as the caller chose it;
    `text()` stores placeholders as str and paired markup as (opening, closing) str tuples."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.payloads: dict[int, object] = {}
        self._next = 1

    def _new(self, payload: object) -> int:
        n = self._next
        self._next += 1
        self.payloads[n] = payload
        return n

    def standalone(self, payload: object) -> None:
        self.parts.append(f"<x{self._new(payload)}/>")

    def open(self, payload: object) -> int:
        n = self._new(payload)
        self.parts.append(f"<g{n}>")
        return n

    def close(self, n: int) -> None:
        self.parts.append(f"</g{n}>")

    def literal(self, text: str) -> None:
        self.parts.append(text)

    def text(self, text: str) -> None:
        """Text in which placeholders and markup are masked."""
        items = _scan(text)
        pairs = pair_tags(items)
        closing: dict[int, int] = {}  # index of a closing tag -> N of its pair
        for i, (kind, raw, _) in enumerate(items):
            if kind == "t":
                self.parts.append(raw)
            elif i in pairs:
                closing[pairs[i]] = self.open((raw, items[pairs[i]][1]))
            elif i in closing:
                self.close(closing[i])
            else:
                self.standalone(raw)

    def result(self) -> str:
        return "".join(self.parts)


def split_space(text: str) -> tuple[str, str, str]:
    """(leading white space, core, trailing white space): engines often drop the outer spaces."""
    core = text.strip()
    if not core:
        return text, "", ""
    start = text.index(core)
    return text[:start], core, text[start + len(core) :]


def tokenize(text: str) -> list[Token]:
    out: list[Token] = []
    pos = 0
    for m in TAG.finditer(text):
        if m.start() > pos:
            out.append(("t", text[pos : m.start()]))
        if m.group(3) is not None:
            out.append(("x", int(m.group(3))))
        else:
            out.append(("c" if m.group(1) else "o", int(m.group(2))))
        pos = m.end()
    if pos < len(text):
        out.append(("t", text[pos:]))
    return out


@dataclass(frozen=True, slots=True)
class Repaired:
    tokens: list[Token]
    missing: list[int]  # <xN/> the translation lost, in source order: the caller appends them
    lost: int  # placeholders the translation lost (those put back at the start included)
    changed: bool  # tags had to be repaired: the caller warns


def repair(source: str, translated: str) -> Repaired:
    """Tokens of `translated` keeping only the tags of `source` that can be put back safely."""
    if "<" not in source and "<" not in translated:  # the common case: no tags at all
        return Repaired([("t", translated)] if translated else [], [], 0, False)
    if same_tags(source, translated) and well_formed(translated):
        return Repaired(tokenize(translated), [], 0, False)
    src = tokenize(source)
    src_x = [n for kind, n in src if kind == "x"]
    src_g = {n for kind, n in src if kind == "o"}
    tokens = [t for t in tokenize(translated) if t[0] == "t" or t[1] in (src_x if t[0] == "x" else src_g)]
    paired = [(kind, n) for kind, n in tokens if kind in "oc"]
    nesting = "".join(f"<{'/' if kind == 'c' else ''}g{n}>" for kind, n in paired)
    keep_g = well_formed(nesting) and len(paired) == 2 * len({n for _, n in paired})
    seen: set[int] = set()
    out: list[Token] = []
    for kind, value in tokens:
        if kind == "x":
            if value in seen:
                continue
            seen.add(value)  # type: ignore[arg-type]
        elif kind in "oc" and not keep_g:
            continue
        if kind == "t" and out and out[-1][0] == "t":
            out[-1] = ("t", f"{out[-1][1]}{value}")
        else:
            out.append((kind, value))
    missing = [n for n in src_x if n not in seen]
    lead: list[Token] = []  # lost placeholders that began the source go back to the start: `%s files`
    for kind, value in src:
        if kind == "t" and str(value).strip():
            if lead and str(value)[0].isspace() and not (out and str(out[0][1])[:1].isspace()):
                lead.append(("t", " "))
            break
        if kind == "x" and value in missing:
            lead.append(("x", value))
            missing.remove(value)  # type: ignore[arg-type]
    return Repaired(lead + out, missing, len([t for t in lead if t[0] == "x"]) + len(missing), True)


def repair_warning(segment_id: str, missing: int) -> str:
    tail = f"; {missing} lost placeholder(s) put back at its start or end" if missing else ""
    return f"{segment_id}: the translation changed the inline tags or placeholders; kept its text{tail}"


def render(
    repaired: Repaired, payloads: dict[int, object], emit: Callable[[object], str] | None = None
) -> str:
    """Tagged translation -> string with every payload put back; lost placeholders appended.

    Payloads are str (placeholders) or (opening, closing) tuples; `emit` renders any other kind.
    """

    def piece(payload: object, index: int) -> str:
        if isinstance(payload, str):
            return payload
        if isinstance(payload, tuple):
            return str(payload[index])
        if emit is None:
            raise TypeError(f"no renderer for payload {payload!r}")
        return emit(payload)

    out: list[str] = []
    for kind, value in repaired.tokens:
        if kind == "t":
            out.append(str(value))
        else:
            out.append(piece(payloads[int(value)], 1 if kind == "c" else 0))
    for n in repaired.missing:
        if out and not out[-1][-1:].isspace():
            out.append(" ")
        out.append(piece(payloads[n], 0))
    return "".join(out)
