"""OpenDocument text, spreadsheet and presentation handlers (ODT, ODS, ODP).

Segments come from meta.xml (title, subject, description), styles.xml (headers, footers and
any other text on master pages) and content.xml (the body). Every text:p and text:h is one
segment wherever it sits: body, table cell, list, text box, shape, slide, speaker notes,
footnote body, comment. Spans and links become `<gN>`; spaces (text:s), tabs, line breaks,
fields, footnotes, comments and frames inside a paragraph become `<xN/>` and are kept as
they are (their own paragraphs are segments too). Alt text (svg:title/svg:desc) and slide
header/footer declarations are plain segments. In spreadsheets only string cells are
translated: numbers, dates and formula results belong to the application. Code is kept as it
is: a paragraph in a code style or a monospace font is no segment, a span in a code text
style is an `<xN/>` (`_code.py`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar

from lxml import etree

from polydoc.errors import EncryptedDocument, MalformedDocument
from polydoc.formats._safety import SafeZip, xml_bytes
from polydoc.formats._xml_inline import (
    Element,
    InlineRules,
    read_flow,
    read_plain,
    write_flow,
    write_plain,
)
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.opendoc import _bilingual as bilingual
from polydoc.formats.opendoc._code import OdfCode
from polydoc.segments import translatable

NS = {
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
    "style": "urn:oasis:names:tc:opendocument:xmlns:style:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "draw": "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
    "fo": "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0",
    "svg": "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0",
    "presentation": "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    "dc": "http://purl.org/dc/elements/1.1/",
}


def q(prefix: str, local: str) -> str:
    return f"{{{NS[prefix]}}}{local}"


_PARAGRAPHS = (q("text", "p"), q("text", "h"))
_PLAIN = {
    q("svg", "title"): "alt text",
    q("svg", "desc"): "alt text",
    q("presentation", "header-decl"): "header",
    q("presentation", "footer-decl"): "footer",
}
_WRAPPERS = {q("text", "span"), q("text", "a"), q("text", "meta")}


def _rules(code: OdfCode) -> InlineRules:
    """Spans and links are `<gN>`; a span of inline code is kept whole."""
    return InlineRules(
        is_wrapper=lambda el: el.tag in _WRAPPERS and not code.code_span(el),
        is_link=lambda el: el.tag == q("text", "a"),
    )


_CELLS = {q("table", "table-cell"), q("table", "covered-table-cell")}
_OWN_TEXT = {q("office", "annotation"), q("text", "note")}  # a cell's comment is text, whatever the cell
# what a paragraph belongs to, for the engine: enclosing comment/note/header first, else the nearest
_OUTER_CONTEXTS = {
    q("office", "annotation"): "comment",
    q("text", "note"): "footnote",
    q("presentation", "notes"): "speaker notes",
    **{
        q("style", f"{part}{side}"): part for part in ("header", "footer") for side in ("", "-left", "-first")
    },
}
_INNER_CONTEXTS = {
    q("table", "table-cell"): "table cell",
    q("text", "list-item"): "list item",
    q("draw", "page"): "slide",
    q("draw", "text-box"): "text box",
}
_META_FIELDS = ("title", "subject", "description")
_PARTS = ("meta.xml", "styles.xml", "content.xml")  # reading order: title, page furniture, body


@dataclass(frozen=True, slots=True)
class _Unit:
    id: str
    el: Element
    context: str
    rules: InlineRules | None = None  # a paragraph with inline content: how to read it; None: only text


_TRACKED_CHANGES = q("text", "tracked-changes")
_DRAW = f"{{{NS['draw']}}}"
_VALUE_TYPE, _FORMULA = q("office", "value-type"), q("table", "formula")


def _translatable(paragraph: Element) -> bool:
    """False for deleted text kept by change tracking and for non-string spreadsheet cells."""
    for anc in paragraph.iterancestors():
        tag = anc.tag
        if tag == _TRACKED_CHANGES:
            return False
        if tag in _OWN_TEXT or tag.startswith(_DRAW):
            return True
        if tag in _CELLS:
            return anc.get(_VALUE_TYPE) in (None, "string") and anc.get(_FORMULA) is None
    return True


def _context(paragraph: Element) -> str:
    if paragraph.tag == q("text", "h"):
        return "heading"
    ancestors = [anc.tag for anc in paragraph.iterancestors()]
    for table in (_OUTER_CONTEXTS, _INNER_CONTEXTS):
        for tag in ancestors:
            if tag in table:
                return table[tag]
    return ""


def _units(part: str, root: Element, styles: Element | None) -> list[_Unit]:
    """The translatable elements of one part, numbered the same way on every walk; `styles`
    is styles.xml, where the common styles are."""
    if part == "meta.xml":
        meta = root.find(q("office", "meta"))
        found = (meta.find(q("dc", name)) if meta is not None else None for name in _META_FIELDS)
        return [
            _Unit(f"meta.xml#{name}", el, name)
            for name, el in zip(_META_FIELDS, found, strict=True)
            if el is not None and len(el) == 0
        ]
    scope = root.find(q("office", "body" if part == "content.xml" else "master-styles"))
    if scope is None:
        return []
    code = OdfCode(styles, root)
    rules = _rules(code)
    units: list[_Unit] = []
    counts = Counter[str]()
    for el in scope.iter(*_PARAGRAPHS, *_PLAIN):
        if el.tag in _PARAGRAPHS:
            counts["p"] += 1
            if _translatable(el) and not code.code_paragraph(el):
                units.append(_Unit(f"{part}#p{counts['p']}", el, _context(el), rules))
        else:
            counts["t"] += 1
            if len(el) == 0:
                units.append(_Unit(f"{part}#t{counts['t']}", el, _PLAIN[el.tag]))
    return units


@contextmanager
def _open(src: Path) -> Iterator[tuple[SafeZip, dict[str, Element]]]:
    """The archive and its parsed parts; refuses encrypted (password-protected) documents."""
    with SafeZip(src) as zf:
        if not zf.has("content.xml"):
            raise MalformedDocument("This is not an OpenDocument file: it has no content.xml")
        if zf.has("META-INF/manifest.xml") and b"encryption-data" in zf.read("META-INF/manifest.xml"):
            raise EncryptedDocument("The document is protected by a password")
        yield zf, {part: zf.read_xml(part) for part in _PARTS if zf.has(part)}


class OdfHandler(FormatHandler):
    container = "zip"  # recognised by the `mimetype` member: its media_type

    def extract(self, src: Path) -> Iterator[Segment]:
        with _open(src) as (_, roots):
            for part, root in roots.items():
                for unit in _units(part, root, roots.get("styles.xml")):
                    text = read_plain(unit.el) if unit.rules is None else read_flow(unit.el, unit.rules).text
                    if translatable(text):
                        yield Segment(unit.id, text, unit.context)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        warnings: list[str] = []
        with _open(src) as (zf, roots):
            for part, root in roots.items():
                units = _units(part, root, roots.get("styles.xml"))  # all numbered before any change
                pending = _bilingual_sources(units, translations) if output_mode == "bilingual" else []
                for unit in units:
                    translated = translations.get(unit.id)
                    if translated is None:
                        continue
                    if unit.rules is None:
                        write_plain(unit.el, translated)
                    elif not write_flow(unit.el, read_flow(unit.el, unit.rules), translated):
                        warnings.append(f"{unit.id}: inline formatting was lost; text kept without it")
                    _sync_string_value(unit.el)
                bilingual.join(root, pending, *split_language(target_language))
            if output_mode != "bilingual":
                _set_language(roots, target_language)
            zf.rewrite(dst, {part: xml_bytes(root, standalone=None) for part, root in roots.items()})
        return RebuildReport(warnings)


def _bilingual_sources(units: list[_Unit], translations: Mapping[str, str]) -> list[bilingual.Pending]:
    """Source copies of the paragraphs that will be bilingual, taken before any is translated."""
    out = []
    for unit in units:
        new = translations.get(unit.id)
        if unit.rules is not None and new and bilingual.wanted(unit.el):
            if new != read_flow(unit.el, unit.rules).text:
                out.append(bilingual.source_copy(unit.el))
    return out


def _sync_string_value(paragraph: Element) -> None:
    """A string cell may repeat its text in office:string-value; keep it equal to the shown text."""
    cell = paragraph.getparent()
    if cell is None or cell.tag not in _CELLS or cell.get(q("office", "string-value")) is None:
        return
    shown = ("".join(p.itertext()) for p in cell.iterchildren(q("text", "p")))
    cell.set(q("office", "string-value"), "\n".join(shown))


def split_language(tag: str) -> tuple[str, str | None]:
    """("pt", "BR") from "pt-BR"; the script part of "zh-Hans-CN" is not expressible in fo:*."""
    parts = tag.replace("_", "-").split("-")
    region = next(
        (p for p in parts[1:] if (len(p) == 2 and p.isalpha()) or (len(p) == 3 and p.isdigit())), None
    )
    return parts[0].lower(), region.upper() if region else None


def _set_language(roots: dict[str, Element], target: str) -> None:
    """dc:language in meta.xml; fo:language/fo:country wherever styles use the document's main language."""
    meta = roots.get("meta.xml")
    office_meta = meta.find(q("office", "meta")) if meta is not None else None
    if office_meta is not None:
        dc_lang = office_meta.find(q("dc", "language"))
        if dc_lang is None:
            dc_lang = etree.SubElement(office_meta, q("dc", "language"))
        dc_lang.text = target
    props = [
        tp
        for part in ("styles.xml", "content.xml")
        if part in roots
        for tp in roots[part].iter(q("style", "text-properties"))
    ]
    default = _default_text_properties(roots.get("styles.xml"))
    languages = Counter(tp.get(q("fo", "language")) for tp in props if tp.get(q("fo", "language")))
    main = default.get(q("fo", "language")) if default is not None else None
    main = main or (languages.most_common(1)[0][0] if languages else None)
    lang, country = split_language(target)
    targets = [tp for tp in props if main and tp.get(q("fo", "language")) == main]
    if default is not None and default not in targets and not main:
        targets.append(default)
    for tp in targets:
        tp.set(q("fo", "language"), lang)
        if country:
            tp.set(q("fo", "country"), country)
        else:
            tp.attrib.pop(q("fo", "country"), None)


def _default_text_properties(styles: Element | None) -> Element | None:
    if styles is None:
        return None
    for default in styles.iter(q("style", "default-style")):
        if default.get(q("style", "family")) == "paragraph":
            return default.find(q("style", "text-properties"))
    return None


class OdtHandler(OdfHandler):
    name = "odt"
    extensions = ("odt",)
    media_type = "application/vnd.oasis.opendocument.text"
    output_modes = ("translated", "bilingual")  # each paragraph, then its translation (`_bilingual`)


class OdsHandler(OdfHandler):
    name = "ods"
    extensions = ("ods",)
    media_type = "application/vnd.oasis.opendocument.spreadsheet"


class OdpHandler(OdfHandler):
    name = "odp"
    extensions = ("odp",)
    media_type = "application/vnd.oasis.opendocument.presentation"
    paged: ClassVar[bool] = True

    def count_pages(self, src: Path) -> int:
        with _open(src) as (_, roots):
            return max(1, sum(1 for _ in roots["content.xml"].iter(q("draw", "page"))))


HANDLERS: tuple[FormatHandler, ...] = (OdtHandler(), OdsHandler(), OdpHandler())
