"""Bilingual XLSX: source cells as they were, a translated column for each text column, named so."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from openpyxl.cell.rich_text import CellRichText

from polydoc.formats.ooxml.xlsx import HANDLER
from tests.builders.xlsx import build_sales_workbook
from tests.formats.roundtrip import fake_translations, rebuilt


@pytest.fixture(params=[True, False], ids=["shared-strings", "inline-strings"])
def workbooks(tmp_path: Path, request: pytest.FixtureRequest) -> tuple[openpyxl.Workbook, openpyxl.Workbook]:
    src = build_sales_workbook(tmp_path, shared_strings=request.param)
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.xlsx", "bilingual")
    assert not report.warnings
    return openpyxl.load_workbook(src, rich_text=True), openpyxl.load_workbook(out, rich_text=True)


def plain(value: object) -> object:
    return str(value) if isinstance(value, CellRichText) else value


def test_the_handler_offers_bilingual_output() -> None:
    assert "bilingual" in HANDLER.output_modes


def test_source_cells_stay_and_the_translated_column_follows_the_data(workbooks) -> None:
    src, out = workbooks
    source, sheet = src["Sales Report"], out["Sales Report"]
    for row in source.iter_rows():
        for cell in row:  # every source cell as it was, formulas and numbers included
            assert plain(sheet[cell.coordinate].value) == plain(cell.value), cell.coordinate
    assert sheet.max_column == source.max_column + 1  # one text column (A): one twin (F)
    assert sheet["F1"].value == "esPRODUCT (es)"
    assert sheet["F2"].value == "esGREEN esAPPLE"
    assert sheet["F3"].value == "esRED esCHERRY"
    assert sheet["F6"].value == "esQUARTERLY esSUMMARY esOF esSALES"
    assert sheet["F4"].value is None and sheet["F7"].value is None


def test_the_translation_keeps_rich_text_and_the_source_style(workbooks) -> None:
    _, out = workbooks
    sheet = out["Sales Report"]
    rich = sheet["F5"].value
    assert isinstance(rich, CellRichText)
    assert [(b.text, bool(b.font.b)) for b in rich if not isinstance(b, str)] == [("esFRUIT", True)]
    assert sheet["F1"].font.b and sheet["F1"].fill.fgColor.rgb == sheet["A1"].fill.fgColor.rgb
    assert sheet.tables["Fruit"].ref == "A1:E3"
    assert [c.name for c in sheet.tables["Fruit"].tableColumns][0] == "Product"  # header cells kept


def test_every_sheet_gets_twins_and_other_text_is_translated_as_usual(workbooks) -> None:
    _, out = workbooks
    notes = out[next(n for n in out.sheetnames if "NOTES" in n)]  # sheet names translated as usual
    assert [[c.value for c in row] for row in notes.iter_rows()] == [
        ["Remember to water the plants", "esREMEMBER esTO esWATER esTHE esPLANTS (es)"],
        ["Green apple", "esGREEN esAPPLE"],
    ]
    assert out["Sales Report"]["A2"].comment.text.startswith("es")
