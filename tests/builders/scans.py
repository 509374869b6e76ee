"""Scanned PDFs: pages of text drawn with PIL into an image, each image a whole page (no text layer)."""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont
from reportlab.lib.pagesizes import letter
from reportlab.pdfgen.canvas import Canvas

DPI = 200
PAPER = (246, 242, 230)  # off-white, as a scan of real paper
INK = (25, 35, 90)  # dark blue
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

LETTER = [
    "The House by the River",
    "The house is big and the garden is green. The children play with the dog "
    "in the garden every morning before school.",
    "We will travel to the city tomorrow by train. The train leaves early and arrives before noon.",
]


def _wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines, current = [], ""
    for word in text.split():
        probe = f"{current} {word}".strip()
        if current and draw.textlength(probe, font=font) > width:
            lines.append(current)
            current = word
        else:
            current = probe
    return [*lines, current] if current else lines


def page_image(paragraphs: list[str], *, size: int = 40, blurred: bool = False) -> Image.Image:
    """A letter-size page at DPI: the first paragraph as a bold heading, the rest as body text."""
    width, height = int(letter[0] * DPI / 72), int(letter[1] * DPI / 72)
    img = Image.new("RGB", (width, height), PAPER)
    draw = ImageDraw.Draw(img)
    margin, y = int(DPI), int(DPI)
    for n, text in enumerate(paragraphs):
        font = ImageFont.truetype(BOLD if n == 0 else FONT, int(size * 1.5) if n == 0 else size)
        for line in _wrap(draw, text, font, width - 2 * margin):
            draw.text((margin, y), line, font=font, fill=INK)
            y += int(font.size * 1.4)
        y += int(size * 1.2)
    if blurred:  # an out-of-focus photo of the page: Tesseract reads it at low confidence
        img = img.filter(ImageFilter.GaussianBlur(size / 6.4))
    return img


def build_scan(
    folder: Path,
    pages: list[list[str] | None],
    *,
    name: str = "scan.pdf",
    blurred: bool = False,
    size: int = 40,
    hidden_text: str = "",
) -> Path:
    """One page per entry, each a full-page image of its paragraphs; None is a blank scanned page.
    `hidden_text` is drawn invisibly over each page, as a scanner's own OCR layer."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    canvas = Canvas(str(path), pagesize=letter, invariant=1)
    for n, paragraphs in enumerate(pages):
        image = folder / f"{path.stem}-{n}.png"
        page_image(paragraphs or [], size=size, blurred=blurred).save(image)
        canvas.drawImage(str(image), 0, 0, letter[0], letter[1])
        if hidden_text:
            text = canvas.beginText(72, 700)
            text.setTextRenderMode(3)
            text.setFont("Helvetica", 12)
            text.textLine(hidden_text)
            canvas.drawText(text)
        canvas.showPage()
    canvas.save()
    return path
