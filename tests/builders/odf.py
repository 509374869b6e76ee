"""Build small but realistic OpenDocument files with odfpy (the format's own library)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from odf import dc, draw, meta, office, presentation, style, table, teletype, text
from odf.opendocument import OpenDocumentPresentation, OpenDocumentSpreadsheet, OpenDocumentText

from tests.builders.docx import CODE_LINES

LINK_URL = "https://example.com/docs?lang=en"


def _bold_style() -> style.Style:
    bold = style.Style(name="Strong", family="text")
    bold.addElement(style.TextProperties(fontweight="bold"))
    return bold


def _default_language() -> style.DefaultStyle:
    default = style.DefaultStyle(family="paragraph")
    default.addElement(style.TextProperties(language="en", country="US"))
    return default


def footnoted(before: str, note_text: str, after: str, note_id: str = "ftn1") -> text.P:
    """A paragraph `before` + footnote (citation "1", body `note_text`) + `after`."""
    p = text.P(text=before)
    note = text.Note(id=note_id, noteclass="footnote")
    note.addElement(text.NoteCitation(text="1"))
    note_body = text.NoteBody()
    note_body.addElement(text.P(text=note_text))
    note.addElement(note_body)
    p.addElement(note)
    p.addText(after)
    return p


def build_odt(folder: Path, name: str = "report.odt") -> Path:
    """A text document in English (default language en-US, meta title "Quarterly Report").

    - header "Company Confidential", footer "Page <page number field>" (styles.xml master page)
    - heading "Annual Summary"
    - "The quick brown fox jumps over the lazy dog." with "quick brown" bold, then
      " Read the manual online." where "manual online" is a link to LINK_URL
    - "This sentence has a footnote" + footnote (citation "1", body "The footnote explains
      the details.") + " and continues here."
    - a 2x2 table: "Name" | "Value" / "Green apples" | "Twelve"
    - a list: "First item", "Second item"
    - a paragraph "See the picture below." holding a frame with a text box "Text inside a frame"
    - "Reviewed paragraph" with a comment "Please check this sentence."
    - "Tabs<tab>and  spaces<line break>on a new line" (text:tab, text:s, text:line-break)
    - a paragraph with only "2024-12-31" (nothing to translate)
    - a bookmark then "Important notice" all in one bold span (as LibreOffice writes it)
    """
    doc = OpenDocumentText()
    doc.meta.addElement(dc.Title(text="Quarterly Report"))
    doc.meta.addElement(dc.Subject(text="Sales results"))
    doc.styles.addElement(_default_language())
    doc.styles.addElement(_bold_style())
    layout = style.PageLayout(name="Standard")
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Standard", pagelayoutname=layout)
    header = style.Header()
    header.addElement(text.P(text="Company Confidential"))
    footer = style.Footer()
    page = text.P(text="Page ")
    page.addElement(text.PageNumber(selectpage="current", text="1"))
    footer.addElement(page)
    master.addElement(header)
    master.addElement(footer)
    doc.masterstyles.addElement(master)

    body = doc.text
    body.addElement(text.H(outlinelevel=1, text="Annual Summary"))

    p = text.P(text="The ")
    p.addElement(text.Span(stylename="Strong", text="quick brown"))
    p.addText(" fox jumps over the lazy dog. Read the ")
    p.addElement(text.A(href=LINK_URL, type="simple", text="manual online"))
    p.addText(".")
    body.addElement(p)

    body.addElement(footnoted("This sentence has a footnote", "The footnote explains the details.", " and continues here."))

    grid = table.Table(name="Figures")
    grid.addElement(table.TableColumn(numbercolumnsrepeated=2))
    for row_text in (("Name", "Value"), ("Green apples", "Twelve")):
        row = table.TableRow()
        for cell_text in row_text:
            cell = table.TableCell(valuetype="string")
            cell.addElement(text.P(text=cell_text))
            row.addElement(cell)
        grid.addElement(row)
    body.addElement(grid)

    items = text.List()
    for item_text in ("First item", "Second item"):
        item = text.ListItem()
        item.addElement(text.P(text=item_text))
        items.addElement(item)
    body.addElement(items)

    p = text.P(text="See the picture below.")
    frame = draw.Frame(name="Box", anchortype="paragraph", width="5cm", height="2cm")
    box = draw.TextBox()
    box.addElement(text.P(text="Text inside a frame"))
    frame.addElement(box)
    p.addElement(frame)
    body.addElement(p)

    p = text.P(text="Reviewed paragraph")
    comment = office.Annotation()
    comment.addElement(dc.Creator(text="Reviewer"))
    comment.addElement(text.P(text="Please check this sentence."))
    p.addElement(comment)
    body.addElement(p)

    p = text.P()
    teletype.addTextToElement(p, "Tabs\tand  spaces\non a new line")
    body.addElement(p)
    body.addElement(text.P(text="2024-12-31"))
    p = text.P()
    p.addElement(text.Bookmark(name="notice"))
    p.addElement(text.Span(stylename="Strong", text="Important notice"))
    body.addElement(p)

    path = folder / name
    doc.save(str(path))
    return path


def build_ods(folder: Path, name: str = "sales.ods") -> Path:
    """A spreadsheet with sheets "Sales" and "Notes" (sheet names must stay as they are).

    Sales: header row "Product" | "Price" | "Sold on" | "Total" (strings), then
    "Green apples" | 1.5 (float) | 2024-01-15 (date) | =B2*2 (formula, value 3);
    the "Product" cell carries a comment "Prices include tax.".
    Notes: "Remember to water the plants." (string, repeated in office:string-value) and 42 (float).
    """
    doc = OpenDocumentSpreadsheet()
    doc.meta.addElement(dc.Title(text="Sales figures"))

    def string_cell(value: str) -> table.TableCell:
        cell = table.TableCell(valuetype="string")
        cell.addElement(text.P(text=value))
        return cell

    sales = table.Table(name="Sales")
    header = table.TableRow()
    for label in ("Product", "Price", "Sold on", "Total"):
        header.addElement(string_cell(label))
    comment = office.Annotation()
    comment.addElement(text.P(text="Prices include tax."))
    header.childNodes[0].addElement(comment)
    sales.addElement(header)
    row = table.TableRow()
    row.addElement(string_cell("Green apples"))
    price = table.TableCell(valuetype="float", value="1.5")
    price.addElement(text.P(text="1.5"))
    row.addElement(price)
    sold = table.TableCell(valuetype="date", datevalue=dt.date(2024, 1, 15).isoformat())
    sold.addElement(text.P(text="Jan 15, 2024"))
    row.addElement(sold)
    total = table.TableCell(valuetype="float", value="3", formula="of:=[.B2]*2")
    total.addElement(text.P(text="3"))
    row.addElement(total)
    sales.addElement(row)
    doc.spreadsheet.addElement(sales)

    notes = table.Table(name="Notes")
    row = table.TableRow()
    reminder = "Remember to water the plants."
    cell = table.TableCell(valuetype="string", stringvalue=reminder)
    cell.addElement(text.P(text=reminder))
    row.addElement(cell)
    answer = table.TableCell(valuetype="float", value="42")
    answer.addElement(text.P(text="42"))
    row.addElement(answer)
    notes.addElement(row)
    doc.spreadsheet.addElement(notes)

    path = folder / name
    doc.save(str(path))
    return path


def build_odp(folder: Path, name: str = "talk.odp") -> Path:
    """A presentation with two slides and speaker notes.

    Slide 1: title "Welcome to the meeting", text box "Agenda for today" with "today" bold;
    notes "Speak slowly and clearly."
    Slide 2: title "Thank you for listening"; notes "Answer the questions."
    """
    doc = OpenDocumentPresentation()
    doc.meta.addElement(dc.Title(text="Team meeting"))
    doc.meta.addElement(meta.Generator(text="polydoc tests"))
    doc.styles.addElement(_bold_style())
    layout = style.PageLayout(name="Slide")
    layout.addElement(style.PageLayoutProperties(pagewidth="28cm", pageheight="21cm"))
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Default", pagelayoutname=layout)
    doc.masterstyles.addElement(master)

    def text_frame(paragraph: text.P, y: str) -> draw.Frame:
        frame = draw.Frame(width="24cm", height="3cm", x="2cm", y=y)
        box = draw.TextBox()
        box.addElement(paragraph)
        frame.addElement(box)
        return frame

    def notes_of(sentence: str) -> presentation.Notes:
        notes = presentation.Notes()
        notes.addElement(text_frame(text.P(text=sentence), "12cm"))
        return notes

    slide = draw.Page(name="Intro", masterpagename=master)
    slide.addElement(text_frame(text.P(text="Welcome to the meeting"), "2cm"))
    agenda = text.P(text="Agenda for ")
    agenda.addElement(text.Span(stylename="Strong", text="today"))
    slide.addElement(text_frame(agenda, "8cm"))
    slide.addElement(notes_of("Speak slowly and clearly."))
    doc.presentation.addElement(slide)

    slide = draw.Page(name="End", masterpagename=master)
    slide.addElement(text_frame(text.P(text="Thank you for listening"), "2cm"))
    slide.addElement(notes_of("Answer the questions."))
    doc.presentation.addElement(slide)

    path = folder / name
    doc.save(str(path))
    return path


def _code_styles(doc: OpenDocumentText | OpenDocumentPresentation) -> None:
    """LibreOffice's code styles (Preformatted Text, Source Text), a style based on the first, and
    automatic styles that only set a monospace font: P1 (a font face, Liberation Mono) and T1
    (fo:font-family DejaVu Sans Mono)."""
    doc.fontfacedecls.addElement(
        style.FontFace(name="Liberation Mono", fontfamily="'Liberation Mono'", fontpitch="fixed")
    )
    doc.styles.addElement(style.Style(name="Standard", family="paragraph"))
    doc.styles.addElement(
        style.Style(name="Preformatted_20_Text", displayname="Preformatted Text", family="paragraph")
    )
    doc.styles.addElement(
        style.Style(name="Terminal", family="paragraph", parentstylename="Preformatted_20_Text")
    )
    doc.styles.addElement(style.Style(name="Source_20_Text", displayname="Source Text", family="text"))
    mono = style.Style(name="P1", family="paragraph", parentstylename="Standard")
    mono.addElement(style.TextProperties(fontname="Liberation Mono"))
    doc.automaticstyles.addElement(mono)
    mono = style.Style(name="T1", family="text")
    mono.addElement(style.TextProperties(fontfamily="'DejaVu Sans Mono'"))
    doc.automaticstyles.addElement(mono)


def _code_paragraph(line: str, stylename: str = "Preformatted_20_Text") -> text.P:
    p = text.P(stylename=stylename)
    teletype.addTextToElement(p, line)  # runs of spaces as text:s, as LibreOffice writes them
    return p


def build_code_odt(folder: Path, name: str = "code.odt") -> Path:
    """A manual with code in every shape LibreOffice writes it.

    - "Configure the wireless card as follows." (Standard)
    - CODE_LINES as five adjacent paragraphs in "Preformatted Text"
    - "Then look at the list of devices."
    - "show the wireless link state" alone in "Terminal", based on "Preformatted Text"
    - "print the name of the working directory" in P1 (no code style, the font Liberation Mono)
    - "make the default target and install it", all of it in a span T1 (DejaVu Sans Mono)
    - "Run " + "sudo make install" (span in "Source Text") + " to install the driver."
    """
    doc = OpenDocumentText()
    _code_styles(doc)
    body = doc.text
    body.addElement(text.P(stylename="Standard", text="Configure the wireless card as follows."))
    for line in CODE_LINES:
        body.addElement(_code_paragraph(line))
    body.addElement(text.P(stylename="Standard", text="Then look at the list of devices."))
    body.addElement(_code_paragraph("show the wireless link state", "Terminal"))
    body.addElement(_code_paragraph("print the name of the working directory", "P1"))
    p = text.P(stylename="Standard")
    p.addElement(text.Span(stylename="T1", text="make the default target and install it"))
    body.addElement(p)
    p = text.P(stylename="Standard", text="Run ")
    p.addElement(text.Span(stylename="Source_20_Text", text="sudo make install"))
    p.addText(" to install the driver.")
    body.addElement(p)
    path = folder / name
    doc.save(str(path))
    return path


def build_code_odp(folder: Path, name: str = "code.odp") -> Path:
    """One slide: a text box "Type these commands in a terminal." and a text box of CODE_LINES,
    the first three in P1 (Liberation Mono), the last two in spans T1 (DejaVu Sans Mono)."""
    doc = OpenDocumentPresentation()
    _code_styles(doc)
    layout = style.PageLayout(name="Slide")
    doc.automaticstyles.addElement(layout)
    master = style.MasterPage(name="Default", pagelayoutname=layout)
    doc.masterstyles.addElement(master)
    slide = draw.Page(name="Commands", masterpagename=master)
    for y, paragraphs in (
        ("2cm", [text.P(text="Type these commands in a terminal.")]),
        ("6cm", [_code_paragraph(line, "P1") for line in CODE_LINES[:3]]),
    ):
        frame = draw.Frame(width="24cm", height="3cm", x="2cm", y=y)
        box = draw.TextBox()
        for p in paragraphs:
            box.addElement(p)
        frame.addElement(box)
        slide.addElement(frame)
    for line in CODE_LINES[3:]:
        p = text.P()
        p.addElement(text.Span(stylename="T1", text=line))
        box.addElement(p)
    doc.presentation.addElement(slide)
    path = folder / name
    doc.save(str(path))
    return path
