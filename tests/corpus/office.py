"""Awkward Office documents, built with python-docx, python-pptx and openpyxl.

What python-docx has no API for (bidi paragraphs, fields, content controls, hidden text,
comment replies, charts in Word) is written as the WordprocessingML Word saves and put into the
package with python-docx's own part and relationship machinery.
"""

from __future__ import annotations

import datetime as dt
import io

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.shared import Inches
from lxml import etree

from tests.builders.docx import (
    DIAGRAM_DATA_TYPE,
    DIAGRAM_DRAWING_REL,
    DIAGRAM_DRAWING_TYPE,
    _field,
    _xml,
    png_pixel,
    smartart_parts,
)

# what must come back byte for byte, wherever it sits in a sentence
URL_SPLIT = "www.amazon.com"  # written as "www.ama" + bold "zon" + ".com"
EMAIL = "ray@example.org"
ORDER_ID = "3OQX89CUTAV1X"
POLICY_URL = "http://www.rgu.ac.uk/policies"
FORUM_PATH = "/forums/forums.cfm"
KEEP = (URL_SPLIT, EMAIL, ORDER_ID, POLICY_URL, FORUM_PATH)

_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"
_W15 = "http://schemas.microsoft.com/office/word/2012/wordml"
_COMMENTS_EXT_REL = "http://schemas.microsoft.com/office/2011/relationships/commentsExtended"
_COMMENTS_EXT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.commentsExtended+xml"
_CHART_TYPE = "application/vnd.openxmlformats-officedocument.drawingml.chart+xml"
_C = "http://schemas.openxmlformats.org/drawingml/2006/chart"


def _chart_data():  # noqa: ANN202 - python-pptx's chart data
    from pptx.chart.data import CategoryChartData

    data = CategoryChartData()
    data.categories = ["North coast", "South valley"]
    data.add_series("Yearly rainfall", (812.5, 430.25))
    return data


def _chart_xml() -> bytes:
    from pptx.chart.xmlwriter import ChartXmlWriter
    from pptx.enum.chart import XL_CHART_TYPE

    return ChartXmlWriter(XL_CHART_TYPE.COLUMN_CLUSTERED, _chart_data()).xml.encode()


def _rtl(doc: docx.document.Document, text: str, lang: str) -> None:
    p = doc.add_paragraph()
    p._p.get_or_add_pPr().append(_xml("<w:bidi/>"))
    p._p.append(_xml(f'<w:r><w:rPr><w:rtl/><w:lang w:bidi="{lang}"/></w:rPr><w:t>{text}</w:t></w:r>'))


def _reply_to_first_comment(doc: docx.document.Document, anchor) -> None:  # noqa: ANN001
    """A second comment on the same run, marked in commentsExtended.xml as a reply to the first."""
    doc.add_comment(anchor, text="I checked it twice, it is right.", author="Bob", initials="B")
    comments = doc.part._comments_part
    para_ids = []
    for n, comment in enumerate(comments.element.findall(f"{{{docx.oxml.ns.nsmap['w']}}}comment")):
        para = comment.findall(f"{{{docx.oxml.ns.nsmap['w']}}}p")[-1]
        para.set(f"{{{_W14}}}paraId", f"1000000{n}")
        para_ids.append(f"1000000{n}")
    ext = (
        f'<w15:commentsEx xmlns:w15="{_W15}">'
        f'<w15:commentEx w15:paraId="{para_ids[0]}" w15:done="0"/>'
        f'<w15:commentEx w15:paraId="{para_ids[1]}" w15:paraIdParent="{para_ids[0]}" w15:done="0"/>'
        "</w15:commentsEx>"
    )
    part = Part(PackURI("/word/commentsExtended.xml"), _COMMENTS_EXT_TYPE, ext.encode(), doc.part.package)
    doc.part.relate_to(part, _COMMENTS_EXT_REL)


def _chart_run(doc: docx.document.Document) -> None:
    part = Part(PackURI("/word/charts/chart1.xml"), _CHART_TYPE, _chart_xml(), doc.part.package)
    rid = doc.part.relate_to(part, RT.CHART)
    doc.add_paragraph()._p.append(
        _xml(
            '<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0">'
            '<wp:extent cx="3657600" cy="2286000"/><wp:effectExtent l="0" t="0" r="0" b="0"/>'
            '<wp:docPr id="30" name="Chart 30"/><wp:cNvGraphicFramePr/>'
            f'<a:graphic><a:graphicData uri="{_C}"><c:chart xmlns:c="{_C}" r:id="{rid}"/>'
            "</a:graphicData></a:graphic></wp:inline></w:drawing></w:r>"
        )
    )


def build_docx() -> bytes:
    """RTL paragraphs, fields, content controls, nested tables, hidden text, a comment with a
    reply, split URLs/e-mails/ids, an image, a chart and SmartArt parts."""
    doc = docx.Document()
    doc.add_heading("Field notes from the coast", level=1)
    _rtl(doc, "مرحبا بكم في التقرير السنوي", "ar-SA")
    _rtl(doc, "שלום וברוכים הבאים לדוח", "he-IL")
    p = doc.add_paragraph("The Arabic word ")
    p._p.append(_xml("<w:r><w:rPr><w:rtl/></w:rPr><w:t>سلام</w:t></w:r>"))
    p.add_run(" means peace in English.")

    p = doc.add_paragraph("Order the maps at www.ama")
    p.add_run("zon").bold = True
    p.add_run(f".com or write to ray@example.org before Friday, quoting order {ORDER_ID}.")
    doc.add_paragraph(f"Our rules are at {POLICY_URL} and the forum lives at {FORUM_PATH} today.")

    p = doc.add_paragraph("This is page ")
    _field(p, " PAGE ", "1")
    p.add_run(" and the chapter starts on page ")
    _field(p, " REF _Ref1 \\h ", "2")
    p.add_run(".")
    p = doc.add_paragraph("Read the ")
    _field(p, ' HYPERLINK "https://example.com/tides?year=2024" ', "tide tables")
    p.add_run(" before you sail. Printed on ")
    p._p.append(
        _xml(
            '<w:fldSimple w:instr=" DATE \\@ &quot;yyyy-MM-dd&quot; "><w:r><w:t>2024-05-01</w:t></w:r></w:fldSimple>'
        )
    )
    p.add_run(".")
    p = doc.add_paragraph()
    p._p.append(_xml('<w:bookmarkStart w:id="5" w:name="_Ref1"/>'))
    p.add_run("The second chapter talks about birds.")
    p._p.append(_xml('<w:bookmarkEnd w:id="5"/>'))

    doc.element.body.insert(
        len(doc.element.body) - 1,
        _xml(
            '<w:sdt><w:sdtPr><w:alias w:val="Summary"/><w:tag w:val="summary"/><w:id w:val="41"/></w:sdtPr>'
            "<w:sdtContent><w:p><w:r><w:t>Write a short summary of the trip here.</w:t></w:r></w:p>"
            "</w:sdtContent></w:sdt>"
        ),
    )
    p = doc.add_paragraph("Weather on the day: ")
    p._p.append(
        _xml(
            '<w:sdt><w:sdtPr><w:id w:val="42"/><w:dropDownList><w:listItem w:displayText="Sunny" w:value="1"/>'
            '<w:listItem w:displayText="Rainy" w:value="2"/></w:dropDownList></w:sdtPr>'
            "<w:sdtContent><w:r><w:t>Sunny</w:t></w:r></w:sdtContent></w:sdt>"
        )
    )
    p = doc.add_paragraph("The boat was ")
    p._p.append(
        _xml('<w:r><w:rPr><w:vanish/></w:rPr><w:t xml:space="preserve">secretly painted red and </w:t></w:r>')
    )
    p.add_run("ready at dawn.")

    p = doc.add_paragraph("The lighthouse is ")
    anchor = p.add_run("very old")
    p.add_run(" and still works.")
    doc.add_comment(anchor, text="Is it older than the harbour?", author="Ann", initials="A")
    _reply_to_first_comment(doc, anchor)

    outer = doc.add_table(rows=2, cols=2)
    outer.cell(0, 0).text = "Birds seen"
    outer.cell(0, 1).text = "Where"
    middle = outer.cell(1, 0).add_table(rows=1, cols=2)
    middle.cell(0, 0).text = "Gulls on the rocks"
    inner = middle.cell(0, 1).add_table(rows=1, cols=1)
    inner.cell(0, 0).text = "Three herons near the river"
    outer.cell(1, 1).text = "North beach"

    p = doc.add_paragraph("A picture of the bay ")
    p.add_run().add_picture(io.BytesIO(png_pixel()), width=Inches(0.3))
    p.add_run(" taken in the morning.")
    doc.add_paragraph("The chart shows the rainfall.")
    _chart_run(doc)
    data, drawing = smartart_parts()
    package = doc.part.package
    doc.part.relate_to(
        Part(PackURI("/word/diagrams/data1.xml"), DIAGRAM_DATA_TYPE, data, package), RT.DIAGRAM_DATA
    )
    doc.part.relate_to(
        Part(PackURI("/word/diagrams/drawing1.xml"), DIAGRAM_DRAWING_TYPE, drawing, package),
        DIAGRAM_DRAWING_REL,
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build_pptx() -> bytes:
    """Notes, a group inside a group, a table, a chart with its embedded workbook, an image and
    split URLs/e-mails/ids."""
    import pptx
    from pptx.enum.chart import XL_CHART_TYPE

    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[1])
    slide.shapes.title.text = "Harbour survey results"
    para = slide.placeholders[1].text_frame.paragraphs[0]
    para.add_run().text = "Book a tour at www.ama"
    para.add_run().text = "zon"
    para.runs[-1].font.bold = True
    para.add_run().text = f".com or mail ray@example.org with code {ORDER_ID}."
    slide.placeholders[
        1
    ].text_frame.add_paragraph().text = f"The full policy is at {POLICY_URL} for everyone."
    slide.notes_slide.notes_text_frame.text = "Speak slowly and show the map first."

    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Boats and crews"
    group = slide.shapes.add_group_shape()
    group.shapes.add_textbox(
        Inches(0.5), Inches(2), Inches(3), Inches(1)
    ).text_frame.text = "Fishing boats leave early"
    inner = group.shapes.add_group_shape()
    inner.shapes.add_textbox(
        Inches(0.5), Inches(3), Inches(3), Inches(1)
    ).text_frame.text = "The crews come back at noon"
    table = slide.shapes.add_table(2, 2, Inches(5), Inches(2), Inches(4), Inches(1)).table
    for (row, col), text in {
        (0, 0): "Boat name",
        (0, 1): "Length",
        (1, 0): "Blue heron",
        (1, 1): "12.5",
    }.items():
        table.cell(row, col).text = text
    slide.shapes.add_picture(io.BytesIO(png_pixel()), Inches(8), Inches(5), Inches(0.5))
    slide.notes_slide.notes_text_frame.text = "Ask the audience about their own boats."

    slide = prs.slides.add_slide(prs.slide_layouts[5])
    slide.shapes.title.text = "Rain over the year"
    chart = slide.shapes.add_chart(
        XL_CHART_TYPE.COLUMN_CLUSTERED, Inches(1), Inches(1.5), Inches(7), Inches(5), _chart_data()
    ).chart
    chart.has_title = True
    chart.chart_title.text_frame.text = "Rainfall by region"
    out = io.BytesIO()
    prs.save(out)
    return out.getvalue()


def build_xlsx() -> bytes:
    """Rich text, formulas (one shared), numbers and dates, merged cells, a chart, a sheet named in
    formulas, and URLs/e-mails/ids in cells."""
    from openpyxl import Workbook
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont
    from openpyxl.chart import LineChart, Reference

    wb = Workbook()
    ws = wb.active
    ws.title = "Tide Data"
    ws.append(["Harbour", "Height", "Measured on", "Double height"])
    ws.append(["North pier", 2.5, dt.date(2024, 4, 1), "=B2*2"])
    ws.append(["South pier", 1.75, dt.datetime(2024, 4, 2, 6, 30), None])
    ws.append(["East pier", 3.125, dt.date(2024, 4, 3), None])
    ws["C3"].number_format = "yyyy-mm-dd hh:mm"
    ws["A6"] = CellRichText(
        "The ",
        TextBlock(InlineFont(b=True), "highest"),
        " tide came in ",
        TextBlock(InlineFont(i=True), "April"),
        ".",
    )
    ws["A7"] = "Quarterly summary of the tides"
    ws.merge_cells("A7:D7")
    ws["A8"] = f"Book at www.amazon.com or mail {EMAIL} with code {ORDER_ID}."
    ws["A9"] = 0.125
    ws["A9"].number_format = "0.0%"
    ws["A10"] = 1234567.891
    ws["A10"].number_format = "#,##0.00"

    summary = wb.create_sheet("Summary")
    summary.append(["Average height of the tides", "=AVERAGE('Tide Data'!B2:B4)"])
    summary.append(["Highest tide this month", "=MAX('Tide Data'!B2:B4)"])
    summary.append(["Name of the first harbour", "='Tide Data'!A2"])
    chart = LineChart()
    chart.title = "Tide heights"
    chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=4), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=4))
    summary.add_chart(chart, "D2")
    out = io.BytesIO()
    wb.save(out)
    return _share_formula(out.getvalue())


def _share_formula(data: bytes) -> bytes:
    """D2:D4 as one shared formula, the way Excel writes a filled-down column."""
    import zipfile

    main = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info)
            if info.filename == "xl/worksheets/sheet1.xml":
                root = etree.fromstring(body)
                rows = {r.get("r"): r for r in root.iter(f"{main}row")}
                for n, row in (("2", rows["2"]), ("3", rows["3"]), ("4", rows["4"])):
                    cell = next((c for c in row if c.get("r") == f"D{n}"), None)
                    if cell is None:
                        cell = etree.SubElement(row, f"{main}c", r=f"D{n}")
                    for child in list(cell):
                        cell.remove(child)
                    f = etree.SubElement(cell, f"{main}f", t="shared", si="0")
                    if n == "2":
                        f.set("ref", "D2:D4")
                        f.text = "B2*2"
                    etree.SubElement(cell, f"{main}v").text = str({"2": 5, "3": 3.5, "4": 6.25}[n])
                body = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
            dst.writestr(info, body)
    return out.getvalue()
