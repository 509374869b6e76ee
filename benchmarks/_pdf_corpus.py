"""The PDFs `pdf_fidelity.py` measures, built here (no downloads), each with the paragraphs and
links that went into it, so that what a handler makes of them can be checked against the truth.

Made the ways users' PDFs are made: Word documents (python-docx) and a deck (python-pptx)
exported by LibreOffice, tables set by reportlab, and a scan (a page of text drawn by PIL and
wrapped as an image-only PDF). No `<`, `&` or `á` in any text: `á` marks translated words.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path

import docx
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from tests.builders import office_pdf
from tests.builders.docx import add_hyperlink

SCAN_DPI = 200
SCAN_PX = 33  # the scan's body text: 33 px at 200 dpi
SCAN_HEAD_PX = round(SCAN_PX * 1.4)  # the scan's bold heading, at the top margin


def _pt(px: float) -> float:
    return px * 72 / SCAN_DPI


# Source sizes of the scan, which has no characters to read them from: (heading pt, body pt, and
# the PDF y above which the heading lies), from where `scanned_pdf` draws them.
SCAN_SIZES = (_pt(SCAN_HEAD_PX), _pt(SCAN_PX), _pt(11 * SCAN_DPI - SCAN_DPI - SCAN_HEAD_PX - SCAN_PX))

_SENTENCES = [
    "The regional teams finished the spring survey ahead of the planned date",
    "Customers in the northern towns asked for shorter delivery times and clearer prices",
    "Our warehouse staff moved the heavy stock to the new building without a single accident",
    "The board approved a modest budget for training every new employee in the first month",
    "Shipping costs rose during the second half because fuel became more expensive",
    "Several partners offered to share their data so that forecasts improve next year",
    "The support desk now answers most questions within one working day",
    "A small group studied how other firms plan their seasonal hiring",
]


@dataclass
class Doc:
    name: str
    kind: str
    pdf: bytes
    paragraphs: list[str]
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, link text)
    scan_sizes: tuple[float, float, float] | None = None  # see SCAN_SIZES; only for a scan


_ADJ = "amber brave calm dusty early faint green hidden iron jolly keen lofty misty noble olive proud".split()
_NOUN = "harbour valley meadow ridge forest river canyon island market bridge garden tower castle orchard lake mill".split()


def place(n: int) -> str:
    """Words that make section `n`'s texts unique (256 of them): the handler hands numbers over as
    `<xN/>` placeholders, so "Section 3" and "Section 4" are the same segment text."""
    return f"{_ADJ[n % 16]} {_NOUN[n // 16 % 16]}"


def _text(seed: int, sentences: int) -> str:
    return ". ".join(_SENTENCES[(seed + i) % len(_SENTENCES)] for i in range(sentences)) + "."


def _report_section(document, n: int, paras: list[str], links: list[tuple[str, str]]) -> None:
    """One page of a report: heading, two paragraphs (bold run, link), three bullets, a 3×3 table."""
    where = place(n)
    heading = f"Section {n} review of {where} sales"
    document.add_heading(heading, level=1)
    paras.append(heading)
    first = document.add_paragraph(f"In period {n} the ")
    first.add_run("northern region").bold = True
    url, link_text = f"https://example.com/methods/{n}", "methodology notes"
    first.add_run(f" of {where} led the group. {_text(n, 2)} Read the ")
    add_hyperlink(first, link_text, url)
    first.add_run(" before comparing the figures.")
    paras.append(
        f"In period {n} the northern region of {where} led the group. {_text(n, 2)} Read the {link_text} "
        "before comparing the figures."
    )
    links.append((url, link_text))
    second = f"Period {n} at {where}: {_text(n + 3, 3)}"
    document.add_paragraph(second).alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    paras.append(second)
    for i in range(3):
        item = f"{_SENTENCES[(n + 5 + i) % len(_SENTENCES)]} in period {n} at {where}"
        document.add_paragraph(item, style="List Bullet")
        paras.append(item)
    table = document.add_table(rows=3, cols=3)
    table.style = "Table Grid"
    for r, row in enumerate(table.rows):
        for c, cell in enumerate(row.cells):
            words = _SENTENCES[(n + r * 3 + c) % len(_SENTENCES)].split()
            cell_text = " ".join(words[: 4 + (r + c) % 3 * 3]) + f" {where} {'ABC'[c]}{'xyz'[r]} {n}.{r + 1}"
            cell.text = cell_text
            paras.append(cell_text)


def _docx_bytes(document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def report_docx(pages: int) -> tuple[bytes, list[str], list[tuple[str, str]]]:
    """A report of `pages` pages, one section a page (page breaks between)."""
    document = docx.Document()
    paras: list[str] = []
    links: list[tuple[str, str]] = []
    for n in range(1, pages + 1):
        _report_section(document, n, paras, links)
        if n < pages:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
    return _docx_bytes(document), paras, links


def article_docx() -> tuple[bytes, list[str]]:
    """A two-column article: a section with `w:cols w:num="2"`, justified paragraphs."""
    document = docx.Document()
    paras = ["Notes from the regional planning meeting"]
    document.add_heading(paras[0], level=1)
    cols = OxmlElement("w:cols")
    cols.set(qn("w:num"), "2")
    cols.set(qn("w:space"), "425")
    document.sections[0]._sectPr.append(cols)
    for i in range(8):
        text = _text(i * 3, 4)
        p = document.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        p.paragraph_format.space_after = Pt(6)
        paras.append(text)
    return _docx_bytes(document), paras


def slides_pptx() -> tuple[bytes, list[str], list[tuple[str, str]]]:
    """Three slides: a title slide, bullets with a hyperlink, a 3×3 table."""
    from pptx import Presentation
    from pptx.util import Inches

    deck = Presentation()
    paras = ["Spring results for the sales teams", "Prepared for the regional board"]
    slide = deck.slides.add_slide(deck.slide_layouts[0])
    slide.shapes.title.text, slide.placeholders[1].text = paras
    slide = deck.slides.add_slide(deck.slide_layouts[1])
    slide.shapes.title.text = "What changed this season"
    paras.append("What changed this season")
    body = slide.placeholders[1].text_frame
    items = [_SENTENCES[1], _SENTENCES[6]]
    body.text = items[0]
    body.add_paragraph().text = items[1]
    p = body.add_paragraph()
    p.add_run().text = "See "
    link = p.add_run()
    link.text = "the product catalogue"
    link.hyperlink.address = "https://example.org/catalogue"
    p.add_run().text = " for the new prices"
    paras += [*items, "See the product catalogue for the new prices"]
    slide = deck.slides.add_slide(deck.slide_layouts[5])
    slide.shapes.title.text = "Delivery times by town"
    paras.append("Delivery times by town")
    table = slide.shapes.add_table(3, 3, Inches(0.5), Inches(1.8), Inches(9), Inches(3)).table
    for r in range(3):
        for c in range(3):
            text = " ".join(_SENTENCES[(r * 3 + c) % len(_SENTENCES)].split()[:5]) + f" {'ABC'[c]}{'xyz'[r]}"
            table.cell(r, c).text = text
            paras.append(text)
    buf = io.BytesIO()
    deck.save(buf)
    return buf.getvalue(), paras, [("https://example.org/catalogue", "the product catalogue")]


def tables_pdf() -> tuple[bytes, list[str], list[tuple[str, str]]]:
    """reportlab: a heading, a 4×4 table of wrapping Paragraph cells, a line with a link."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    cell = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)
    body = ParagraphStyle("body", fontName="Times-Roman", fontSize=11, leading=14)
    head = ParagraphStyle("head", fontName="Helvetica-Bold", fontSize=15, leading=19, spaceAfter=8)
    paras = ["Service levels by region"]
    story: list = [Paragraph(paras[0], head)]
    rows = []
    for r in range(4):
        row = []
        for c in range(4):
            words = _SENTENCES[(r + 2 * c) % len(_SENTENCES)].split()[: 3 + (r * c) % 7]
            text = " ".join(words) + f" {'ABCD'[c]}{'wxyz'[r]}"
            row.append(Paragraph(text, cell))
            paras.append(text)
        rows.append(row)
    table = Table(rows, colWidths=[110, 120, 110, 130])
    table.setStyle(
        TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "TOP")])
    )
    url, text = "https://example.net/prices", "current price list"
    line = f"The figures above follow the {text} that the board approved in March."
    story += [
        table,
        Spacer(1, 14),
        Paragraph(line.replace(text, f"<a href='{url}' color='blue'>{text}</a>"), body),
    ]
    paras.append(line)
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4).build(story)
    return buf.getvalue(), paras, [(url, text)]


def scanned_pdf() -> tuple[bytes, list[str]]:
    """A Letter page of text drawn by PIL at 200 dpi (DejaVu Serif, 11.9 pt), saved as an image-only PDF."""
    from PIL import Image, ImageDraw, ImageFont

    px = SCAN_PX
    font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf", px)
    bold = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSerif-Bold.ttf", SCAN_HEAD_PX)
    page = Image.new("L", (int(8.5 * SCAN_DPI), 11 * SCAN_DPI), 255)
    draw = ImageDraw.Draw(page)
    margin, width, y = SCAN_DPI, int(6.5 * SCAN_DPI), SCAN_DPI
    paras = ["Letter to the regional offices"]
    draw.text((margin, y), paras[0], font=bold, fill=0)
    y += round(px * 3)
    for i in range(4):
        text = _text(i * 2 + 1, 3)
        paras.append(text)
        line = ""
        for word in text.split():
            if draw.textlength(f"{line} {word}".strip(), font=font) > width:
                draw.text((margin, y), line, font=font, fill=0)
                y, line = y + round(px * 1.45), word
            else:
                line = f"{line} {word}".strip()
        draw.text((margin, y), line, font=font, fill=0)
        y += round(px * 2.4)
    buf = io.BytesIO()
    page.save(buf, format="PDF", resolution=SCAN_DPI)
    return buf.getvalue(), paras


def office_to_pdf(data: bytes, suffix: str, folder: Path) -> bytes:
    """LibreOffice headless with a private profile, as the tests convert."""
    return office_pdf.docx_to_pdf(data, folder) if suffix == "docx" else office_pdf.pptx_to_pdf(data, folder)


def add_links(pdf: bytes, links: list[tuple[str, str]]) -> bytes:
    """/Link annotations over each link text, in order through the pages, one rectangle a line,
    as Word's PDF export makes them: LibreOffice 7.4's Writer exports none when headless (its
    Impress does), so the builder puts them where the text is."""
    import pikepdf
    from _pdf_measure import norm, read_pages

    pages = read_pages(pdf)
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        at, after = 0, 0  # page index, and the character on it where the last link text ended
        for url, text in links:
            for index in range(at, len(pages)):  # bounded: the pages left
                flat = [(k, ch) for ch in pages[index].chars for k in norm(ch.get_text())]
                start = "".join(k for k, _ in flat).find(norm(text), after if index == at else 0)
                if start < 0:
                    continue
                lines: dict[int, list] = {}
                for _, ch in flat[start : start + len(norm(text))]:
                    lines.setdefault(round(ch.y0), []).append(ch)
                for chars in lines.values():
                    rect = [min(c.x0 for c in chars), min(c.y0 for c in chars) - 1]
                    rect += [max(c.x1 for c in chars), max(c.y1 for c in chars) + 1]
                    annot = pikepdf.Dictionary(
                        Type=pikepdf.Name.Annot,
                        Subtype=pikepdf.Name.Link,
                        Rect=rect,
                        Border=[0, 0, 0],
                        A=pikepdf.Dictionary(S=pikepdf.Name.URI, URI=url),
                    )
                    page = doc.pages[index].obj
                    page.Annots = doc.make_indirect(pikepdf.Array([*page.get("/Annots", []), annot]))
                at, after = index, start + len(norm(text))
                break
        buf = io.BytesIO()
        doc.save(buf)
    return buf.getvalue()


def fidelity_set(folder: Path) -> list[Doc]:
    """The five kinds of document, a few pages each."""
    report, r_paras, r_links = report_docx(2)
    article, a_paras = article_docx()
    deck, s_paras, s_links = slides_pptx()
    tables, t_paras, t_links = tables_pdf()
    scan, scan_paras = scanned_pdf()
    return [
        Doc(
            "report",
            "DOCX → LibreOffice",
            add_links(office_to_pdf(report, "docx", folder), r_links),
            r_paras,
            r_links,
        ),
        Doc("article", "DOCX 2 columns → LibreOffice", office_to_pdf(article, "docx", folder), a_paras),
        Doc("slides", "PPTX → LibreOffice", office_to_pdf(deck, "pptx", folder), s_paras, s_links),
        Doc("tables", "reportlab tables", tables, t_paras, t_links),
        Doc("scan", "PIL image, 200 dpi", scan, scan_paras, scan_sizes=SCAN_SIZES),
    ]


def long_report(folder: Path, pages: int) -> Doc:
    data, paras, links = report_docx(pages)
    pdf = add_links(office_to_pdf(data, "docx", folder), links)
    return Doc(f"report-{pages}", "DOCX → LibreOffice", pdf, paras, links)
