"""Bilingual ODT: each paragraph is followed by its translation in a grey italic style."""

from __future__ import annotations

from pathlib import Path

import pytest
from odf import teletype, text
from odf.namespaces import FONS, STYLENS, TEXTNS
from odf.opendocument import load

from polydoc.formats import handler_for
from tests.builders.odf import LINK_URL, build_odt
from tests.formats.roundtrip import fake_translations, rebuilt

HANDLER = handler_for("odt")


@pytest.fixture
def document(tmp_path: Path):
    src = build_odt(tmp_path)
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.odt", "bilingual")
    assert not report.warnings
    return load(str(out))


def paragraphs(element) -> list[str]:
    return [teletype.extractText(p) for p in element.getElementsByType(text.P)]


def test_only_text_documents_offer_bilingual_output() -> None:
    assert "bilingual" in HANDLER.output_modes
    assert handler_for("ods").output_modes == ("translated",)


def test_each_paragraph_is_followed_by_its_translation(document) -> None:
    body = paragraphs(document.text)
    first = body.index("The quick brown fox jumps over the lazy dog. Read the manual online.")
    assert (
        body[first + 1]
        == "esTHE esQUICK esBROWN esFOX esJUMPS esOVER esTHE esLAZY esDOG. esREAD esTHE esMANUAL esONLINE."
    )
    headings = [teletype.extractText(h) for h in document.text.getElementsByType(text.H)]
    assert headings == ["Annual Summary", "esANNUAL esSUMMARY"]
    for source in ("Green apples", "First item", "Reviewed paragraph"):
        assert body[body.index(source) + 1].startswith("es")
    assert body.count("2024-12-31") == 1
    header = paragraphs(document.masterstyles)
    assert header[:2] == ["Company Confidential", "esCOMPANY esCONFIDENTIAL"]


def test_the_translation_is_grey_italic_and_the_source_keeps_its_formatting(document) -> None:
    styles = {
        s.getAttrNS(STYLENS, "name"): s for s in document.automaticstyles.childNodes if s.qname[1] == "style"
    }
    props = styles["PolydocTranslation"].childNodes[0]
    assert props.getAttrNS(FONS, "font-style") == "italic" and props.getAttrNS(FONS, "color") == "#666666"
    assert props.getAttrNS(FONS, "language") == "es"
    spans = document.text.getElementsByType(text.Span)
    bold = [teletype.extractText(s) for s in spans if s.getAttrNS(TEXTNS, "style-name") == "Strong"]
    assert bold[:2] == ["quick brown", "esQUICK esBROWN"]
    links = [a.getAttribute("href") for a in document.text.getElementsByType(text.A)]
    assert links == [LINK_URL, LINK_URL]


def test_notes_comments_and_frames_stay_once(document) -> None:
    assert len(document.text.getElementsByType(text.Note)) == 1
    body = paragraphs(document.text)
    assert "This sentence has a footnote and continues here." in body  # the copy keeps its text
    assert body.count("esTEXT esINSIDE esA esFRAME") == 1  # frame text: plain translation
    assert not any(p == "Text inside a frame" for p in body)
