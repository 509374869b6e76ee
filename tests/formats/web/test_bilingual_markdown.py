"""Bilingual Markdown: each block is followed by its translated block, in the same container."""

from __future__ import annotations

from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from polydoc.formats.web.markdown import HANDLER
from tests.builders.web import build_markdown_doc
from tests.formats.roundtrip import fake_translations, rebuilt


def bilingual(tmp_path: Path, newline: str = "\n") -> str:
    src = build_markdown_doc(tmp_path, newline=newline)
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.md", "bilingual")
    assert not report.warnings
    return out.read_bytes().decode()


def blocks(text: str) -> list[tuple[str, str]]:
    """(enclosing block, inline text) of every inline run, as a Markdown reader sees them."""
    out, opened = [], []
    for tok in MarkdownIt("commonmark").enable("table").parse(text):
        if tok.nesting == 1:
            opened.append(tok.type.removesuffix("_open"))
        elif tok.nesting == -1:
            opened.pop()
        elif tok.type == "inline":
            out.append(("/".join(opened), tok.content))
    return out


def test_the_handler_offers_bilingual_output() -> None:
    assert "bilingual" in HANDLER.output_modes


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_headings_and_paragraphs_are_followed_by_their_translation(tmp_path: Path, newline: str) -> None:
    found = blocks(bilingual(tmp_path, newline).replace("\r\n", "\n"))
    assert found[1:5] == [  # found[0] is the front matter, which CommonMark alone reads as a heading
        ("heading", "Getting started with *Polydoc*"),
        ("heading", "esGETTING esSTARTED esWITH *esPOLYDOC*"),
        ("paragraph", "Press **Save** now to keep the `config.yaml` file, then read\n"
         '[the manual](https://example.com/path?x=1 "Manual title") before you start.'),
        ("paragraph", "esPRESS **esSAVE** esNOW esTO esKEEP esTHE `config.yaml` esFILE, esTHEN esREAD "
         '[esTHE esMANUAL](https://example.com/path?x=1 "Manual title") esBEFORE esYOU esSTART.'),
    ]  # fmt: skip


def test_list_items_and_quotes_keep_both_languages_inside_them(tmp_path: Path) -> None:
    found = blocks(bilingual(tmp_path))
    item = "ordered_list/list_item/paragraph"
    assert (item, "Download the latest release from <https://example.com/releases>.") in found
    assert (item, "esDOWNLOAD esTHE esLATEST esRELEASE esFROM <https://example.com/releases>.") in found
    nested = "ordered_list/list_item/bullet_list/list_item/paragraph"
    assert [t for b, t in found if b == nested] == [
        "Choose a folder for the files",
        "esCHOOSE esA esFOLDER esFOR esTHE esFILES",
        "Accept the license terms",
        "esACCEPT esTHE esLICENSE esTERMS",
    ]
    quote = [t for b, t in found if b == "blockquote/paragraph"]
    assert quote == [
        "Translation is a craft that needs\npatience and good tools.",
        "esTRANSLATION esIS esA esCRAFT esTHAT esNEEDS esPATIENCE esAND esGOOD esTOOLS.",
    ]


def test_table_cells_hold_both_and_code_stays_once(tmp_path: Path) -> None:
    text = bilingual(tmp_path)
    found = blocks(text)
    assert ("table/thead/tr/th", "Option<br>esOPTION") in found
    assert ("table/tbody/tr/td", "Quiet mode<br>esQUIET esMODE") in found
    assert text.count('print("Hello world and welcome")') == 1
    assert text.count("[guide]: https://example.com/guide") == 1
