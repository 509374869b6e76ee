"""Bilingual workbooks: the source cells stay as they are, each text column gets a translated twin.

The twins go after the sheet's last used column, in the order of their source columns, rather
than beside them: inserting columns would move every cell to their right, and with them the
formulas, merged ranges, tables, conditional formats and charts that point there. Nothing moves
this way. A twin holds the translation of each text cell of its column as an inline string
with the source cell's style (rich text kept); its first-row cell names it: the translated
header followed by the language, e.g. "Producto (es)", or "A (es)" when the column has no
text header. A text column is one with a translated cell below its first row (all rows when
the sheet has only one), so a header over numbers gets no empty twin.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from lxml import etree

from polydoc.formats.ooxml._xlsx_parts import split_cell
from polydoc.formats.ooxml._xlsx_plan import cell_unit
from polydoc.formats.ooxml._xlsx_text import MAIN_NS, read_sml, write_sml

_M = f"{{{MAIN_NS}}}"
MAX_COLUMNS = 16384  # Excel's last column, XFD


def col_letters(n: int) -> str:
    out = ""
    while n:
        n, rem = divmod(n - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass(slots=True)
class _Text:
    row: etree._Element
    row_number: int
    column: int
    cell: etree._Element
    box: etree._Element  # the si or is holding the source text
    target: str


def add_translated_columns(
    sheet: etree._Element,
    part: str,
    shared: Callable[[int], etree._Element | None],
    sst: str | None,
    translations: Mapping[str, str],
    lang: str,
    warnings: list[str],
) -> bool:
    """Append the translated twins to a worksheet; True when it changed.

    `shared(i)` is the i-th shared string item of the workbook's shared strings part `sst`.
    """
    found: list[_Text] = []
    last_column, first_row, first = 0, 0, None
    for row in sheet.iter(f"{_M}row"):
        for cell in row.iterchildren(f"{_M}c"):
            at = split_cell(cell.get("r", ""))
            if at is None:
                continue
            if first is None or at[0] < first_row:
                first_row, first = at[0], row
            last_column = max(last_column, at[1])
            text = _text_of(cell, at, row, part, shared, sst, translations)
            if text is not None:
                found.append(text)
    rows = {t.row_number for t in found}
    columns = sorted({t.column for t in found if t.row_number != first_row or len(rows) == 1})
    if not columns:
        return False
    if last_column + len(columns) > MAX_COLUMNS:
        warnings.append(f"{part}: no room for translated columns after column {col_letters(last_column)}")
        return False
    twin = {c: last_column + 1 + k for k, c in enumerate(columns)}
    header = {t.column for t in found if t.row_number == first_row}
    assert first is not None  # there are cells, so a first row
    added: dict[etree._Element, list[tuple[int, etree._Element]]] = {}
    for column in columns:  # names for twins whose source column has no text header
        if column not in header:
            name = _cell(f"{col_letters(twin[column])}{first_row}", None, f"{col_letters(column)} ({lang})")
            added.setdefault(first, []).append((twin[column], name))
    for t in found:
        if t.column not in twin:
            continue
        target = f"{t.target} ({lang})" if t.row_number == first_row else t.target
        box = copy.deepcopy(t.box)
        write_sml(box, read_sml(t.box), target)
        ref = f"{col_letters(twin[t.column])}{t.row_number}"
        added.setdefault(t.row, []).append((twin[t.column], _cell(ref, t.cell.get("s"), None, box)))
    for row, cells in added.items():
        _append(row, [cell for _, cell in sorted(cells, key=lambda nc: nc[0])])
    for row in sheet.iter(f"{_M}row"):
        row.attrib.pop("spans", None)  # an optional hint that would now be wrong
    _widen(sheet, twin)
    dimension = sheet.find(f"{_M}dimension")
    if dimension is not None and ":" in dimension.get("ref", ""):
        start, _, end = dimension.get("ref", "").partition(":")
        end_at = split_cell(end)
        if end_at is not None:
            dimension.set("ref", f"{start}:{col_letters(max(twin.values()))}{end_at[0]}")
    return True


def _text_of(
    cell: etree._Element,
    at: tuple[int, int],
    row: etree._Element,
    part: str,
    shared: Callable[[int], etree._Element | None],
    sst: str | None,
    translations: Mapping[str, str],
) -> _Text | None:
    uid = cell_unit(part, cell, sst)
    target = translations.get(uid) if uid else None
    if target is None or not target.strip():
        return None
    if cell.get("t") == "s":
        v = cell.findtext(f"{_M}v") or ""
        box = shared(int(v)) if v.strip().isdigit() else None
    else:
        box = cell.find(f"{_M}is")
    if box is None or read_sml(box).text == target:
        return None
    return _Text(row, at[0], at[1], cell, box, target)


def _cell(ref: str, style: str | None, text: str | None, box: etree._Element | None = None) -> etree._Element:
    cell = etree.Element(f"{_M}c", {"r": ref, "t": "inlineStr"})
    if style is not None:
        cell.set("s", style)
    inline = etree.SubElement(cell, f"{_M}is")
    if box is not None:
        inline.extend(child for child in box if child.tag in (f"{_M}t", f"{_M}r"))
    else:
        etree.SubElement(inline, f"{_M}t").text = text
    return cell


def _append(row: etree._Element, new: list[etree._Element]) -> None:
    """After the row's last cell (the twins are right of every used column), before extensions."""
    cells = list(row.iterchildren(f"{_M}c"))
    at = row.index(cells[-1]) + 1 if cells else 0
    for k, cell in enumerate(new):
        row.insert(at + k, cell)


def _widen(sheet: etree._Element, twin: Mapping[int, int]) -> None:
    """Give each twin its source column's width, unless a column range already reaches that far."""
    cols = sheet.find(f"{_M}cols")
    if cols is None:
        return
    ranges = [(int(c.get("min", "0")), int(c.get("max", "0")), c) for c in cols.iterchildren(f"{_M}col")]
    if any(hi >= min(twin.values()) for _, hi, _ in ranges):
        return
    for source, new in sorted(twin.items(), key=lambda kv: kv[1]):
        width = next((c.get("width") for lo, hi, c in ranges if lo <= source <= hi and c.get("width")), None)
        if width is not None:
            etree.SubElement(cols, f"{_M}col", {"min": str(new), "max": str(new), "width": width})
            cols[-1].set("customWidth", "1")
