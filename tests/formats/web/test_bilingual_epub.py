"""Bilingual EPUB: each chapter block keeps its source and is followed by its translation."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from polydoc.formats.web.epub import HANDLER
from tests.builders.epub import build_epub2, build_epub3
from tests.formats.roundtrip import fake_translations, rebuilt

H = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


def chapters(src: Path) -> dict[str, etree._Element]:
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.epub", "bilingual")
    assert not report.warnings
    with zipfile.ZipFile(out) as zf:
        return {n: etree.fromstring(zf.read(n)) for n in zf.namelist() if n.endswith(".xhtml")}


def text(el: etree._Element) -> str:
    return " ".join("".join(el.itertext()).split())


def test_the_handler_offers_bilingual_output() -> None:
    assert "bilingual" in HANDLER.output_modes


@pytest.mark.parametrize("build", [build_epub3, build_epub2], ids=["epub3", "epub2"])
def test_paragraphs_are_followed_by_their_translation_marked_with_its_language(tmp_path: Path, build) -> None:
    root = chapters(build(tmp_path))["OEBPS/chapter1.xhtml"]
    body = [(el.get(XML_LANG), text(el)) for el in root.find(f"{H}body") if el.tag in (f"{H}h1", f"{H}p")]
    assert body[:4] == [
        (None, "First Chapter"),
        ("es", "esFIRST esCHAPTER"),
        (None, "The garden was very quiet in the morning."),
        ("es", "esTHE esGARDEN esWAS esVERY esQUIET esIN esTHE esMORNING."),
    ]
    assert root.get(XML_LANG) == "en"  # the chapter keeps its language; translations say theirs
    images = root.iter(f"{H}img")
    assert [img.get("alt") for img in images] == ["A red flower", "esA esRED esFLOWER"]
    assert [b.text for b in root.iter(f"{H}b")] == ["very quiet", "esVERY esQUIET"]


def test_list_items_and_cells_hold_both_languages(tmp_path: Path) -> None:
    root = chapters(build_epub3(tmp_path))["OEBPS/chapter2.xhtml"]
    items = list(root.iter(f"{H}li"))
    assert len(items) == 2
    assert items[0].text == "Water the roses" and items[0].find(f"{H}br") is not None
    span = items[0].find(f"{H}span")
    assert span.get(XML_LANG) == "es" and span.text == "esWATER esTHE esROSES"
    (cell,) = root.iter(f"{H}td")
    assert cell.text == "Tomato plant" and cell.find(f"{H}span").text == "esTOMATO esPLANT"


def test_the_navigation_document_stays_a_valid_table_of_contents(tmp_path: Path) -> None:
    nav = chapters(build_epub3(tmp_path))["OEBPS/nav.xhtml"]
    assert [text(li) for li in nav.iter(f"{H}li")] == ["esFIRST esCHAPTER", "esSECOND esCHAPTER"]
    assert not list(nav.iter(f"{H}span"))
