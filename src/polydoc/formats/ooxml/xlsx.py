"""XLSX workbooks: cell text, comments, chart titles, text boxes and sheet names.

Works on the package XML with lxml; numbers, dates, booleans, formulas and their cached
values are never touched. Segment ids are structural: a shared string used by many
cells is one segment (`xl/sharedStrings.xml#si12`), an inline string is its cell
(`xl/worksheets/sheet1.xml#B3`), a comment its cell in the comments part
(`xl/comments1.xml#A1`), a chart or text-box paragraph its position (`xl/charts/chart1.xml#p0`)
and a sheet name its sheetId (`xl/workbook.xml#sheet2`). See `_xlsx_plan` for the rules
that keep formulas, tables and pivot tables valid.
"""

from __future__ import annotations

import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

from lxml import etree

from polydoc.errors import EncryptedDocument
from polydoc.formats._safety import SafeZip, parse_xml, xml_bytes
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.ooxml._xlsx_bilingual import add_translated_columns
from polydoc.formats.ooxml._xlsx_parts import Book, load_book, relationships
from polydoc.formats.ooxml._xlsx_plan import Plan, cell_unit, make_plan
from polydoc.formats.ooxml._xlsx_text import (
    A_NS,
    MAIN_NS,
    RichText,
    read_dml,
    read_sml,
    write_dml,
    write_sml,
    xml_safe,
)
from polydoc.segments import is_data_value, strip_tags, tags_of

_M = f"{{{MAIN_NS}}}"
_TC = "{http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments}"
_C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
_VT = "{http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes}"
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # encrypted OOXML is an OLE container
_CONTEXT = {"sst": "cell", "sheet": "cell", "comments": "comment", "threaded": "comment"}
_CONTEXT |= {"chart": "chart", "drawing": "shape"}
_BAD_SHEET_CHARS = str.maketrans({ch: " " for ch in "[]:*?/\\\r\n\t"})
_LOST_TAGS = "the translation lost or reordered its formatting tags; the text was kept without them"

Unit = tuple[str, etree._Element, str]  # (segment id, text container, "sml" | "dml" | "plain")


def _is_text(text: str) -> bool:
    return not is_data_value(strip_tags(text))


class XlsxHandler(FormatHandler):
    name = "xlsx"
    extensions = ("xlsx", "xlsm")
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    container = "zip"
    zip_main_part = "xl/workbook.xml"
    output_modes = ("translated", "bilingual")

    def extract(self, src: Path) -> Iterator[Segment]:
        with _open(src) as zf:
            book = load_book(zf)
            plan = make_plan(zf, book, _is_text)
            for sheet in book.sheets:
                if sheet.sheet_id in plan.renamable:
                    yield Segment(f"{book.part}#sheet{sheet.sheet_id}", sheet.name, "sheet_name")
            for part, kind in book.text_parts():
                for uid, el, model in _units(zf, part, kind, book):
                    text = _read(el, model).text
                    if _is_text(text) and not plan.keeps(uid, strip_tags(text)):
                        yield Segment(uid, text, _CONTEXT[kind])

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
        with _open(src) as zf, _Spool() as spool:
            book = load_book(zf)
            plan = make_plan(zf, book, _is_text)
            bilingual = output_mode == "bilingual"  # cells keep their text: tables keep their names
            columns, blocked = ({}, plan.blocked) if bilingual else _table_edits(plan, translations, warnings)
            cache: dict[str, str] = {}  # source -> translated cell text, for chart caches
            shared = _shared_items(zf, book)
            for part, kind in book.text_parts():
                if bilingual and kind in ("sst", "sheet"):  # shared strings stay; sheets get twins
                    root = parse_xml(zf.read(part), what=part) if kind == "sheet" else None
                    sst = book.shared_strings
                    if root is not None and add_translated_columns(
                        root, part, shared, sst, translations, target_language, warnings
                    ):
                        spool.put(part, xml_bytes(root))
                    continue
                root = _text_root(zf, part, kind)
                if root is None:
                    continue
                changed = False
                for uid, el, model in _units_of(root, part, kind, book):
                    target = translations.get(uid)
                    if target is None or uid in blocked:
                        continue
                    rich = _read(el, model)
                    if target == rich.text or plan.keeps(uid, strip_tags(rich.text)):
                        continue
                    if not _write(el, model, rich, target):
                        warnings.append(f"{uid}: {_LOST_TAGS}")
                    if kind in ("sst", "sheet"):
                        cache.setdefault(strip_tags(rich.text), strip_tags(target))
                    changed = True
                if kind == "chart":
                    changed |= _update_chart_cache(root, cache)
                if changed:
                    spool.put(part, xml_bytes(root))
            _rename_sheets(zf, book, plan, translations, spool, warnings)
            for table_part, edits in columns.items():
                root = zf.read_xml(table_part)
                cols = list(root.iter(f"{_M}tableColumn"))
                for i, attr, value in edits:
                    cols[i].set(attr, value)
                spool.put(table_part, xml_bytes(root))
            zf.rewrite(dst, spool)
        return RebuildReport(warnings)


def _shared_items(zf: SafeZip, book: Book) -> Callable[[int], etree._Element | None]:
    """The i-th shared string item, the part read once on first use."""
    items: list[etree._Element] = []

    def shared(i: int) -> etree._Element | None:
        if not items and book.shared_strings:
            items.extend(zf.read_xml(book.shared_strings).iterchildren(f"{_M}si"))
        return items[i] if i < len(items) else None

    return shared


def _open(src: Path) -> SafeZip:
    with src.open("rb") as fh:
        if fh.read(8) == _CFB_MAGIC:
            raise EncryptedDocument(
                "The workbook is password-protected (or an old .xls file); remove the password "
                "or save it as .xlsx and upload it again"
            )
    return SafeZip(src)


class _Spool(Mapping[str, bytes]):
    """Rewritten parts wait on disk, not in memory, until the archive is written."""

    def __init__(self) -> None:
        self._dir = tempfile.TemporaryDirectory(prefix="polydoc-xlsx-")
        self._files: dict[str, Path] = {}

    def __enter__(self) -> _Spool:
        return self

    def __exit__(self, *exc: object) -> None:
        self._dir.cleanup()

    def put(self, name: str, data: bytes) -> None:
        path = self._files.setdefault(name, Path(self._dir.name) / str(len(self._files)))
        path.write_bytes(data)

    def __getitem__(self, name: str) -> bytes:
        return self._files[name].read_bytes()

    def __iter__(self) -> Iterator[str]:
        return iter(self._files)

    def __len__(self) -> int:
        return len(self._files)


# --- walking the text of a part -------------------------------------------------------


def _text_root(zf: SafeZip, part: str, kind: str) -> etree._Element | None:
    data = zf.read(part)
    if kind == "sheet" and b"inlineStr" not in data:
        return None  # most sheets only point at shared strings: no need to parse them
    return parse_xml(data, what=part)


def _units(zf: SafeZip, part: str, kind: str, book: Book) -> Iterator[Unit]:
    root = _text_root(zf, part, kind)
    if root is not None:
        yield from _units_of(root, part, kind, book)


def _units_of(root: etree._Element, part: str, kind: str, book: Book) -> Iterator[Unit]:
    """The text containers of a part with their segment ids, the same walk for both directions."""
    if kind == "sst":
        for i, si in enumerate(root.iterchildren(f"{_M}si")):
            yield f"{part}#si{i}", si, "sml"
    elif kind == "sheet":
        for cell in root.iter(f"{_M}c"):
            box = cell.find(f"{_M}is") if cell.get("t") == "inlineStr" else None
            uid = cell_unit(part, cell, book.shared_strings)
            if box is not None and uid:
                yield uid, box, "sml"
    elif kind == "comments":
        seen: set[str] = set()
        for i, comment in enumerate(root.iter(f"{_M}comment")):
            box = comment.find(f"{_M}text")
            ref = comment.get("ref", "")
            uid = f"{part}#{ref}" if ref and ref not in seen else f"{part}#comment{i}"
            seen.add(ref)
            if box is not None:
                yield uid, box, "sml"
    elif kind == "threaded":
        for i, comment in enumerate(root.iter(f"{_TC}threadedComment")):
            box = comment.find(f"{_TC}text")
            # a mention points into the text by character offsets: changing the text breaks it
            if box is not None and comment.find(f"{_TC}mentions") is None:
                yield f"{part}#{comment.get('id') or i}", box, "plain"
    else:  # chart titles, labels and text boxes are DrawingML paragraphs
        for i, paragraph in enumerate(root.iter(f"{{{A_NS}}}p")):
            yield f"{part}#p{i}", paragraph, "dml"


def _read(el: etree._Element, model: str) -> RichText:
    if model == "sml":
        return read_sml(el)
    if model == "dml":
        return read_dml(el)
    return RichText(el.text or "", None, None)


def _write(el: etree._Element, model: str, rich: RichText, target: str) -> bool:
    if model == "sml":
        return write_sml(el, rich, target)
    if model == "dml":
        return write_dml(el, rich, target)
    el.text = xml_safe(strip_tags(target))
    return not tags_of(target)


def _update_chart_cache(root: etree._Element, cache: Mapping[str, str]) -> bool:
    """Charts keep a copy of the cell text they show; keep it in step with the cells."""
    changed = False
    for v in root.iter(f"{_C}v"):
        parent = v.getparent()
        if parent is not None and parent.tag == f"{_C}pt" and v.text in cache:
            v.text = cache[v.text]
            changed = True
    return changed


# --- names that must stay consistent with the rest of the workbook --------------------


def _clean_sheet_name(text: str) -> str:
    name = " ".join(xml_safe(strip_tags(text)).translate(_BAD_SHEET_CHARS).split()).strip("'")
    return name[:31].rstrip()


def _rename_sheets(
    zf: SafeZip,
    book: Book,
    plan: Plan,
    translations: Mapping[str, str],
    spool: _Spool,
    warnings: list[str],
) -> None:
    taken = {s.name.casefold() for s in book.sheets}
    renamed: dict[str, str] = {}
    for sheet in book.sheets:
        uid = f"{book.part}#sheet{sheet.sheet_id}"
        if sheet.sheet_id not in plan.renamable or uid not in translations:
            continue
        name = _clean_sheet_name(translations[uid])
        if name == sheet.name:
            continue
        if not name or name.casefold() == "history" or name.casefold() in taken - {sheet.name.casefold()}:
            warnings.append(f"{uid}: sheet name {name!r} is not usable in Excel; kept {sheet.name!r}")
            continue
        taken.add(name.casefold())
        renamed[sheet.name] = name
    if not renamed:
        return
    root = zf.read_xml(book.part)
    for el in root.iter(f"{_M}sheet"):
        if el.get("name") in renamed:
            el.set("name", renamed[el.get("name", "")])
    spool.put(book.part, xml_bytes(root))
    app = next((t for _, kind, t in relationships(zf, "") if kind == "extended-properties"), None)
    if app and zf.has(app):
        root = zf.read_xml(app)
        titles = root.find(f"{{*}}TitlesOfParts/{_VT}vector")
        if titles is not None:
            for title in list(titles.iterchildren(f"{_VT}lpstr"))[: len(book.sheets)]:
                title.text = renamed.get(title.text or "", title.text)
            spool.put(app, xml_bytes(root))


def _table_edits(
    plan: Plan, translations: Mapping[str, str], warnings: list[str]
) -> tuple[dict[str, list[tuple[int, str, str]]], set[str]]:
    """New column names and totals labels per table part, and the cells that must keep their text.

    A header cell's translation becomes the column name; when names would be empty or
    collide, those header cells keep their source text, which may in turn change other
    tables that share the same strings, hence the loop.
    """
    blocked = set(plan.blocked)

    def after(uid: str | None, current: str) -> str:
        if uid and uid not in blocked and uid in translations:
            return strip_tags(translations[uid])
        return current

    while True:
        edits: dict[str, list[tuple[int, str, str]]] = {}
        grew = False
        for table in plan.tables:
            names = [after(u, c) for u, c in zip(table.header_units, table.columns, strict=True)]
            changed = [i for i, n in enumerate(names) if n != table.columns[i]]
            seen = Counter(n.casefold() for n in names)
            bad = [i for i in changed if not _valid_column(names[i]) or seen[names[i].casefold()] > 1]
            for i in bad:
                blocked.add(table.header_units[i] or "")
                warnings.append(f"table {table.name!r}: header {table.columns[i]!r} kept untranslated")
                grew = True
            ops = [(i, "name", names[i]) for i in changed if i not in bad]
            for i, (unit, label) in enumerate(zip(table.totals_units, table.labels, strict=True)):
                if label is not None and (new := after(unit, label)) != label:
                    if _valid_column(new):
                        ops.append((i, "totalsRowLabel", new))
                    else:
                        blocked.add(unit or "")
                        grew = True
            if ops:
                edits[table.part] = ops
        if not grew:
            return edits, blocked


def _valid_column(name: str) -> bool:
    return bool(name.strip()) and len(name) <= 255 and not any(ord(ch) < 32 for ch in name)


HANDLER = XlsxHandler()
