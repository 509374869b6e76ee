"""Localisation string values (JSON, YAML, PO) as segments: plain strings or ICU messages.

A plain string is one segment with its placeholders masked (`_placeholders`). An ICU message
with `plural`/`select`/`selectordinal` arguments is split so that only texts reach the engine:
the outer text is one segment in which each argument is a placeholder, and every branch
(`one {# item}`) is a segment of its own with an id suffix such as `|count=one` (nested:
`|count=one|gender=female`). Argument names, keywords, selectors and `#` are never translated,
and the message is written back with its structure byte for byte. A string that does not parse
as ICU is a plain string whose brace groups are masked whole, so it survives unchanged.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from polydoc.formats._placeholders import Masker, Repaired, render, repair, split_space
from polydoc.segments import translatable

_ICU_HINT = re.compile(r"\{\s*[^\s{},]+\s*,\s*(?:plural|select|selectordinal)\s*,")
_WORD = re.compile(r"\s*([^\s{},']+)\s*")
_SELECTOR = re.compile(r"\s*([^\s{}]+)\s*")
_OFFSET = re.compile(r"\s*offset\s*:\s*\d+")
_SPACE = re.compile(r"\s*")
_SPECIAL_RUN = re.compile(r"[{}]+")
_SPECIAL_RUN_PLURAL = re.compile(r"[{}#]+")
_MAX_DEPTH = 16


class _IcuError(ValueError):
    pass


@dataclass(slots=True)
class _Lit:
    raw: str
    text: str  # with ICU quoting resolved


@dataclass(slots=True)
class _Arg:
    raw: str  # a simple argument `{n, number}` or `#`, kept verbatim


@dataclass(slots=True)
class _Branch:
    prefix: str  # raw text before the body's "{", e.g. " one "
    body: _Msg


@dataclass(slots=True)
class _Complex:
    head: str  # "{count, plural, offset:1"
    branches: list[_Branch] = field(default_factory=list)
    end: str = "}"


@dataclass(slots=True)
class _Msg:
    suffix: str
    nodes: list[_Lit | _Arg | _Complex]
    icu: bool
    plural: bool  # "#" is the number inside a plural branch


class _Parser:
    def __init__(self, s: str) -> None:
        self.s = s

    def message(self, i: int, suffix: str, plural: bool, depth: int) -> tuple[_Msg, int]:
        if depth > _MAX_DEPTH:
            raise _IcuError("nested too deep")
        s, msg = self.s, _Msg(suffix, [], True, plural)
        names: Counter[str] = Counter()
        start, text = i, []
        while i < len(s) and s[i] != "}":
            c = s[i]
            if c == "{" or (c == "#" and plural):
                if i > start:
                    msg.nodes.append(_Lit(s[start:i], "".join(text)))
                node, i = (_Arg("#"), i + 1) if c == "#" else self.argument(i, suffix, names, depth)
                msg.nodes.append(node)
                start, text = i, []
            elif c == "'":
                i = self.quote(i, plural, text)
            else:
                text.append(c)
                i += 1
        if i > start:
            msg.nodes.append(_Lit(s[start:i], "".join(text)))
        return msg, i

    def quote(self, i: int, plural: bool, text: list[str]) -> int:
        """ICU apostrophe rules: '' is one apostrophe; ' before a special character quotes."""
        s, nxt = self.s, self.s[i + 1 : i + 2]
        if nxt == "'":
            text.append("'")
            return i + 2
        if not nxt or not (nxt in "{}|" or (plural and nxt == "#")):
            text.append("'")
            return i + 1
        j = i + 1
        while j < len(s):
            if s[j] == "'":
                if s[j + 1 : j + 2] != "'":
                    return j + 1
                j += 1
            text.append(s[j])
            j += 1
        return j

    def argument(self, i: int, suffix: str, names: Counter[str], depth: int) -> tuple[_Arg | _Complex, int]:
        s, start = self.s, i
        m = _WORD.match(s, i + 1)
        if m is None:
            raise _IcuError("argument without a name")
        name, i = m.group(1), m.end()
        if s[i : i + 1] == "}":
            return _Arg(s[start : i + 1]), i + 1
        m = _WORD.match(s, i + 1) if s[i : i + 1] == "," else None
        if m is None:
            raise _IcuError("bad argument")
        kind, i = m.group(1), m.end()
        if kind not in ("plural", "select", "selectordinal"):
            depth_count, j = 0, start
            while j < len(s):  # a simple argument with a style: verbatim to its closing brace
                depth_count += {"{": 1, "}": -1}.get(s[j], 0)
                j += 1
                if depth_count == 0:
                    return _Arg(s[start:j]), j
            raise _IcuError("argument not closed")
        if s[i : i + 1] != ",":
            raise _IcuError("plural or select without branches")
        i += 1
        if kind != "select" and (o := _OFFSET.match(s, i)):
            i = o.end()
        names[name] += 1
        base = f"{suffix}|{name}" + (f"#{names[name]}" if names[name] > 1 else "")
        node = _Complex(s[start:i])
        while (m := _SELECTOR.match(s, i)) and s[m.end() : m.end() + 1] == "{":
            body, j = self.message(m.end() + 1, f"{base}={m.group(1)}", kind != "select", depth + 1)
            if s[j : j + 1] != "}":
                raise _IcuError("branch not closed")
            node.branches.append(_Branch(s[i : m.end()], body))
            i = j + 1
        e = _SPACE.match(s, i).end()  # type: ignore[union-attr]
        if s[e : e + 1] != "}" or not node.branches:
            raise _IcuError("plural or select not closed")
        node.end = s[i : e + 1]
        return node, e + 1


def _parse(value: str) -> _Msg:
    if _ICU_HINT.search(value):
        try:
            msg, end = _Parser(value).message(0, "", False, 0)
        except _IcuError:
            pass
        else:
            if end == len(value):
                return msg
    return _Msg("", [_Lit(value, value)], False, False)


def _messages(msg: _Msg) -> Iterator[_Msg]:
    yield msg
    for node in msg.nodes:
        if isinstance(node, _Complex):
            for branch in node.branches:
                yield from _messages(branch.body)


def _mask(msg: _Msg) -> tuple[str, str, str, dict[int, object]]:
    m = Masker()
    for node in msg.nodes:
        if isinstance(node, _Lit):
            m.text(node.text)
        else:
            m.standalone(node)
    lead, core, trail = split_space(m.result())
    return lead, core, trail, m.payloads


def string_parts(value: str) -> list[tuple[str, str]]:
    """(id suffix, segment text) for each translatable part of a string value."""
    out = []
    for msg in _messages(_parse(value)):
        core = _mask(msg)[1]
        if translatable(core):
            out.append((msg.suffix, core))
    return out


def _icu_escape(text: str, plural: bool) -> str:
    """Plain text -> ICU literal text: apostrophes doubled, braces (and # in plural) quoted."""
    pattern = _SPECIAL_RUN_PLURAL if plural else _SPECIAL_RUN
    return pattern.sub(lambda m: f"'{m.group(0)}'", text.replace("'", "''"))


def rebuild_string(value: str, lookup: Callable[[str], str | None]) -> tuple[str, list[tuple[str, int]]]:
    """The value with each part's translation (`lookup(suffix)`, None = keep) put in.

    Also returns (suffix, placeholders put back) for each part whose tags had to be repaired.
    """
    repaired: list[tuple[str, int]] = []

    def emit(node: object) -> str:
        if isinstance(node, _Complex):
            inner = "".join(f"{b.prefix}{{{message(b.body)}}}" for b in node.branches)
            return f"{node.head}{inner}{node.end}"
        if isinstance(node, _Arg):
            return node.raw
        raise TypeError(node)

    def message(msg: _Msg) -> str:
        lead, core, trail, payloads = _mask(msg)
        translated = lookup(msg.suffix) if translatable(core) else None
        if translated is None or translated == core:
            return "".join(n.raw if isinstance(n, _Lit) else emit(n) for n in msg.nodes)
        fixed = repair(core, translated.strip())
        if fixed.changed:
            repaired.append((msg.suffix, fixed.lost))
        tokens = [("t", lead), *fixed.tokens, ("t", trail)]
        if msg.icu:
            esc = lambda t: _icu_escape(t, msg.plural)  # noqa: E731
            tokens = [("t", esc(str(v))) if k == "t" else (k, v) for k, v in tokens]
            for n, p in payloads.items():
                if isinstance(p, str):
                    payloads[n] = esc(p)
                elif isinstance(p, tuple):
                    payloads[n] = tuple(esc(x) for x in p)
        return render(Repaired(tokens, fixed.missing, fixed.lost, fixed.changed), payloads, emit)

    return message(_parse(value)), repaired
