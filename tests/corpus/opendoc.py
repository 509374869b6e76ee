"""Awkward OpenDocument files (ODT, ODS, ODP), built with odfpy as LibreOffice would save them."""

from __future__ import annotations

import datetime as dt
import io

from odf import dc, draw, office, presentation, style, table, text
from odf.element import Element
from odf.opendocument import OpenDocumentPresentation, OpenDocumentSpreadsheet, OpenDocumentText

from tests.builders.docx import png_pixel
from tests.builders.odf import footnoted
from tests.corpus.office import EMAIL, ORDER_ID, POLICY_URL

KEEP = ("www.amazon.com", EMAIL, ORDER_ID, POLICY_URL)
_OFFICEOOO = "http://openoffice.org/2009/office"


def _styles(doc) -> None:  # noqa: ANN001 - any odfpy document
    bold = style.Style(name="Strong", family="text")
    bold.addElement(style.TextProperties(fontweight="bold"))
    hidden = style.Style(name="Hidden", family="text")
    hidden.addElement(style.TextProperties(display="none"))
    doc.styles.addElement(bold)
    doc.styles.addElement(hidden)
    rtl = style.Style(name="RTL", family="paragraph")
    rtl.addElement(style.ParagraphProperties(writingmode="rl-tb", textalign="end"))
    doc.automaticstyles.addElement(rtl)


def _annotation(sentence: str, author: str = "Ann") -> office.Annotation:
    note = office.Annotation()
    note.addElement(dc.Creator(text=author))
    note.addElement(dc.Date(text="2024-05-01T10:00:00"))
    note.addElement(text.P(text=sentence))
    return note


def _image_frame(doc, name: str) -> draw.Frame:  # noqa: ANN001
    href = doc.addPicture(f"Pictures/{name}", "image/png", png_pixel())
    frame = draw.Frame(width="1cm", height="1cm", anchortype="as-char", name=name)
    frame.addElement(draw.Image(href=href))
    return frame


def _save(doc) -> bytes:  # noqa: ANN001
    out = io.BytesIO()
    doc.write(out)
    return out.getvalue()


def _split_link_paragraph() -> text.P:
    p = text.P(text="Book your seat at www.ama")
    p.addElement(text.Span(stylename="Strong", text="zon"))
    p.addText(f".com or mail {EMAIL} with code {ORDER_ID}.")
    return p


def build_odt() -> bytes:
    """RTL paragraphs, spans, hidden text, a comment, a footnote, a frame with a text box and an
    image, a nested table, fields and split URLs/e-mails/ids."""
    doc = OpenDocumentText()
    _styles(doc)
    body = doc.text
    body.addElement(text.H(outlinelevel=1, text="Notes from the island"))
    body.addElement(text.P(stylename="RTL", text="مرحبا بكم في الجزيرة"))
    body.addElement(text.P(stylename="RTL", text="שלום לכולם על האי"))
    body.addElement(_split_link_paragraph())
    p = text.P(text=f"The rules are at {POLICY_URL} for every visitor.")
    body.addElement(p)

    p = text.P(text="The ferry leaves ")
    p.addElement(text.Span(stylename="Hidden", text="only when the captain wakes up and "))
    p.addText("at nine.")
    body.addElement(p)
    p = text.P(text="The old ")
    p.addElement(_annotation("Which mill do you mean?"))
    p.addText("windmill still turns.")
    body.addElement(p)
    body.addElement(footnoted("Birds nest on the cliffs", "Mostly gulls and a few puffins.", " every spring."))

    p = text.P(text="Page ")
    p.addElement(text.PageNumber(selectpage="current", text="1"))
    p.addText(" was printed on ")
    p.addElement(text.Date(datevalue="2024-05-01", text="2024-05-01"))
    p.addText(".")
    body.addElement(p)

    p = text.P(text="A map of the harbour ")
    p.addElement(_image_frame(doc, "map.png"))
    p.addText(" drawn by hand.")
    body.addElement(p)
    p = text.P()
    frame = draw.Frame(width="6cm", height="2cm", anchortype="paragraph", name="Box1")
    box = draw.TextBox()
    box.addElement(text.P(text="Remember to bring warm clothes"))
    frame.addElement(box)
    p.addElement(frame)
    body.addElement(p)

    outer = table.Table(name="Visits")
    outer.addElement(table.TableColumn(numbercolumnsrepeated=2))
    row = table.TableRow()
    cell = table.TableCell()
    cell.addElement(text.P(text="Morning walk"))
    row.addElement(cell)
    cell = table.TableCell()
    inner = table.Table(name="Inner", issubtable="true")
    inner.addElement(table.TableColumn())
    inner_row = table.TableRow()
    inner_cell = table.TableCell()
    inner_cell.addElement(text.P(text="Lunch near the lighthouse"))
    inner_row.addElement(inner_cell)
    inner.addElement(inner_row)
    cell.addElement(inner)
    row.addElement(cell)
    outer.addElement(row)
    body.addElement(outer)
    return _save(doc)


def _cell(value: object, formula: str | None = None, **kw: str) -> table.TableCell:
    if isinstance(value, str):
        cell = table.TableCell(valuetype="string", **kw)
        cell.addElement(text.P(text=value))
        return cell
    if isinstance(value, dt.date):
        cell = table.TableCell(valuetype="date", datevalue=value.isoformat(), **kw)
        cell.addElement(text.P(text=value.isoformat()))
        return cell
    args = {"valuetype": "float", "value": str(value), **kw}
    if formula:
        args["formula"] = formula
    cell = table.TableCell(**args)
    cell.addElement(text.P(text=str(value)))
    return cell


def build_ods() -> bytes:
    """Formulas across sheets, floats, dates, percentages, a rich-text cell, merged cells, a cell
    comment, RTL text and URLs/e-mails/ids."""
    doc = OpenDocumentSpreadsheet()
    _styles(doc)
    data = table.Table(name="Tide Data")
    rows = [
        [_cell("Harbour"), _cell("Height"), _cell("Measured on")],
        [_cell("North pier"), _cell(2.5), _cell(dt.date(2024, 4, 1))],
        [_cell("South pier"), _cell(1.75), _cell(dt.date(2024, 4, 2))],
        [_cell("Total height"), _cell(4.25, "of:=SUM([.B2:.B3])"), _cell(0.125, valuetype="percentage")],
    ]
    for cells in rows:
        row = table.TableRow()
        for c in cells:
            row.addElement(c)
        data.addElement(row)
    row = table.TableRow()
    rich = table.TableCell(valuetype="string", numbercolumnsspanned="2", numberrowsspanned="1")
    rich.addElement(_annotation("Check the highest tide again."))
    p = text.P(text="The ")
    p.addElement(text.Span(stylename="Strong", text="highest"))
    p.addText(" tide came in April.")
    rich.addElement(p)
    row.addElement(rich)
    row.addElement(table.CoveredTableCell())
    row.addElement(_cell("بحر هادئ"))
    data.addElement(row)
    row = table.TableRow()
    row.addElement(_cell(f"Book at www.amazon.com or mail {EMAIL} with code {ORDER_ID}."))
    data.addElement(row)
    doc.spreadsheet.addElement(data)

    summary = table.Table(name="Summary")
    row = table.TableRow()
    row.addElement(_cell("Average height of the tides"))
    row.addElement(_cell(2.125, "of:=AVERAGE(['Tide Data'.B2:.B3])"))
    summary.addElement(row)
    doc.spreadsheet.addElement(summary)
    return _save(doc)


def _slide_comment(sentence: str) -> Element:
    """A comment on a slide as Impress writes it: officeooo:annotation, a child of the page."""
    note = Element(qname=(_OFFICEOOO, "annotation"), check_grammar=False)
    for key, value in (("x", "20cm"), ("y", "1cm"), ("width", "2cm"), ("height", "1cm")):
        note.setAttrNS("urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0", key, value)
    for child in (dc.Creator(text="Ann"), dc.Date(text="2024-05-01T10:00:00"), text.P(text=sentence)):
        note.addElement(child, check_grammar=False)
    return note


def _frame(paragraphs: list[text.P], y: str, cls: str | None = None) -> draw.Frame:
    frame = draw.Frame(width="24cm", height="3cm", x="2cm", y=y, **({"class": cls} if cls else {}))
    box = draw.TextBox()
    for p in paragraphs:
        box.addElement(p)
    frame.addElement(box)
    return frame


def build_odp() -> bytes:
    """Slides with notes, a group of frames, a table, an image, a slide comment and split
    URLs/e-mails/ids."""
    doc = OpenDocumentPresentation()
    _styles(doc)
    layout = style.PageLayout(name="Slide")
    layout.addElement(style.PageLayoutProperties(pagewidth="28cm", pageheight="21cm"))
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Default", pagelayoutname=layout)
    doc.masterstyles.addElement(master)

    def notes(sentence: str) -> presentation.Notes:
        n = presentation.Notes()
        n.addElement(_frame([text.P(text=sentence)], "12cm", "notes"))
        return n

    slide = draw.Page(name="Intro", masterpagename=master)
    slide.addElement(_frame([text.P(text="Island ferry timetable")], "1cm", "title"))
    slide.addElement(_frame([_split_link_paragraph()], "5cm"))
    slide.addElement(_slide_comment("Use the new logo here."), check_grammar=False)
    slide.addElement(notes("Mention the winter timetable."))
    doc.presentation.addElement(slide)

    slide = draw.Page(name="Details", masterpagename=master)
    group = draw.G()
    group.addElement(_frame([text.P(text="Boats leave from the north pier")], "3cm"))
    group.addElement(_frame([text.P(text="Tickets are sold on board")], "7cm"))
    slide.addElement(group)
    grid = draw.Frame(width="10cm", height="3cm", x="2cm", y="11cm")
    tab = table.Table()
    tab.addElement(table.TableColumn(numbercolumnsrepeated=2))
    row = table.TableRow()
    for word in ("Departure time", "Nine in the morning"):
        cell = table.TableCell()
        cell.addElement(text.P(text=word))
        row.addElement(cell)
    tab.addElement(row)
    grid.addElement(tab)
    slide.addElement(grid)
    picture = draw.Frame(width="2cm", height="2cm", x="20cm", y="15cm")
    picture.addElement(draw.Image(href=doc.addPicture("Pictures/ferry.png", "image/png", png_pixel())))
    slide.addElement(picture)
    slide.addElement(notes("Point at the pier on the map."))
    doc.presentation.addElement(slide)
    return _save(doc)
