"""XLIFF 1.2 (also 1.0/1.1) and 2.x bilingual files: every source gets its target.

1.2: a segment per trans-unit, or per `<mrk mtype="seg">` when the unit has a seg-source (the
target then mirrors the seg-source). The target follows the source, with state="translated";
each file gets target-language. 2.x: a segment per unit segment; the target follows the source,
the segment gets state="translated" and the root trgLang. Existing targets are overwritten;
translate="no" on a unit, group or (2.x) file is honoured; a unit without any translation is left
as it was. Ids: `1/welcome` (file 1, trans-unit id), `1/welcome#2` (mrk mid 2), `1/u1#s2` (2.x,
second segment of unit u1).

Inline codes become tags and come back as copies of the original elements: paired `g`, `mrk`
(1.2) and `pc`, `mrk` (2.x) are `<gN>`; `x`, `bx`, `ex`, `ph`, `bpt`, `ept`, `it` (1.2), `ph`, `sc`,
`ec`, `sm`, `em`, `cp` (2.x), protected `mrk` and comments are `<xN/>` with their content.
Placeholders and markup inside the text (`{name}`, `%s`, escaped HTML) are masked as well.
The file is parsed by `_safety.parse_xml` (no entities, no DTD, no network). It is written in
its own encoding (`xml_encoding`: the BOM, else the declaration's `encoding=`) with its own
declaration; when a translated character does not fit, in UTF-8 with the declaration updated
and a warning.
"""

from __future__ import annotations

import codecs
import copy
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from lxml import etree

from polydoc.errors import MalformedDocument
from polydoc.formats._placeholders import Masker, Repaired, repair, repair_warning, split_space
from polydoc.formats._safety import parse_xml
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.segments import translatable

_PAIRED = {"g", "mrk", "pc"}
_DECLARATION = re.compile(r"\s*<\?xml[^>]*\?>\s*")
_ENCODING = re.compile(r"""(\bencoding\s*=\s*)(["'])([A-Za-z][A-Za-z0-9._:-]*)\2""")
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_UNMARKED = ((b"<\x00?\x00", "utf-16-le"), (b"\x00<\x00?", "utf-16-be"))  # UTF-16 without a BOM
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def xml_encoding(head: bytes) -> tuple[bytes, str]:
    """(BOM, codec) of an XML file from its first bytes: the BOM, else the declaration's
    `encoding=`, else UTF-8. The one encoding rule of XLIFF: writing and detection use it, and
    libxml2 reads the file by the same rule."""
    for bom, codec in _BOMS:
        if head.startswith(bom):
            return bom, codec
    for start, codec in _UNMARKED:
        if head.startswith(start):
            return b"", codec
    declaration = _DECLARATION.match(head[:1024].decode("latin-1"))
    found = _ENCODING.search(declaration.group(0)) if declaration else None
    if found is None:
        return b"", "utf-8"
    try:
        codecs.lookup(found.group(3))
    except LookupError as exc:
        raise MalformedDocument(f"The XLIFF file declares an unknown encoding {found.group(3)!r}") from exc
    return b"", found.group(3)


@dataclass(frozen=True, slots=True)
class _Unit:
    id: str
    source: etree._Element  # the element whose content is translated (source or a seg mrk)
    holder: etree._Element  # trans-unit (1.2) or segment (2.x)
    context: str


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname if isinstance(el.tag, str) else ""


def _child(el: etree._Element, name: str) -> etree._Element | None:
    return next((c for c in el if _local(c) == name), None)


def _translatable(el: etree._Element) -> bool:
    """translate="no" on the element or its nearest ancestor that says anything."""
    for node in (el, *el.iterancestors()):
        if node.get("translate") is not None:
            return node.get("translate") != "no"
    return True


def _is_v2(root: etree._Element) -> bool:
    return (root.get("version") or "").startswith("2") or etree.QName(root).namespace == (
        "urn:oasis:names:tc:xliff:document:2.0"
    )


def _units(root: etree._Element) -> Iterator[_Unit]:
    v2 = _is_v2(root)
    files = [el for el in root.iter() if _local(el) == "file"]
    for fi, file in enumerate(files, 1):
        seen: dict[str, int] = {}
        for unit in (el for el in file.iter() if _local(el) == ("unit" if v2 else "trans-unit")):
            if not _translatable(unit):
                continue
            uid = f"{fi}/{unit.get('id', '')}"
            seen[uid] = seen.get(uid, 0) + 1
            uid += f"@{seen[uid]}" if seen[uid] > 1 else ""  # ids repeated in a damaged file
            context = unit.get("resname") or unit.get("name") or ""
            if v2:
                segments = [c for c in unit if _local(c) == "segment"]
                for k, seg in enumerate(segments, 1):
                    if (source := _child(seg, "source")) is not None:
                        yield _Unit(f"{uid}#s{k}", source, seg, context)
                continue
            seg_source = _child(unit, "seg-source")
            marks = [] if seg_source is None else _seg_marks(seg_source)
            if marks:
                yield from (_Unit(f"{uid}#{m.get('mid', '')}", m, unit, context) for m in marks)
            elif (source := _child(unit, "source")) is not None:
                yield _Unit(uid, source, unit, context)


def _seg_marks(el: etree._Element) -> list[etree._Element]:
    return [m for m in el.iter() if _local(m) == "mrk" and m.get("mtype") == "seg"]


def _mask(el: etree._Element, m: Masker) -> None:
    if el.text:
        m.text(el.text)
    for child in el:
        protected = child.get("mtype") == "protected" or child.get("translate") == "no"
        if _local(child) in _PAIRED and not protected:
            n = m.open(child)
            _mask(child, m)
            m.close(n)
        else:
            m.standalone(child)  # codes, comments and protected text are kept whole
        if child.tail:
            m.text(child.tail)


def _segment(unit: _Unit) -> tuple[str, str, str, dict[int, object]]:
    m = Masker()
    _mask(unit.source, m)
    lead, core, trail = split_space(m.result())
    return lead, core, trail, m.payloads


def _fill(el: etree._Element, fixed: Repaired, payloads: dict[int, object]) -> None:
    """Replace the content of `el` with the repaired translation, payloads put back."""
    for child in list(el):
        el.remove(child)
    el.text = None
    stack = [el]

    def add_text(text: str) -> None:
        parent = stack[-1]
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + text
        else:
            parent.text = (parent.text or "") + text

    def add(kind: str, payload: object) -> None:
        if isinstance(payload, str):
            add_text(payload)
        elif isinstance(payload, tuple):
            add_text(payload[1 if kind == "c" else 0])
        elif kind == "c":
            stack.pop()
        else:  # an inline element: a code with its content, or an empty copy to open
            node = copy.deepcopy(cast(etree._Element, payload))
            node.tail = None
            if kind == "o":
                for child in list(node):
                    node.remove(child)
                node.text = None
            stack[-1].append(node)
            if kind == "o":
                stack.append(node)

    for kind, value in fixed.tokens:
        if kind == "t":
            add_text(str(value))
        else:
            add(kind, payloads[int(value)])
    for n in fixed.missing:
        add_text(" ")
        add("x", payloads[n])


def _target_of(unit: _Unit, target_language: str) -> etree._Element:
    """The holder's target, created right after the source (or seg-source) when missing."""
    target = _child(unit.holder, "target")
    if target is None:
        after = _child(unit.holder, "seg-source")
        after = after if after is not None else unit.source
        namespace = etree.QName(after).namespace
        target = after.makeelement(etree.QName(namespace, "target").text if namespace else "target")
        previous = after.getprevious()
        indent = after.getparent().text if previous is None else previous.tail  # type: ignore[union-attr]
        target.tail = after.tail
        if indent and not indent.strip():  # the new element goes on its own line, like the source
            after.tail = indent
        after.addnext(target)
    if target.get(_XML_LANG) is not None:
        target.set(_XML_LANG, target_language)
    return target


class XliffHandler(FormatHandler):
    name = "xliff"
    extensions = ("xliff", "xlf")
    media_type = "application/xliff+xml"

    def text_encoding(self, src: Path) -> str:
        with src.open("rb") as fh:
            return xml_encoding(fh.read(1024))[1]

    @staticmethod
    def _root(src: Path) -> tuple[bytes, etree._Element]:
        data = src.read_bytes()
        root = parse_xml(data, what="The XLIFF file")
        if _local(root) != "xliff":
            raise MalformedDocument("This XML file is not XLIFF: its root element is not <xliff>")
        return data, root

    def extract(self, src: Path) -> Iterator[Segment]:
        for unit in _units(self._root(src)[1]):
            core = _segment(unit)[1]
            if translatable(core):
                yield Segment(unit.id, core, unit.context)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        data, root = self._root(src)
        warnings: list[str] = []
        v2 = _is_v2(root)
        units = list(_units(root))
        filled: set[int] = set()  # seg-source units whose target was already rebuilt from it
        for unit in units:
            lead, core, trail, payloads = _segment(unit)
            translated = translations.get(unit.id) if translatable(core) else None
            if translated is None:
                continue
            fixed = repair(core, translated.strip())
            if fixed.changed:
                warnings.append(repair_warning(unit.id, fixed.lost))
            tokens = [("t", lead), *fixed.tokens, ("t", trail)]
            fixed = Repaired(tokens, fixed.missing, fixed.lost, fixed.changed)
            target = _target_of(unit, target_language)
            if unit.source is _child(unit.holder, "source") or v2:
                _fill(target, fixed, payloads)
            else:
                _fill(self._mirror(unit, target, filled), fixed, payloads)
            (unit.holder if v2 else target).set("state", "translated")
        if v2:
            root.set("trgLang", target_language)
        else:
            for file in (el for el in root.iter() if _local(el) == "file"):
                file.set("target-language", target_language)
        dst.write_bytes(self._serialise(data, root, warnings))
        return RebuildReport(warnings)

    @staticmethod
    def _mirror(unit: _Unit, target: etree._Element, filled: set[int]) -> etree._Element:
        """The target's copy of this seg mrk; the target is first rebuilt from the seg-source."""
        if id(unit.holder) not in filled:
            filled.add(id(unit.holder))
            seg_source = _child(unit.holder, "seg-source")
            for child in list(target):
                target.remove(child)
            target.text = seg_source.text  # type: ignore[union-attr]
            target.extend(copy.deepcopy(c) for c in seg_source)  # type: ignore[union-attr]
        mid = unit.source.get("mid")
        return next(m for m in _seg_marks(target) if m.get("mid") == mid)

    @staticmethod
    def _serialise(data: bytes, root: etree._Element, warnings: list[str]) -> bytes:
        """The tree with the original BOM, declaration and final white space, in the original
        encoding; in UTF-8 (declaration updated, warning) when a character does not fit it."""
        bom, codec = xml_encoding(data[:1024])
        source = data[len(bom) :].decode(codec, "replace")  # only its declaration and tail are used
        head = _DECLARATION.match(source)
        declaration = head.group(0) if head else ""
        rest = etree.tostring(root.getroottree(), encoding="unicode").strip() + source[len(source.rstrip()) :]
        try:
            return bom + (declaration + rest).encode(codec)
        except UnicodeEncodeError:
            warnings.append(f"The translation does not fit the {codec} encoding; the file is now UTF-8")
            return (_ENCODING.sub(r"\g<1>\g<2>UTF-8\g<2>", declaration, count=1) + rest).encode("utf-8")


HANDLER = XliffHandler()
