"""Bilingual PPTX: the slides are translated and every slide's notes carry its source text."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pptx
import pytest
from lxml import etree

from polydoc.formats.ooxml.pptx import HANDLER
from tests.builders.pptx import build_code_pptx, build_pptx
from tests.formats.roundtrip import fake_translations, rebuilt


@pytest.fixture
def deck(tmp_path: Path) -> pptx.presentation.Presentation:
    src = build_pptx(tmp_path)
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.pptx", "bilingual")
    assert not report.warnings
    return pptx.Presentation(str(out))


def notes(slide) -> list[str]:
    return [p.text for p in slide.notes_slide.notes_text_frame.paragraphs]


def test_the_handler_offers_bilingual_output() -> None:
    assert "bilingual" in HANDLER.output_modes


def test_slides_are_translated_and_their_notes_carry_the_source(deck) -> None:
    first, second = deck.slides[0], deck.slides[1]
    assert first.shapes.title.text == "esQUARTERLY esBUSINESS esREVIEW"
    assert notes(first) == [
        "esWELCOME esEVERYONE esTO esTHE esMEETING",
        "",
        "Quarterly business review",
        "Prepared by the sales team",
    ]
    assert second.shapes.title.text == "esMAIN esRESULTS"
    assert notes(second)[:3] == ["esREMEMBER esTO esTHANK esTHE esTEAM", "", "Main results"]
    assert "Revenue grew in every region" in notes(second)


def test_the_source_in_the_notes_keeps_its_formatting(deck) -> None:
    paragraphs = deck.slides[1].notes_slide.notes_text_frame.paragraphs
    revenue = next(p for p in paragraphs if p.text == "Revenue grew in every region")
    assert [r.text for r in revenue.runs if r.font.bold] == ["every"]


def test_slides_without_notes_get_a_notes_page_with_their_source(deck) -> None:
    third, fourth = deck.slides[2], deck.slides[3]
    assert third.has_notes_slide and fourth.has_notes_slide
    assert notes(third)[0] == "Regional details"
    assert {"Inside the group", "Deeper inside the group", "Region", "Sales", "North"} <= set(notes(third))
    assert notes(fourth) == ["Sales chart"]  # the chart's text is translated, not copied


def test_a_deck_without_a_notes_master_gets_one_and_keeps_its_source(tmp_path: Path) -> None:
    src = build_code_pptx(tmp_path)
    with zipfile.ZipFile(src) as zf:
        assert not any("notesMaster" in n for n in zf.namelist())
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.pptx", "bilingual")
    assert not report.warnings
    slide = pptx.Presentation(str(out)).slides[0]
    assert slide.shapes.title.text == "esINSTALL esTHE esDRIVER"
    assert notes(slide) == ["Install the driver", "Type these commands in a terminal."]
    with zipfile.ZipFile(out) as zf:
        assert zf.testzip() is None
        presentation = etree.fromstring(zf.read("ppt/presentation.xml"))
        assert [etree.QName(c).localname for c in presentation][:2] == ["sldMasterIdLst", "notesMasterIdLst"]
