"""What may change without breaking the workbook: sheet names, table headers, pivot sources.

A sheet name is translated only when nothing refers to it: no formula, defined name,
chart series, data validation, conditional format, hyperlink location, linked text box,
form control or pivot source, no INDIRECT-style lookup by string, and no macros. A table's
column names must equal its header cells, so a header is translated only when no
structured reference names the column (rebuild then renames the column); the header row
of a pivot table's source keeps its text so the pivot cache still matches. A text that a
formula, a validation list or a conditional format compares cells with ("Done" in
=COUNTIF(C:C,"Done")) keeps its text too, so results stay what they were.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from lxml import etree

from polydoc.formats._safety import SafeZip
from polydoc.formats.ooxml._xlsx_parts import Book, split_cell, split_range
from polydoc.formats.ooxml._xlsx_text import MAIN_NS

_M = f"{{{MAIN_NS}}}"
_FORMULA_TAGS = (
    "f", "formula", "formula1", "formula2", "definedName", "calculatedColumnFormula", "totalsRowFormula",
)  # fmt: skip
_FORMULAS = etree.XPath(
    "//*["
    + " or ".join(f"local-name()='{t}'" for t in _FORMULA_TAGS)
    + "]/text() | //@location | //@textlink"
)
_SHEET_ATTRS = etree.XPath("//@sheet")
_RULE_TEXTS = etree.XPath("//*[local-name()='cfRule']/@text")
_HASH_TARGETS = etree.XPath("//@Target[starts-with(., '#')]")
_QUOTED = re.compile(r"'((?:[^']|'')+)'!")
_BARE = re.compile(r"(?<![\w.'])([\w.]+(?::[\w.]+)?)!")
_EXTERNAL = re.compile(r"^\[[^\]]*\]")
_BRACKET = re.compile(r"\[([^\[\]]*)\]")
_STRING = re.compile(r'"((?:[^"]|"")*)"')
_DYNAMIC = re.compile(r"\b(?:INDIRECT|EVALUATE|SHEET)\s*\(", re.IGNORECASE)
_VML_FORMULA = re.compile(rb"<x:Fmla\w*>([^<]*)</x:Fmla\w*>")
_RANGE = re.compile(r"^=?(?:'((?:[^']|'')+)'|([^'!]+))!(\$?[A-Z]+\$?\d+(?::\$?[A-Z]+\$?\d+)?)$", re.I)
# parts that never hold a reference to a sheet, a table column or a defined name
_NO_REFS = re.compile(r"sharedStrings|comments|threadedComment|persons|styles|theme/|calcChain|externalLink")


@dataclass(slots=True)
class References:
    """Names that formulas and other parts refer to, casefolded as Excel compares them."""

    sheets: set[str] = field(default_factory=set)
    columns: set[str] = field(default_factory=set)  # names inside [...] of structured references
    literals: set[str] = field(default_factory=set)  # texts that cells are compared with
    dynamic: bool = False  # a sheet is looked up by a string built at run time

    def literal(self, text: str) -> None:
        for item in (text, *text.split(",")):  # "Open,Done" is a validation list
            if item.strip():
                self.literals.add(item.strip().casefold())

    def feed(self, text: str) -> None:
        if "!" in text:
            names = [m.group(1).replace("''", "'") for m in _QUOTED.finditer(text)]
            names += [m.group(1) for m in _BARE.finditer(text)]
            for name in names:
                for one in _EXTERNAL.sub("", name).split(":"):
                    self.sheets.add(one.casefold())
        if "[" in text:
            for m in _BRACKET.finditer(text):
                self.columns.add(re.sub(r"'(.)", r"\1", m.group(1).lstrip("@")).strip().casefold())
        if '"' in text:
            for m in _STRING.finditer(text):
                self.literal(m.group(1).replace('""', '"'))
        if not self.dynamic and _DYNAMIC.search(text):
            self.dynamic = True


@dataclass(slots=True)
class Table:
    part: str
    sheet_part: str
    name: str
    columns: list[str]  # tableColumn names
    labels: list[str | None]  # totalsRowLabel of each column
    header: tuple[int, int] | None  # (row, first column) of the header row
    totals: tuple[int, int] | None
    header_units: list[str | None] = field(default_factory=list)  # segment id of each header cell
    totals_units: list[str | None] = field(default_factory=list)
    pivot_source: bool = False


@dataclass(slots=True)
class Plan:
    renamable: set[str]  # sheetIds whose name may be translated
    blocked: set[str]  # segment ids that must keep their source text
    tables: list[Table]
    literals: set[str]  # casefolded texts that formulas compare cells with

    def keeps(self, uid: str, text: str) -> bool:
        """True when the segment must keep its source text."""
        return uid in self.blocked or text.strip().casefold() in self.literals


def cell_unit(sheet_part: str, cell: etree._Element, sst: str | None) -> str | None:
    """The segment id that holds the text of a cell, if the cell holds text."""
    kind = cell.get("t")
    if kind == "s" and sst:
        v = cell.find(f"{_M}v")
        return f"{sst}#si{v.text.strip()}" if v is not None and v.text else None
    if kind == "inlineStr" and cell.get("r"):
        return f"{sheet_part}#{cell.get('r')}"
    return None


def make_plan(zf: SafeZip, book: Book, is_text: Callable[[str], bool]) -> Plan:
    refs = References()
    tables = _load_tables(zf, book)
    pivot_cells = _pivot_sources(zf, book, tables)
    watched: dict[str, dict[tuple[int, int], list[tuple[Table | None, str, int]]]] = {}
    for table in tables:
        cells = watched.setdefault(table.sheet_part, {})
        for key, anchor in (("header", table.header), ("totals", table.totals)):
            if anchor is None:
                continue
            for i in range(len(table.columns)):
                cells.setdefault((anchor[0], anchor[1] + i), []).append((table, key, i))
    for sheet_part, cells in pivot_cells.items():
        for cell in cells:
            watched.setdefault(sheet_part, {}).setdefault(cell, []).append((None, "pivot", 0))
    blocked: set[str] = set()
    for name in zf.names:
        if name.startswith("xl/") and name.endswith(".xml") and not _NO_REFS.search(name):
            root = zf.read_xml(name)
            _scan(root, refs)
            if name in watched:
                blocked |= _watch(root, name, watched[name], book.shared_strings)
        elif name.endswith(".rels") and name.startswith("xl/worksheets/"):
            for target in _HASH_TARGETS(zf.read_xml(name)):  # hyperlinks written as "#Sheet!A1"
                refs.feed(str(target)[1:])
        elif name.endswith(".vml"):
            for m in _VML_FORMULA.finditer(zf.read(name)):
                refs.feed(html.unescape(m.group(1).decode("utf-8", "replace")))
    for table in tables:
        for i, (col, unit) in enumerate(zip(table.columns, table.header_units, strict=True)):
            name = col.strip().casefold()
            if unit and (table.pivot_source or name in refs.columns or name in refs.literals):
                blocked.add(unit)
                table.header_units[i] = None
        for i, label in enumerate(table.labels):
            if label is not None and label.strip().casefold() in refs.literals:
                table.totals_units[i] = None  # the cell keeps its text, so the label must too
    renamable = set()
    if not (book.has_macros or refs.dynamic):
        for sheet in book.sheets:
            if sheet.name.casefold() not in refs.sheets and is_text(sheet.name):
                renamable.add(sheet.sheet_id)
    return Plan(renamable, blocked, tables, refs.literals)


def _scan(root: etree._Element, refs: References) -> None:
    for text in _FORMULAS(root):
        refs.feed(str(text))
    for name in _SHEET_ATTRS(root):
        refs.sheets.add(str(name).casefold())
    for text in _RULE_TEXTS(root):
        refs.literal(str(text))


def _watch(
    root: etree._Element,
    part: str,
    cells: dict[tuple[int, int], list[tuple[Table | None, str, int]]],
    sst: str | None,
) -> set[str]:
    blocked = set()
    for cell in root.iter(f"{_M}c"):
        pos = split_cell(cell.get("r", ""))
        if pos not in cells:
            continue
        unit = cell_unit(part, cell, sst)
        for table, key, i in cells[pos]:
            if table is None:
                if unit:
                    blocked.add(unit)
            elif key == "header":
                table.header_units[i] = unit
            else:
                table.totals_units[i] = unit
    return blocked


def _load_tables(zf: SafeZip, book: Book) -> list[Table]:
    tables = []
    for sheet in book.sheets:
        for part in sheet.related.get("table", []):
            root = zf.read_xml(part)
            area = split_range(root.get("ref", ""))
            columns = list(root.iter(f"{_M}tableColumn"))
            if area is None or not columns:
                continue
            first_row, first_col, last_row, _ = area
            header = (first_row, first_col) if root.get("headerRowCount", "1") != "0" else None
            totals = (last_row, first_col) if root.get("totalsRowCount", "0") not in ("0", "") else None
            tables.append(
                Table(
                    part=part,
                    sheet_part=sheet.part or "",
                    name=root.get("displayName") or root.get("name") or "",
                    columns=[c.get("name", "") for c in columns],
                    labels=[c.get("totalsRowLabel") for c in columns],
                    header=header,
                    totals=totals,
                    header_units=[None] * len(columns),
                    totals_units=[None] * len(columns),
                )
            )
    return tables


def _pivot_sources(zf: SafeZip, book: Book, tables: Iterable[Table]) -> dict[str, set[tuple[int, int]]]:
    """Header cells of pivot table sources, by sheet part."""
    by_sheet = {s.name.casefold(): s.part for s in book.sheets if s.part}
    by_table = {t.name.casefold(): t for t in tables}
    cells: dict[str, set[tuple[int, int]]] = {}
    for part in book.pivot_caches:
        source = zf.read_xml(part).find(f"{_M}cacheSource/{_M}worksheetSource")
        if source is None:
            continue
        sheet, ref = source.get("sheet"), source.get("ref")
        name = (source.get("name") or "").casefold()
        if name in by_table:
            by_table[name].pivot_source = True
            continue
        if name in book.defined_names and (m := _RANGE.match(book.defined_names[name].strip())):
            sheet, ref = (m.group(1) or "").replace("''", "'") or m.group(2), m.group(3)
        area = split_range((ref or "").replace("$", ""))
        target = by_sheet.get((sheet or "").casefold())
        if area and target:
            row, first, _, last = area
            cells.setdefault(target, set()).update((row, c) for c in range(first, last + 1))
    return cells
