"""The package around the text parts: opening it safely, following relationships, and the
small plain-text places (document title and subject, chart series and category names).
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from polydoc.errors import EncryptedDocument, MalformedDocument, UnsupportedFormat
from polydoc.formats._safety import SafeZip, xml_bytes
from polydoc.formats.base import Segment
from polydoc.formats.ooxml._paragraphs import Element, TextPart, clean_xml, part_segments, rebuild_part
from polydoc.segments import strip_tags, translatable

C = "http://schemas.openxmlformats.org/drawingml/2006/chart"
CORE = "docProps/core.xml"
_DC = "http://purl.org/dc/elements/1.1/"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_STRICT = "{http://purl.oclc.org/ooxml/"
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: legacy .doc/.ppt or an encrypted package
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")


def open_package(src: Path, what: str) -> SafeZip:
    with src.open("rb") as fh:
        head = fh.read(len(_CFB))
    if head == _CFB:
        if _file_contains(src, _ENCRYPTED):
            raise EncryptedDocument(f"The {what} is protected with a password; remove it and upload again")
        raise MalformedDocument(f"This is a legacy binary Office file, not a {what}; save it as {what} first")
    return SafeZip(src)


def _file_contains(src: Path, needle: bytes) -> bool:
    tail = b""
    with src.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            if needle in tail + chunk:
                return True
            tail = chunk[-len(needle) :]
    return False


@dataclass(frozen=True, slots=True)
class Rel:
    id: str
    type: str  # the last segment of the relationship type URI: "header", "chart", …
    target: str  # part name inside the package


def relationships(z: SafeZip, part: str) -> list[Rel]:
    """The internal relationships of a part ("" for the package itself)."""
    folder, name = posixpath.split(part)
    rels_name = posixpath.join(folder, "_rels", f"{name}.rels")
    if not z.has(rels_name):
        return []
    out = []
    for rel in z.read_xml(rels_name).iter(_PKG_REL):
        if rel.get("TargetMode") == "External":
            continue
        target = unquote(rel.get("Target", ""))
        path = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        if z.has(path):
            out.append(Rel(rel.get("Id", ""), rel.get("Type", "").rsplit("/", 1)[-1], path))
    return out


def main_part(z: SafeZip, default: str, what: str) -> str:
    for rel in relationships(z, ""):
        if rel.type == "officeDocument":
            return rel.target
    if z.has(default):
        return default
    raise MalformedDocument(f"The file has no {default}: it is not a valid {what}")


def fixed_context(where: str) -> Callable[[Element], str]:
    return lambda p: where


def office_lang(target_language: str) -> str:
    return target_language.replace("_", "-")


def _core_fields(root: Element) -> Iterator[tuple[str, Element]]:
    for name in ("title", "subject"):
        el = root.find(f"{{{_DC}}}{name}")
        if el is not None and el.text and translatable(el.text):
            yield f"{CORE}#{name}", el


def _chart_values(root: Element) -> Iterator[tuple[int, Element]]:
    """String caches of series names and categories (what the legend and the axis show)."""
    owners = (f"{{{C}}}tx", f"{{{C}}}cat")
    n = 0
    for cache in root.iter(f"{{{C}}}strCache"):
        ref = cache.getparent()
        owner = ref.getparent() if ref is not None else None
        for v in cache.iter(f"{{{C}}}v"):
            if owner is not None and owner.tag in owners and v.text and translatable(v.text):
                yield n, v
            n += 1


def _read_part(z: SafeZip, name: str) -> Element:
    root = z.read_xml(name)
    if root.tag.startswith(_STRICT):  # same structure, other namespaces: would silently stay untranslated
        raise UnsupportedFormat(
            "The file is saved as Strict Open XML, which is not supported; save it in the standard format"
        )
    return root


def package_segments(z: SafeZip, parts: list[TextPart]) -> Iterator[Segment]:
    for part in parts:
        root = _read_part(z, part.name)
        yield from part_segments(part, root)
        if part.chart:
            for n, v in _chart_values(root):
                yield Segment(f"{part.name}#v{n}", (v.text or "").strip(), "chart")
    if z.has(CORE):
        for seg_id, el in _core_fields(z.read_xml(CORE)):
            yield Segment(seg_id, (el.text or "").strip(), "title")


def rebuild_package(
    z: SafeZip, parts: list[TextPart], translations: Mapping[str, str], lang: str
) -> tuple[dict[str, bytes], list[str]]:
    """The rewritten parts (only those that changed) and the warnings."""
    replacements: dict[str, bytes] = {}
    warnings: list[str] = []
    for part in parts:
        root = _read_part(z, part.name)
        changed = rebuild_part(part, root, translations, lang, warnings)
        if part.chart:
            for n, v in _chart_values(root):
                changed |= _set_plain(v, translations.get(f"{part.name}#v{n}"))
        if changed:
            replacements[part.name] = xml_bytes(root)
    if z.has(CORE):
        root = z.read_xml(CORE)
        changed = False
        for seg_id, el in list(_core_fields(root)):
            changed |= _set_plain(el, translations.get(seg_id))
        language = root.find(f"{{{_DC}}}language")
        if changed and language is not None:
            language.text = lang
        if changed:
            replacements[CORE] = xml_bytes(root)
    return replacements, warnings


def _set_plain(el: Element, translated: str | None) -> bool:
    if not translated or not translated.strip():
        return False
    el.text = strip_tags(clean_xml(translated)).strip()
    return True
