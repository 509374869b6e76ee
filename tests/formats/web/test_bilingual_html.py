"""Bilingual HTML: every source block stays and is followed by its translation, marked with lang."""

from __future__ import annotations

from pathlib import Path

import lxml.html

from polydoc.formats.web.html import HANDLER
from tests.builders.web import build_html_fragment, build_html_page
from tests.formats.roundtrip import fake_translations, rebuilt


def bilingual(src: Path) -> lxml.html.HtmlElement:
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.html", "bilingual")
    assert not report.warnings
    return lxml.html.fromstring(out.read_bytes())


def text(el: lxml.html.HtmlElement) -> str:
    return " ".join(el.text_content().split())


def test_the_handler_offers_bilingual_output() -> None:
    assert "bilingual" in HANDLER.output_modes


def test_paragraphs_and_headings_are_followed_by_their_translated_copy(tmp_path: Path) -> None:
    root = bilingual(build_html_page(tmp_path))
    h1, h1_es = root.findall(".//h1")
    assert text(h1) == "Welcome to the translation service" and h1.get("lang") is None
    assert text(h1_es) == "esWELCOME esTO esTHE esTRANSLATION esSERVICE" and h1_es.get("lang") == "es"
    assert h1.getnext() is h1_es
    assert h1_es.find("em").text == "esTRANSLATION"  # inline formatting on the translated word
    lead, lead_es = root.find_class("lead")  # the copy keeps the block's attributes
    assert text(lead).startswith("Press red to stop") and lead.find("b").text == "red"
    assert lead_es.get("lang") == "es" and lead_es.find("b").text == "esRED"
    assert lead_es.find("a").get("href") == "https://example.com/manual#safety"
    assert root.get("lang") == "en"  # the page still says what language its source is


def test_list_items_and_cells_hold_both_languages_without_new_items(tmp_path: Path) -> None:
    root = bilingual(build_html_page(tmp_path))
    items = root.findall(".//main/ul/li")
    assert len(items) == 2
    assert items[0].text == "Fast and private translation"
    assert items[0].find("br") is not None
    assert items[0].find("span[@lang='es']").text == "esFAST esAND esPRIVATE esTRANSLATION"
    cells = root.findall(".//td")
    assert len(cells) == 2
    assert cells[0].text == "Basic plan" and cells[0].find("span").text == "esBASIC esPLAN"


def test_untouched_content_and_attributes_follow_the_plain_mode(tmp_path: Path) -> None:
    root = bilingual(build_html_page(tmp_path))
    assert root.find(".//title").text == "esPOLYDOC & esTHE esTRANSLATED esWEB"  # no markup possible
    assert root.find(".//img").get("alt") == "esA esSLEEPY esORANGE esCAT"
    assert "keep this code exactly" in root.find(".//pre").text_content()
    assert [text(d) for d in root.find_class("notranslate")] == ["Internal build number stays"]


def test_a_fragment_gets_interleaved_paragraphs(tmp_path: Path) -> None:
    root = bilingual(build_html_fragment(tmp_path))
    paragraphs = [(p.get("lang"), text(p)) for p in root.iter("p")]
    assert paragraphs == [
        (None, "Hello bold world."),
        ("es", "esHELLO esBOLD esWORLD."),
        (None, "Second paragraph with a link."),
        ("es", "esSECOND esPARAGRAPH esWITH esA esLINK."),
    ]


def test_ids_stay_unique_and_blocks_without_an_end_tag_keep_both_inside(tmp_path: Path) -> None:
    src = tmp_path / "ids.html"
    src.write_text(
        '<div><p id="intro" lang="en" class="lead">Hello <b>world</b>.</p>\n'
        "<p>An open paragraph\n<p>Another open one</div>\n",
        encoding="utf-8",
    )
    root = bilingual(src)
    intro, copy = root.find_class("lead")
    assert (intro.get("id"), intro.get("lang")) == ("intro", "en")
    assert (copy.get("id"), copy.get("lang"), text(copy)) == (None, "es", "esHELLO esWORLD.")
    assert len(root.xpath("//*[@id='intro']")) == 1
    assert "An open paragraph" in src.with_name("out.html").read_text()
    spans = [s.text for s in root.iter("span") if s.get("lang") == "es"]
    assert spans == ["esAN esOPEN esPARAGRAPH", "esANOTHER esOPEN esONE"]
