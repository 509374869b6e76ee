"""JSON localisation files (i18next, FormatJS, vue-i18n, Chrome, Laravel, ARB…): string values.

Keys, numbers, booleans, null and the whole layout are untouched: the document is not
re-serialised; each translated string token is replaced where it stands, so key order,
indentation, spacing, escapes and the final newline stay byte for byte. A new string follows the
source's conventions: non-ASCII as `\\uXXXX` when the source escaped non-ASCII and never wrote it
raw, `\\/` when the source escaped slashes. Segment ids are JSON pointers behind `#`
(`#/menu/items/0/label`); ICU plural/select parts add a suffix (`#/cart|count=one`).
Keys are never renamed, not even a top-level language key.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from json.decoder import scanstring
from pathlib import Path

from polydoc.errors import MalformedDocument
from polydoc.formats._placeholders import repair_warning
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.l10n._icu import rebuild_string, string_parts

_SPACE = re.compile(r"[ \t\r\n]+")
_SCALAR = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null|NaN|-?Infinity")
_ESCAPED_NON_ASCII = re.compile(r"\\u(?!00[0-7])[0-9a-fA-F]{4}")
_RAW_NON_ASCII = re.compile(r"[^\x00-\x7f]")


@dataclass(slots=True)
class _Frame:
    path: str
    is_object: bool
    key: str = ""
    index: int = 0
    expect_key: bool = field(default=True)

    def child(self) -> str:
        name = self.key if self.is_object else str(self.index)
        return f"{self.path}/{name.replace('~', '~0').replace('/', '~1')}"


@dataclass(frozen=True, slots=True)
class _Str:
    id: str
    start: int  # span of the string token, quotes included
    end: int
    value: str
    key: str  # the key it belongs to, as a hint for engines


def _read(src: Path) -> tuple[str, str]:
    data = src.read_bytes()
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    try:
        text = data[len(bom.encode()) :].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedDocument("The JSON file is not UTF-8 text") from exc
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise MalformedDocument(f"The JSON file is not valid: {exc.msg} ({where})") from exc
    except RecursionError as exc:
        raise MalformedDocument("The JSON file is nested too deeply") from exc
    return bom, text


def _strings(text: str) -> Iterator[_Str]:
    """String values of a valid JSON text, in document order (keys are skipped)."""
    stack: list[_Frame] = []
    seen: dict[str, int] = {}
    i = 0
    while i < len(text):
        c = text[i]
        if c in "{[":
            stack.append(_Frame(stack[-1].child() if stack else "", c == "{"))
        elif c in "}]":
            stack.pop()
        elif c == ",":
            frame = stack[-1]
            frame.expect_key, frame.index = frame.is_object, frame.index + 1
        elif c == ":":
            stack[-1].expect_key = False
        elif c == '"':
            value, end = scanstring(text, i + 1)
            if stack and stack[-1].is_object and stack[-1].expect_key:
                stack[-1].key = value
            else:
                path = "#" + (stack[-1].child() if stack else "")
                seen[path] = seen.get(path, 0) + 1  # duplicate keys keep ids unique
                uid = path if seen[path] == 1 else f"{path}@{seen[path]}"
                yield _Str(uid, i, end, value, stack[-1].key if stack and stack[-1].is_object else "")
            i = end
            continue
        elif c.isspace():
            i = _SPACE.match(text, i).end()  # type: ignore[union-attr]
            continue
        else:
            i = _SCALAR.match(text, i).end()  # type: ignore[union-attr]
            continue
        i += 1


class JsonHandler(FormatHandler):
    name = "json"
    extensions = ("json",)
    media_type = "application/json"

    def extract(self, src: Path) -> Iterator[Segment]:
        for s in _strings(_read(src)[1]):
            for suffix, text in string_parts(s.value):
                yield Segment(s.id + suffix, text, s.key)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        bom, text = _read(src)
        ascii_only = not _RAW_NON_ASCII.search(text) and bool(_ESCAPED_NON_ASCII.search(text))
        slashes = "\\/" in text
        out: list[str] = []
        warnings: list[str] = []
        pos = 0
        for s in _strings(text):
            value, repaired = rebuild_string(s.value, lambda suffix, s=s: translations.get(s.id + suffix))
            warnings += [repair_warning(s.id + suffix, lost) for suffix, lost in repaired]
            if value == s.value:
                continue
            token = json.dumps(value, ensure_ascii=ascii_only)
            out += [text[pos : s.start], token.replace("/", "\\/") if slashes else token]
            pos = s.end
        out.append(text[pos:])
        dst.write_bytes((bom + "".join(out)).encode("utf-8"))
        return RebuildReport(warnings)


HANDLER = JsonHandler()
