"""YAML localisation files (Rails, Symfony, Hugo, i18next…): string values.

ruamel.yaml composes the document (it keeps source positions and scalar styles); the output is
the original text with each translated scalar replaced where it stands, so comments, key order,
anchors and aliases, indentation and quoting of everything else survive byte for byte — more than
a round-trip dump keeps (it re-indents and re-folds). A new value keeps its scalar's style when it
can (plain, single- or double-quoted, literal `|`, folded `>`), else it is double-quoted (or
literal, for a folded scalar that gains line breaks). Keys are untouched, except the Rails-style
top-level language key (`en:` as the only root key, holding a mapping), renamed to the target
language. Only `str` scalars are translated; plain `yes`/`no`/`on`/`off` are skipped because YAML
1.1 readers (Rails' Psych) take them as booleans. Aliases are visited once, so alias bombs cost
nothing. Ids are paths behind `#` (`#/en/users/title`, `#2/…` in a second document).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

import langcodes

from polydoc.errors import MalformedDocument
from polydoc.formats._placeholders import repair_warning
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.l10n._icu import rebuild_string, string_parts

if TYPE_CHECKING:
    from ruamel.yaml.nodes import Node, ScalarNode

_STR = "tag:yaml.org,2002:str"
_PROPERTIES = re.compile(r"(?:[!&]\S*\s+)*")  # tag and anchor before a scalar
_YAML11_BOOL = re.compile(r"(?i:y|n|yes|no|on|off)")
_LANGUAGE_KEY = re.compile(r"[a-z]{2}(?:[-_][A-Za-z0-9]{2,4})?")  # en, pt-BR, zh_Hans (not "app")
_PLAIN_START = set("-?:,[]{}#&*!|>'\"%@`")


@dataclass(frozen=True, slots=True)
class _Scalar:
    id: str
    node: ScalarNode
    value: str
    key: str
    flow: bool  # inside [...] or {...}


@cache
def _resolver():  # noqa: ANN202 - ruamel loads on first use, not when the registry reads our metadata
    from ruamel.yaml import YAML

    return YAML(typ="rt").resolver


def _read(src: Path) -> tuple[str, str, list[Node]]:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    data = src.read_bytes()
    bom = "\ufeff" if data.startswith(b"\xef\xbb\xbf") else ""
    try:
        text = data[len(bom.encode()) :].decode("utf-8")
        docs = [d for d in YAML(typ="rt").compose_all(text) if d is not None]
    except UnicodeDecodeError as exc:
        raise MalformedDocument("The YAML file is not UTF-8 text") from exc
    except YAMLError as exc:
        raise MalformedDocument(f"The YAML file is not valid: {str(exc).strip()}") from exc
    except RecursionError as exc:
        raise MalformedDocument("The YAML file is nested too deeply") from exc
    return bom, text, docs


def _scalars(docs: list[Node]) -> Iterator[_Scalar]:
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    seen: set[int] = set()
    for d, root in enumerate(docs):
        stack: list[tuple[Node, str, str, bool]] = [(root, f"#{d + 1 if d else ''}", "", False)]
        while stack:
            node, path, key, flow = stack.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, ScalarNode):
                plain_bool = node.style is None and _YAML11_BOOL.fullmatch(node.value)
                if str(node.tag) == _STR and not plain_bool:
                    yield _Scalar(path, node, node.value.replace("\a", ""), key, flow)
                continue
            inner = flow or bool(node.flow_style)  # composing yields scalars, mappings and sequences
            if isinstance(node, MappingNode):
                children = [
                    (v, f"{path}/{_name(k, i)}", _name(k, i), inner) for i, (k, v) in enumerate(node.value)
                ]
            else:
                children = [(v, f"{path}/{i}", key, inner) for i, v in enumerate(node.value)]
            stack.extend(reversed(children))  # document order: an anchor comes before its aliases


def _name(key: object, index: int) -> str:
    value = getattr(key, "value", None)
    return value.replace("~", "~0").replace("/", "~1") if isinstance(value, str) else f"?{index}"


def _plain_ok(value: str, flow: bool) -> bool:
    if not value or value != value.strip() or any(c in value for c in "\n\t\r") or value[0] in _PLAIN_START:
        return False
    if ": " in value or " #" in value or value.endswith(":") or (flow and any(c in value for c in ",[]{}")):
        return False
    if _YAML11_BOOL.fullmatch(value):
        return False
    from ruamel.yaml.nodes import ScalarNode

    return str(_resolver().resolve(ScalarNode, value, (True, False))) == _STR


def _block(raw: str, value: str, folded: bool) -> str:
    """A literal or folded block scalar holding `value`, indented like `raw` (the old one)."""
    header, _, body = raw.partition("\n")
    first = next((line for line in body.split("\n") if line.strip()), "  x")
    indent = first[: len(first) - len(first.lstrip(" "))]
    content = body.rstrip("\n")
    trailing = body[len(content) :]  # blank lines after the text: kept, chomping decides about them
    if folded and "\n" in value.strip("\n"):
        header = header.replace(">", "|", 1)  # folding would join the lines: use literal style
    lines = value.rstrip("\n").split("\n")
    return header + "\n" + "\n".join(indent + line if line else "" for line in lines) + trailing


def _emit(scalar: _Scalar, raw: str, value: str) -> str:
    style = scalar.node.style
    if style in ("|", ">") and raw.endswith("\n"):
        return _block(raw, value, style == ">")
    if style is None and _plain_ok(value, scalar.flow):
        return value
    if style == "'" and "\n" not in value:
        return "'" + value.replace("'", "''") + "'"
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid double-quoted YAML scalar


def _language_key(docs: list[Node]) -> ScalarNode | None:
    """The Rails-style root key (`en:` alone at the top, holding a mapping), if there is one."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode

    if len(docs) != 1 or not isinstance(docs[0], MappingNode) or len(docs[0].value) != 1:
        return None
    key, value = docs[0].value[0]
    if isinstance(key, ScalarNode) and key.style is None and isinstance(value, MappingNode):
        if _LANGUAGE_KEY.fullmatch(key.value) and langcodes.tag_is_valid(key.value.replace("_", "-")):
            return key
    return None


class YamlHandler(FormatHandler):
    name = "yaml"
    extensions = ("yaml", "yml")
    media_type = "application/yaml"

    def extract(self, src: Path) -> Iterator[Segment]:
        for s in _scalars(_read(src)[2]):
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
        bom, text, docs = _read(src)
        edits: list[tuple[int, int, str]] = []
        warnings: list[str] = []
        key = _language_key(docs)
        if key is not None:
            code = target_language.replace("-", "_") if "_" in key.value else target_language
            edits.append((key.start_mark.index, key.end_mark.index, code))
        for s in _scalars(docs):
            value, repaired = rebuild_string(s.value, lambda suffix, s=s: translations.get(s.id + suffix))
            warnings += [repair_warning(s.id + suffix, lost) for suffix, lost in repaired]
            if value == s.value:
                continue
            start, end = s.node.start_mark.index, s.node.end_mark.index
            start += _PROPERTIES.match(text, start).end() - start
            edits.append((start, end, _emit(s, text[start:end], value)))
        out, pos = [], 0
        for start, end, new in sorted(edits):
            out += [text[pos:start], new]
            pos = end
        out.append(text[pos:])
        dst.write_bytes((bom + "".join(out)).encode("utf-8"))
        return RebuildReport(warnings)


HANDLER = YamlHandler()
