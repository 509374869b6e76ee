"""Scanned PDF pages: real Tesseract on pages of text drawn with PIL (tests/builders/scans.py),
translated with mark_words (and once with Apertium through the service), checked with poppler
and by reading the output with Tesseract again."""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pikepdf
import pytest
from PIL import Image

from polydoc.errors import MalformedDocument
from polydoc.formats import handler_for
from polydoc.formats.pdf.ocr import scan as _ocr
from tests.builders import scans
from tests.fakes import mark_words
from tests.helpers import Service, translate

pytestmark = pytest.mark.skipif(
    shutil.which("tesseract") is None or "eng" not in _ocr.installed(),
    reason="needs tesseract-ocr and tesseract-ocr-eng (scripts/install.sh)",
)
HANDLER = handler_for("pdf")


def _page_segments(src: Path) -> list:
    """The segments of the pages (not the outline or the document title)."""
    return [s for s in HANDLER.extract(src) if s.id.startswith("p")]


def _pdftotext(path: Path) -> str:
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def _pdftotext_page(path: Path, page: int) -> str:
    args = ["pdftotext", "-f", str(page), "-l", str(page), str(path), "-"]
    return " ".join(subprocess.run(args, capture_output=True, text=True, check=True).stdout.split())


def _pages(path: Path) -> int:
    with pikepdf.open(path) as pdf:
        return len(pdf.pages)


def _render(path: Path, folder: Path, page: int = 1, dpi: int = 150) -> Image.Image:
    stem = folder / f"{path.stem}-p{page}"
    args = ["pdftoppm", "-r", str(dpi), "-f", str(page), "-l", str(page), "-singlefile", "-png"]
    subprocess.run([*args, str(path), str(stem)], check=True)
    return Image.open(f"{stem}.png").convert("RGB")


@pytest.fixture(scope="module")
def letter(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A scanned letter (page 1) and a blank scanned page (page 2), extracted and rebuilt."""
    folder = tmp_path_factory.mktemp("ocr")
    src = scans.build_scan(folder, [scans.LETTER, None])
    started = time.monotonic()
    segments = _page_segments(src)
    extract_seconds = time.monotonic() - started
    dst = folder / "translated.pdf"
    started = time.monotonic()
    report = HANDLER.rebuild(src, dst, {s.id: mark_words(s.text) for s in segments}, target_language="es")
    rebuild_seconds = time.monotonic() - started
    print(f"OCR extract {extract_seconds:.1f} s, rebuild {rebuild_seconds:.1f} s for 2 scanned pages")
    return {"folder": folder, "src": src, "dst": dst, "segments": segments, "report": report}


def test_a_scanned_page_becomes_paragraph_segments(letter: dict) -> None:
    segments = letter["segments"]
    assert [s.id for s in segments] == ["p1#b1", "p1#b2", "p1#b3"]
    assert all("OCR" in s.context for s in segments)
    assert "heading" in segments[0].context
    assert segments[0].text == "The House by the River"
    # the wrapped lines come back as one paragraph
    assert segments[1].text.startswith("The house is big and the garden is green. The children play")
    assert segments[1].text.endswith("every morning before school.")


def test_the_translation_is_painted_over_the_scan_and_searchable(letter: dict) -> None:
    dst, src, folder = letter["dst"], letter["src"], letter["folder"]
    assert _pages(dst) == _pages(src) == 2
    text = " ".join(_pdftotext(dst).split())
    assert "esTHE esHOUSE esIS esBIG esAND esTHE esGARDEN esIS esGREEN." in text
    assert "esWE esWILL esTRAVEL esTO esTHE esCITY" in text
    # what a reader sees: Tesseract reading the output finds the translation, not the English
    image = folder / "out-page.png"
    _render(dst, folder).save(image)
    seen = subprocess.run(
        ["tesseract", str(image), "stdout", "--dpi", "150"], capture_output=True, text=True, check=True
    ).stdout
    assert "esGARDEN" in seen.replace(" ", "") and "The children play" not in seen
    warnings = letter["report"].warnings
    assert any("Page 1 is a scan" in w and "Tesseract, eng" in w for w in warnings), warnings
    assert any("1 of 2 pages have no text layer" in w for w in warnings), warnings  # the blank one
    assert not any("low confidence" in w for w in warnings), warnings


def test_the_patch_takes_the_paper_colour_and_the_text_the_ink(letter: dict) -> None:
    page = _render(letter["dst"], letter["folder"], dpi=72)
    # the first body paragraph's area, in points (the builder's margin is one inch)
    crop = page.crop((80, 160, 500, 200))
    colours = sorted(crop.getcolors(1 << 16), reverse=True)
    paper = colours[0][1]
    assert all(abs(a - b) <= 6 for a, b in zip(paper, scans.PAPER, strict=True)), paper
    darkest = min((c for _n, c in colours), key=sum)
    assert darkest[2] > darkest[0] + 20, darkest  # the dark blue ink, not black
    fonts = subprocess.run(["pdffonts", str(letter["dst"])], capture_output=True, text=True).stdout
    assert "Bold" in fonts and "Regular" in fonts, fonts  # the bold heading stays bold


def test_a_scanners_invisible_text_layer_gives_way_to_the_translation(tmp_path: Path) -> None:
    src = scans.build_scan(
        tmp_path, [scans.LETTER[:2]], hidden_text="The house is big and the garden is green."
    )
    assert "The house is big" in _pdftotext(src)
    segments = _page_segments(src)
    out = tmp_path / "out.pdf"
    report = HANDLER.rebuild(src, out, {s.id: mark_words(s.text) for s in segments}, target_language="es")
    text = " ".join(_pdftotext(out).split())
    assert "esHOUSE esIS esBIG" in text and "The house is big" not in text, text
    assert not any("could not be edited" in w for w in report.warnings), report.warnings


def test_text_pages_and_scanned_pages_in_one_document(tmp_path: Path) -> None:
    from reportlab.lib.pagesizes import letter as size
    from reportlab.pdfgen.canvas import Canvas

    image = tmp_path / "scan.png"
    scans.page_image(["We will travel to the city tomorrow by train."]).save(image)
    src = tmp_path / "mixed.pdf"
    canvas = Canvas(str(src), pagesize=size)
    canvas.setFont("Helvetica", 12)
    canvas.drawString(72, 700, "Page one says hello to the reader")
    canvas.showPage()
    canvas.drawImage(str(image), 0, 0, *size)
    canvas.showPage()
    canvas.save()
    segments = _page_segments(src)
    assert [(s.id, s.text) for s in segments] == [
        ("p1#b1", "Page one says hello to the reader"),
        ("p2#b1", "We will travel to the city tomorrow by train."),
    ]
    out = tmp_path / "out.pdf"
    HANDLER.rebuild(src, out, {s.id: mark_words(s.text) for s in segments}, target_language="es")
    pages = [_pdftotext_page(out, n) for n in (1, 2)]
    assert "esPAGE esONE" in pages[0] and "esWE esWILL esTRAVEL" in pages[1], pages


def test_a_blank_scanned_page_still_has_no_text_layer(tmp_path: Path) -> None:
    src = scans.build_scan(tmp_path, [None])
    with pytest.raises(MalformedDocument) as err:
        list(HANDLER.extract(src))
    assert err.value.code == "no_text_layer"
    with pytest.raises(MalformedDocument) as err:
        HANDLER.rebuild(src, tmp_path / "out.pdf", {}, target_language="es")
    assert err.value.code == "no_text_layer" and not (tmp_path / "out.pdf").exists()


def test_a_blurred_scan_is_translated_with_a_low_confidence_warning(tmp_path: Path) -> None:
    src = scans.build_scan(tmp_path, [scans.LETTER], blurred=True, size=32)
    segments = _page_segments(src)
    assert segments and segments[0].text == "The House by the River"  # the large heading still reads
    _ocr._READ.clear()  # as in a fresh parser process: the rebuild reads the page again, to the same ids
    out = tmp_path / "out.pdf"
    report = HANDLER.rebuild(src, out, {s.id: mark_words(s.text) for s in segments}, target_language="es")
    assert "esTHE esHOUSE esBY esTHE esRIVER" in " ".join(_pdftotext(out).split())
    low = [w for w in report.warnings if "low confidence" in w]
    assert low and "page 1 (" in low[0] and "%" in low[0], report.warnings
    confidence = float(low[0].split("page 1 (")[1].split(" %")[0])
    print(f"blurred scan: mean word confidence {confidence:.0f} %")
    assert confidence < _ocr.MIN_CONFIDENCE


@pytest.mark.skipif("spa" not in _ocr.installed(), reason="needs tesseract-ocr-spa")
def test_a_spanish_scan_is_read_again_in_spanish(tmp_path: Path) -> None:
    """Read as English first, the text detects as Spanish: read again with `spa` (English's model
    drops the accents: "El nino esta en el jardin")."""
    body = "El niño está en el jardín con su pequeña señora y el perro de la casa."
    src = scans.build_scan(tmp_path, [["Una carta", body]])
    assert [s.text for s in _page_segments(src)] == ["Una carta", body]


def test_language_codes_map_to_tesseract_names() -> None:
    have = _ocr.installed()
    expected = {"en": "eng", "es": "spa", "ca": "cat", "gl": "glg", "fr": "fra", "ro": "ron", "eu": "eus"}
    for ours, theirs in expected.items():
        if theirs in have:
            assert _ocr.tesseract_language(ours) == theirs
    if {"srp", "srp_latn"} <= have:
        assert _ocr.tesseract_language("sr-Latn") == "srp_latn"
        assert _ocr.tesseract_language("sr") == "srp"
        assert _ocr.tesseract_language("sr", latin=True) == "srp_latn"
    if {"hrv", "srp_latn", "bos"} <= have:
        assert _ocr.tesseract_language("hbs") == "hrv+srp_latn+bos"
    assert _ocr.tesseract_language("xx-unknown") is None and _ocr.tesseract_language(None) is None


def test_a_scan_through_the_service_with_apertium(service: Service, tmp_path: Path) -> None:
    """Upload (read in the cage with its memory limit), run to Spanish with Apertium, download."""
    src = scans.build_scan(tmp_path, [scans.LETTER])
    with service.client() as c:
        started = time.monotonic()
        run, data = translate(c, "scan.pdf", src.read_bytes())
        print(f"scan through the service: {time.monotonic() - started:.1f} s")
    out = tmp_path / "out.pdf"
    out.write_bytes(data)
    assert _pages(out) == 1 and run["credits"] == 1
    text = " ".join(_pdftotext(out).split())
    assert "La casa es grande" in text and "jardín" in text, text
    assert "The house is big" not in text
