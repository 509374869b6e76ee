"""PDF documents built with reportlab (and pikepdf for encryption), for tests and benchmarks."""

from __future__ import annotations

from pathlib import Path

import pikepdf
from PIL import Image as PILImage
from reportlab.lib import colors
from reportlab.lib.enums import TA_JUSTIFY
from reportlab.lib.pagesizes import letter
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Frame,
    FrameBreak,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
)

WIDTH, HEIGHT = letter  # 612 x 792 points
IMAGE_BOX = (72, 560, 272, 680)  # x0, y0, x1, y1 of the photo on page 1
CHART_BOX = (340, 560, 540, 680)  # the vector bar chart on page 1
LINK_URL = "https://example.com/docs"
CODE_SPAN = "pip install polydoc"
FORMULA = "α + β = γ"  # set in the Symbol font (pdfminer reads it back as "a + b = g")
DISPLAY_CODE = "x = compute(42)"
PROTECTED_WORDS = {
    "https",
    "example",
    "com",
    "docs",
    "pip",
    "install",
    "polydoc",
    "a",
    "b",
    "g",
    "x",
    "compute",
}

_BODY = ParagraphStyle(
    "body", fontName="Times-Roman", fontSize=10, leading=12, alignment=TA_JUSTIFY, spaceAfter=8
)
_TITLE = ParagraphStyle("title", fontName="Helvetica-Bold", fontSize=20, leading=24)
_HEADING = ParagraphStyle("heading", fontName="Helvetica-Bold", fontSize=13, leading=16, spaceAfter=6)
_CELL = ParagraphStyle("cell", fontName="Helvetica", fontSize=9, leading=11)

COLUMN_ONE = [
    "Our market grew steadily during the year, and the <b>northern region</b> led the way with strong "
    "demand for the new product line. Customers asked for <i>faster delivery</i> and clearer prices.",
    "Visit <a href='" + LINK_URL + "' color='blue'>our website</a> for the full tables, or read the "
    "guide at " + LINK_URL + " before you start. Install the tool with "
    "<font face='Courier'>" + CODE_SPAN + "</font> on any server.",
    "The model predicts growth where <font face='Symbol'>" + FORMULA + "</font> holds for every region, "
    "and the error stays below the limit that the board approved last spring.",
]
COLUMN_TWO = [
    "<font color='red'>Costs rose slightly</font> because shipping became more expensive in the second "
    "half, while the team kept the office budget under control.",
    "Next year we plan to open two new stores, hire more staff for support and improve the training "
    "program for every new employee who joins the company.",
    "The board thanks all workers for their effort and trusts that the coming season will bring even "
    "better results for the whole group.",
]


def _photo(folder: Path) -> Path:
    path = folder / "photo.png"
    img = PILImage.new("RGB", (200, 120))
    img.putdata([(x % 256, (x * y) % 256, y * 2 % 256) for y in range(120) for x in range(200)])
    img.save(path)
    return path


def _decorate_first(canvas: Canvas, doc: BaseDocTemplate) -> None:
    _decorate(canvas, doc)
    canvas.drawImage(str(doc.photo), IMAGE_BOX[0], IMAGE_BOX[1], 200, 120)
    canvas.setFont("Times-Italic", 9)
    canvas.drawString(IMAGE_BOX[0], IMAGE_BOX[1] - 14, "Figure 1: Sales by region in the last year")
    x0, y0, x1, y1 = CHART_BOX
    canvas.setStrokeColor(colors.black)
    canvas.line(x0, y0, x1, y0)
    canvas.line(x0, y0, x0, y1)
    for i, (height, colour) in enumerate([(60, colors.orange), (100, colors.teal), (80, colors.purple)]):
        canvas.setFillColor(colour)
        canvas.rect(x0 + 20 + i * 60, y0, 40, height, stroke=0, fill=1)


def _decorate(canvas: Canvas, doc: BaseDocTemplate) -> None:
    canvas.saveState()
    canvas.setFont("Helvetica", 8)
    canvas.setFillColor(colors.grey)
    canvas.drawString(72, HEIGHT - 40, "Polydoc Quarterly Report")
    canvas.drawRightString(WIDTH - 72, HEIGHT - 40, "Confidential draft")
    canvas.line(72, HEIGHT - 46, WIDTH - 72, HEIGHT - 46)
    canvas.drawCentredString(WIDTH / 2, 40, f"Page {doc.page} of the report")
    canvas.restoreState()


def build_report(folder: Path, name: str = "report.pdf") -> Path:
    """A three-page English report (US Letter) made with reportlab's platypus.

    Page 1: grey header ("Polydoc Quarterly Report" left, "Confidential draft" right) above a
    rule, a bold title "Annual Market Review", a photo (IMAGE_BOX) with the italic caption
    "Figure 1: Sales by region in the last year", a vector bar chart (CHART_BOX), and two
    justified Times columns (COLUMN_ONE, COLUMN_TWO) with bold, italic and red runs, a link
    annotation to LINK_URL on "our website", the URL as text, the code span CODE_SPAN in
    Courier and the formula FORMULA in the Symbol font. Page 2: a heading, a paragraph and a
    ruled table (header row "Region / Revenue / Growth", English cells with numbers), then a
    code line DISPLAY_CODE in Courier. Page 3: a heading, a long single-column paragraph and
    a short numbered list. Every page has the footer "Page N of the report".
    """
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    doc = BaseDocTemplate(str(path), pagesize=letter, title="Annual Market Review", author="Polydoc tests")
    doc.photo = _photo(folder)
    title = Frame(72, 700, WIDTH - 144, 40, id="title", showBoundary=0)
    left = Frame(72, 72, 228, 440, id="left")
    right = Frame(312, 72, 228, 440, id="right")
    body = Frame(72, 72, WIDTH - 144, HEIGHT - 144, id="body")
    doc.addPageTemplates(
        [
            PageTemplate(id="first", frames=[title, left, right], onPage=_decorate_first),
            PageTemplate(id="plain", frames=[body], onPage=_decorate),
        ]
    )
    story: list = [Paragraph("Annual Market Review", _TITLE), FrameBreak()]
    story += [Paragraph(text, _BODY) for text in COLUMN_ONE]
    story.append(FrameBreak())
    story += [Paragraph(text, _BODY) for text in COLUMN_TWO]
    story += [NextPageTemplate("plain"), PageBreak()]
    story += [
        Paragraph("Results by region", _HEADING),
        Paragraph("The table below shows the revenue of each region and how much it changed.", _BODY),
    ]
    rows = [["Region", "Revenue", "Growth"]]
    rows += [["North coast", "1200 units", "4.5%"], ["South valley", "950 units", "2.1%"]]
    rows += [["Eastern hills", "700 units", "-0.8%"]]
    table = Table([[Paragraph(c, _CELL) for c in row] for row in rows], colWidths=[150, 120, 100])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
            ]
        )
    )
    story += [table, Spacer(1, 16), Paragraph(f"<font face='Courier'>{DISPLAY_CODE}</font>", _BODY)]
    story += [PageBreak(), Paragraph("Plans for the coming year", _HEADING)]
    story.append(
        Paragraph(
            "We will focus on three goals that the whole company agreed on during the spring meeting. "
            "First, every customer should receive an answer within one working day. Second, the stores "
            "should keep enough stock for the busy season. Third, the team should share what it learns "
            "so that good ideas travel quickly from one office to another.",
            _BODY,
        )
    )
    for item in ("Answer customers quickly", "Keep enough stock", "Share good ideas"):
        story.append(Paragraph(f"- {item}", _BODY))
    doc.build(story)
    return path


def build_long(folder: Path, pages: int, name: str | None = None) -> Path:
    """`pages` pages of two justified Times paragraphs each (about 180 English words a page),
    with a header and a page-number footer; for the streaming benchmark."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / (name or f"long-{pages}.pdf")
    doc = BaseDocTemplate(str(path), pagesize=letter)
    doc.addPageTemplates(
        [PageTemplate(id="p", frames=[Frame(72, 72, WIDTH - 144, HEIGHT - 144)], onPage=_decorate)]
    )
    text = (
        "The committee met again to review the progress of the regional projects and agreed that the "
        "new schedule gives every team enough time to finish the planned work before winter. "
    )
    story: list = []
    for n in range(pages):
        story += [Paragraph(f"Section {n + 1}", _HEADING), Paragraph(text * 4, _BODY)]
        story += [Paragraph(text * 3, _BODY), PageBreak()]
    doc.build(story[:-1])
    return path


def build_scanned(folder: Path, pages: int = 1, name: str = "scanned.pdf") -> Path:
    """Pages that only carry a photo, a quarter of the page and no text in it: no text layer and
    nothing for OCR (`tests/builders/scans.py` makes scans of text)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    photo = _photo(folder)
    canvas = Canvas(str(path), pagesize=letter)
    for _ in range(pages):
        canvas.drawImage(str(photo), 72, 300, 468, 280)
        canvas.showPage()
    canvas.save()
    return path


def build_mixed(folder: Path, name: str = "mixed.pdf") -> Path:
    """Five pages: 1, 3 and 5 carry English text ("Page one says hello to the reader" etc.),
    2 and 4 are image-only scans."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    photo = _photo(folder)
    canvas = Canvas(str(path), pagesize=letter)
    for n, word in enumerate(["one", "two", "three", "four", "five"], start=1):
        if n % 2:
            canvas.setFont("Helvetica", 12)
            canvas.drawString(72, 700, f"Page {word} says hello to the reader")
        else:
            canvas.drawImage(str(photo), 72, 300, 468, 280)
        canvas.showPage()
    canvas.save()
    return path


def build_encrypted(folder: Path, name: str = "encrypted.pdf", user_password: str = "secret") -> Path:
    """The one-page mixed-style letter from `build_simple`, encrypted with a user password (AES-256);
    with `user_password=""` it only has an owner password (opens without one)."""
    plain = build_simple(folder, "plain-for-encryption.pdf")
    path = folder / name
    with pikepdf.open(plain) as pdf:
        pdf.save(path, encryption=pikepdf.Encryption(user=user_password, owner="owner-pass", R=6))
    return path


def build_simple(folder: Path, name: str = "simple.pdf") -> Path:
    """One Letter page: a bold Helvetica heading "Welcome letter" and two Helvetica lines
    "Thank you for choosing our service today." and "We hope you enjoy the new features."."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    canvas = Canvas(str(path), pagesize=letter)
    canvas.setFont("Helvetica-Bold", 16)
    canvas.drawString(72, 700, "Welcome letter")
    canvas.setFont("Helvetica", 11)
    canvas.drawString(72, 670, "Thank you for choosing our service today.")
    canvas.drawString(72, 656, "We hope you enjoy the new features.")
    canvas.save()
    return path


def build_rotated_and_stamped(folder: Path, name: str = "rotated.pdf") -> Path:
    """Two pages. Page 1 has /Rotate 90 (shown landscape) with the Helvetica line "This rotated
    page says hello to the world" reading left to right on screen. Page 2 draws a Form XObject
    holding the bold Times line "Approved by the quality team" twice (at y=700 and y=400) and
    the Helvetica line "Plain text on the second page" at y=600."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    canvas = Canvas(str(path), pagesize=letter)
    canvas.saveState()
    canvas.translate(WIDTH, 0)
    canvas.rotate(90)
    canvas.setFont("Helvetica", 14)
    canvas.drawString(72, 500, "This rotated page says hello to the world")
    canvas.restoreState()
    canvas.showPage()
    canvas.beginForm("stamp")
    canvas.setFont("Times-Bold", 12)
    canvas.drawString(0, 0, "Approved by the quality team")
    canvas.endForm()
    for y in (700, 400):
        canvas.saveState()
        canvas.translate(72, y)
        canvas.doForm("stamp")
        canvas.restoreState()
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 600, "Plain text on the second page")
    canvas.showPage()
    canvas.save()
    with pikepdf.open(path, allow_overwriting_input=True) as pdf:
        pdf.pages[0].Rotate = 90
        pdf.save(path)
    return path


def build_truncated(folder: Path, name: str = "truncated.pdf") -> Path:
    """The report from `build_report` cut to its first 60 % of bytes."""
    full = build_report(folder, "full-for-truncation.pdf")
    data = full.read_bytes()
    path = folder / name
    path.write_bytes(data[: len(data) * 6 // 10])
    return path
