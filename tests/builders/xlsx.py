"""Workbooks built with openpyxl, optionally reshaped the way Excel stores strings."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

from lxml import etree
from openpyxl import Workbook
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.cell.text import InlineFont
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.text import RichText, Text
from openpyxl.chart.title import Title
from openpyxl.comments import Comment
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties, RegularTextRun
from openpyxl.styles import Font, PatternFill
from openpyxl.worksheet.table import Table

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_M = f"{{{MAIN}}}"
_SST_TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
_SST_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"


def build_sales_workbook(folder: Path, *, shared_strings: bool = True, name: str = "sales.xlsx") -> Path:
    """A three-sheet sales workbook.

    Sheet "Sales Report" (its name is used by formulas, so it must stay): a table
    "Fruit" on A1:E3 with the bold, grey-filled headers Product / Price / Sold on /
    Website / Code; rows "Green apple" 1.5 2024-03-01 https://example.com/apple SKU-123
    and "Red cherry" 2.25 2024-03-02 sales@example.com SKU-456; B2 has a yellow fill
    and number format 0.00; a comment "Check the supplier price" on A2; A5 holds
    "Fresh fruit every day" with "fruit" in bold; A6:C6 is merged and reads "Quarterly
    summary of sales"; A7 is TRUE and B7 =B2+B3. Every English word is meant to be translated.
    Sheet "Summary" (name not referenced): "Total price of the first product" with
    ='Sales Report'!B2*2, "Sum of all prices" with =SUM('Sales Report'!B2:B3), and a bar
    chart of the prices (series named by the "Price" header) titled "Monthly sales", with
    "sales" in bold, and the axis title "Month".
    Sheet "Notes" (name not referenced): "Remember to water the plants" and again
    "Green apple" (the same shared string as on the first sheet).
    With `shared_strings` the cell text is moved into xl/sharedStrings.xml as Excel
    writes it; otherwise it stays inline, as openpyxl writes it.
    """
    wb = Workbook()
    ws = wb.active
    ws.title = "Sales Report"
    ws.append(["Product", "Price", "Sold on", "Website", "Code"])
    ws.append(["Green apple", 1.5, dt.date(2024, 3, 1), "https://example.com/apple", "SKU-123"])
    ws.append(["Red cherry", 2.25, dt.date(2024, 3, 2), "sales@example.com", "SKU-456"])
    for cell in ws[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDDDDD")
    for row in (2, 3):
        ws.cell(row, 3).number_format = "yyyy-mm-dd"
    ws["B2"].fill = PatternFill("solid", fgColor="FFFF00")
    ws["B2"].number_format = "0.00"
    ws["A2"].comment = Comment("Check the supplier price", "Ann")
    ws["A5"] = CellRichText("Fresh ", TextBlock(InlineFont(b=True), "fruit"), " every day")
    ws["A6"] = "Quarterly summary of sales"
    ws.merge_cells("A6:C6")
    ws["A7"] = True
    ws["B7"] = "=B2+B3"
    ws.add_table(Table(displayName="Fruit", ref="A1:E3"))

    summary = wb.create_sheet("Summary")
    summary.append(["Total price of the first product", "='Sales Report'!B2*2"])
    summary.append(["Sum of all prices", "=SUM('Sales Report'!B2:B3)"])
    chart = BarChart()
    runs = [RegularTextRun(t="Monthly "), RegularTextRun(rPr=CharacterProperties(b=True), t="sales")]
    paragraph = Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties()), r=runs)
    chart.title = Title(tx=Text(rich=RichText(p=[paragraph])))
    chart.x_axis.title = "Month"
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=3), titles_from_data=True)
    summary.add_chart(chart, "D2")

    notes = wb.create_sheet("Notes")
    notes.append(["Remember to water the plants"])
    notes.append(["Green apple"])

    path = folder / name
    wb.save(path)
    if shared_strings:
        to_shared_strings(path)
    return path


def build_long_workbook(folder: Path, cells: int, chars: int, name: str = "long.xlsx") -> Path:
    """One sheet with `cells` (at most 26) different cells of English prose, each `chars` long."""
    wb = Workbook()
    sentence = "The quick brown fox jumps over the lazy dog. "
    for i in range(cells):
        text = f"Note {chr(65 + i)}. " + sentence * (chars // len(sentence) + 1)
        wb.active.cell(i + 1, 1, text[:chars])
    path = folder / name
    wb.save(path)
    to_shared_strings(path)
    return path


def to_shared_strings(path: Path) -> None:
    """Move inline strings into a shared string table, as Excel and LibreOffice store them."""
    with zipfile.ZipFile(path) as zf:
        members = [(info, zf.read(info)) for info in zf.infolist()]
    index: dict[bytes, int] = {}
    sst = etree.Element(f"{_M}sst", nsmap={None: MAIN})
    count = 0
    out: dict[str, bytes] = {}
    for info, data in members:
        if not (info.filename.startswith("xl/worksheets/") and info.filename.endswith(".xml")):
            continue
        root = etree.fromstring(data)
        for cell in root.iter(f"{_M}c"):
            box = cell.find(f"{_M}is")
            if cell.get("t") != "inlineStr" or box is None:
                continue
            key = b"".join(etree.tostring(child, method="c14n") for child in box)
            if key not in index:
                index[key] = len(index)
                si = etree.SubElement(sst, f"{_M}si")
                si.extend(list(box))
            cell.remove(box)
            cell.set("t", "s")
            etree.SubElement(cell, f"{_M}v").text = str(index[key])
            count += 1
        out[info.filename] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    sst.set("count", str(count))
    sst.set("uniqueCount", str(len(index)))
    out["xl/sharedStrings.xml"] = etree.tostring(sst, xml_declaration=True, encoding="UTF-8", standalone=True)
    for name, ns, tag, attrs in (
        (
            "xl/_rels/workbook.xml.rels",
            "http://schemas.openxmlformats.org/package/2006/relationships",
            "Relationship",
            {"Id": "rIdSst", "Type": _SST_TYPE, "Target": "sharedStrings.xml"},
        ),
        (
            "[Content_Types].xml",
            "http://schemas.openxmlformats.org/package/2006/content-types",
            "Override",
            {"PartName": "/xl/sharedStrings.xml", "ContentType": _SST_CT},
        ),
    ):
        root = etree.fromstring(dict((i.filename, d) for i, d in members)[name])
        etree.SubElement(root, f"{{{ns}}}{tag}", attrs)
        out[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for info, data in members:
            zf.writestr(info, out.get(info.filename, data))
        zf.writestr("xl/sharedStrings.xml", out["xl/sharedStrings.xml"])
