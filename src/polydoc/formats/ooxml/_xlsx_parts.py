"""Where things are in a workbook package: the workbook part, its sheets and their parts.

Everything is found through relationships, never by guessing member names, because
writers differ (openpyxl uses absolute targets, Excel relative ones).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

from polydoc.errors import MalformedDocument
from polydoc.formats._safety import SafeZip
from polydoc.formats.ooxml._xlsx_text import MAIN_NS

PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_M = f"{{{MAIN_NS}}}"
_CELL = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d+)")


def col_number(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def split_cell(ref: str) -> tuple[int, int] | None:
    """'B7' -> (row 7, column 2)."""
    m = _CELL.fullmatch(ref)
    return (int(m.group(2)), col_number(m.group(1))) if m else None


def split_range(ref: str) -> tuple[int, int, int, int] | None:
    """'A1:C5' -> (first row, first column, last row, last column)."""
    first, _, last = ref.partition(":")
    a, b = split_cell(first), split_cell(last or first)
    return (a[0], a[1], b[0], b[1]) if a and b else None


def relationships(zf: SafeZip, part: str) -> list[tuple[str, str, str]]:
    """(id, type name, target part) of the internal relationships of `part`."""
    folder, base = posixpath.split(part)
    name = posixpath.join(folder, "_rels", base + ".rels")
    if not zf.has(name):
        return []
    out = []
    for rel in zf.read_xml(name).iter(f"{{{PKG_REL_NS}}}Relationship"):
        target = rel.get("Target", "")
        if rel.get("TargetMode") == "External" or not target:
            continue
        if target.startswith("/"):
            resolved = target.lstrip("/")
        else:
            resolved = posixpath.normpath(posixpath.join(folder, target))
        out.append((rel.get("Id", ""), rel.get("Type", "").rsplit("/", 1)[-1], resolved))
    return out


@dataclass(slots=True)
class Sheet:
    name: str
    sheet_id: str
    part: str | None  # None when the relationship is missing
    worksheet: bool  # False for chart sheets, dialog sheets, macro sheets
    related: dict[str, list[str]] = field(default_factory=dict)  # relationship type -> parts
    charts: list[str] = field(default_factory=list)  # reached through the sheet's drawings


@dataclass(slots=True)
class Book:
    part: str  # usually xl/workbook.xml
    sheets: list[Sheet]
    shared_strings: str | None
    pivot_caches: list[str]
    defined_names: dict[str, str]  # casefolded name -> formula text
    has_macros: bool

    def text_parts(self) -> list[tuple[str, str]]:
        """(part, kind) of every part that holds text, in reading order."""
        out: list[tuple[str, str]] = []
        if self.shared_strings:
            out.append((self.shared_strings, "sst"))
        for sheet in self.sheets:
            if sheet.part and sheet.worksheet:
                out.append((sheet.part, "sheet"))
            out += [(p, "comments") for p in sheet.related.get("comments", [])]
            out += [(p, "threaded") for p in sheet.related.get("threadedComment", [])]
            out += [(p, "drawing") for p in sheet.related.get("drawing", [])]
            out += [(p, "chart") for p in sheet.charts]
        return list(dict.fromkeys(out))  # a part reached twice is walked once


def load_book(zf: SafeZip) -> Book:
    main = next((t for _, kind, t in relationships(zf, "") if kind == "officeDocument"), "xl/workbook.xml")
    if not zf.has(main):
        raise MalformedDocument("The workbook has no main part; it is not a valid .xlsx file")
    root = zf.read_xml(main)
    rels = {rid: (kind, target) for rid, kind, target in relationships(zf, main)}
    sheets = []
    for el in root.iter(f"{_M}sheet"):
        kind, target = rels.get(el.get(R_ID, ""), ("", ""))
        part = target if target and zf.has(target) else None
        sheet = Sheet(el.get("name", ""), el.get("sheetId", ""), part, kind == "worksheet")
        if part:
            _attach(zf, sheet, part)
        sheets.append(sheet)
    pivots = [rels[el.get(R_ID, "")][1] for el in root.iter(f"{_M}pivotCache") if el.get(R_ID) in rels]
    sst = next((t for kind, t in rels.values() if kind == "sharedStrings" and zf.has(t)), None)
    names = {el.get("name", "").casefold(): el.text or "" for el in root.iter(f"{_M}definedName")}
    macros = any(n.endswith("vbaProject.bin") or "/macrosheets/" in n for n in zf.names)
    return Book(main, sheets, sst, [p for p in pivots if zf.has(p)], names, macros)


def _attach(zf: SafeZip, sheet: Sheet, part: str) -> None:
    for _, kind, target in relationships(zf, part):
        if not zf.has(target):
            continue
        sheet.related.setdefault(kind, []).append(target)
        if kind == "drawing":
            sheet.charts += [t for _, k, t in relationships(zf, target) if k == "chart" and zf.has(t)]
