"""Bilingual DOCX: each paragraph is followed by its translation in grey italic, as Word shows it."""

from __future__ import annotations

from pathlib import Path

import docx
from docx.shared import RGBColor

from polydoc.formats.ooxml.docx import HANDLER
from tests.builders.docx import build_docx
from tests.formats.roundtrip import fake_translations, rebuilt

GREY = RGBColor(0x66, 0x66, 0x66)


def bilingual(tmp_path: Path) -> docx.document.Document:
    src = build_docx(tmp_path)
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.docx", "bilingual")
    assert not report.warnings
    return docx.Document(str(out))


def texts(doc: docx.document.Document) -> list[str]:
    return [p.text for p in doc.paragraphs]


def test_the_handler_offers_bilingual_output() -> None:
    assert HANDLER.output_modes == ("translated", "bilingual")


def test_each_body_paragraph_is_followed_by_its_translation(tmp_path: Path) -> None:
    body = texts(bilingual(tmp_path))
    for source in ("Annual sales report", "The red car is fast.", "Visit our online shop today."):
        at = body.index(source)
        translated = body[at + 1]
        assert translated.startswith("es") and source.split()[-1].rstrip(".").upper() in translated
    assert body.count("Version 2.5 costs 30 euros") == 1  # nothing to translate: one copy only


def test_the_source_keeps_its_formatting_and_the_translation_is_grey_italic(tmp_path: Path) -> None:
    doc = bilingual(tmp_path)
    paragraphs = doc.paragraphs
    at = texts(doc).index("The red car is fast.")
    source, translated = paragraphs[at], paragraphs[at + 1]
    assert [r.text for r in source.runs if r.bold] == ["red"]
    assert not any(r.italic for r in source.runs)
    assert [r.text for r in translated.runs if r.bold] == ["esRED"]
    assert all(r.italic and r.font.color.rgb == GREY for r in translated.runs)
    heading = paragraphs[texts(doc).index("Annual sales report")]
    assert heading.style.name == "Heading 1"


def test_headers_footnotes_and_table_cells_are_bilingual_too(tmp_path: Path) -> None:
    doc = bilingual(tmp_path)
    header = [p.text for p in doc.sections[0].header.paragraphs]
    assert header[:2] == ["Company confidential header", "esCOMPANY esCONFIDENTIAL esHEADER"]
    cell = doc.tables[0].cell(1, 0)
    assert [p.text for p in cell.paragraphs] == ["Green apple", "esGREEN esAPPLE"]
    # python-docx has no footnote API: read the part's XML
    footnotes = next(p for p in doc.part.package.iter_parts() if p.partname.endswith("footnotes.xml"))
    body = footnotes.blob.decode()
    assert body.index("Source: the annual customer survey.") < body.index("esSOURCE")


def test_unique_things_stay_on_one_copy(tmp_path: Path) -> None:
    doc = bilingual(tmp_path)
    xml = doc.element.body.xml
    assert xml.count("w:footnoteReference ") == 1
    assert xml.count('w:name="_Toc1"') == 1
    assert xml.count("<w:sectPr") == 1


def test_a_numbered_list_item_holds_both_languages_so_it_is_numbered_once(tmp_path: Path) -> None:
    doc = docx.Document()
    for text in ("First step here", "Second step here"):
        doc.add_paragraph(text, style="List Number")  # numbered by its style
    src = tmp_path / "steps.docx"
    doc.save(str(src))
    out, _ = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.docx", "bilingual")
    items = docx.Document(str(out)).paragraphs
    assert [p.text for p in items] == [
        "First step here\nesFIRST esSTEP esHERE",
        "Second step here\nesSECOND esSTEP esHERE",
    ]
    assert not items[0].runs[0].italic and items[0].runs[-1].italic
