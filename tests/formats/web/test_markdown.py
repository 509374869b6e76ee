from __future__ import annotations

import re
from pathlib import Path

import lxml.html
from markdown_it import MarkdownIt

from polydoc.formats import handler_for
from polydoc.formats.base import RebuildReport
from polydoc.segments import strip_tags
from tests.builders.web import MARKDOWN_DOC, build_markdown_doc, build_markdown_toml
from tests.fakes import mark_words

H = handler_for("md")
_MD = MarkdownIt("commonmark").enable(["table", "strikethrough"])
_WORD = re.compile(r"[A-Za-z]+")


def _translate(src: Path, dst: Path, fn=mark_words) -> RebuildReport:
    report = H.rebuild(src, dst, {s.id: fn(s.text) for s in H.extract(src)}, target_language="es")
    assert isinstance(report, RebuildReport)
    return report


def _html(path: Path) -> lxml.html.HtmlElement:
    """The Markdown as a reader sees it: rendered by a CommonMark renderer, front matter hidden."""
    text = re.sub(r"\A(---|\+\+\+)\r?\n.*?^\1\r?$", "", path.read_text(encoding="utf-8"), flags=re.S | re.M)
    return lxml.html.fromstring(f"<div>{_MD.render(text)}</div>")


def _untranslated(path: Path) -> list[str]:
    root = _html(path)
    for code in root.xpath("//pre | //code"):
        code.drop_tree()
    texts = [root.text_content(), *root.xpath("//img/@alt")]
    words = [w for t in texts for w in _WORD.findall(re.sub(r"https?://\S+", "", t))]
    return [w for w in words if not re.fullmatch(r"es[A-Z]+", w)]


def _front_matter(text: str) -> str:
    return text[: text.index("---", 4) + 3]


def test_every_visible_word_is_translated(tmp_path: Path) -> None:
    src, dst = build_markdown_doc(tmp_path), tmp_path / "out.md"
    report = _translate(src, dst)
    assert report.warnings == []
    assert _untranslated(src), "the check must see the English source"
    assert _untranslated(dst) == []


def test_code_urls_front_matter_and_comments_keep_their_bytes(tmp_path: Path) -> None:
    src, dst = build_markdown_doc(tmp_path), tmp_path / "out.md"
    _translate(src, dst)
    source, out = src.read_text(encoding="utf-8"), dst.read_text(encoding="utf-8")
    fence = source[source.index("```python") : source.index("```\n", source.index("```python") + 3) + 4]
    for kept in (
        _front_matter(source),
        fence,
        "    indented code block with English words\n",
        "`config.yaml`",
        '(https://example.com/path?x=1 "Manual title")',
        "<https://example.com/releases>",
        "| `--fast` |",
        "<!-- Editor comment: review this page -->",
        "](images/flow.png)",
        '[guide]: https://example.com/guide "Guide title"\n[FAQ]: https://example.com/faq\n',
    ):
        assert kept in out, kept
    assert out.startswith(_front_matter(source))


def test_structure_and_markup_are_kept(tmp_path: Path) -> None:
    src, dst = build_markdown_doc(tmp_path), tmp_path / "out.md"
    _translate(src, dst)
    out = dst.read_text(encoding="utf-8")
    assert "# esGETTING esSTARTED esWITH *esPOLYDOC*\n" in out
    assert (
        "esPRESS **esSAVE** esNOW esTO esKEEP esTHE `config.yaml` esFILE, esTHEN esREAD [esTHE esMANUAL]("
        in out
    )
    assert "\n1. esDOWNLOAD esTHE " in out and "\n   - esCHOOSE esA esFOLDER esFOR esTHE esFILES\n" in out
    assert "\n> esTRANSLATION esIS esA esCRAFT esTHAT esNEEDS esPATIENCE esAND esGOOD esTOOLS.\n" in out
    assert "| esQUIET esMODE | esPRINT esFEWER esMESSAGES |" in out
    assert "![esA esDIAGRAM esOF esTHE esTRANSLATION esFLOW](images/flow.png)" in out

    def shape(path: Path) -> list[tuple[str, str]]:
        return [(t.type, t.tag) for t in _MD.parse(path.read_text(encoding="utf-8"))]

    assert shape(dst) == shape(src)
    # Reference links still resolve after their text changed.
    links = {a.text_content(): a.get("href") for a in _html(dst).iter("a")}
    assert links["esUSER esGUIDE"] == "https://example.com/guide"
    assert links["esFAQ"] == "https://example.com/faq"
    assert links["esTHE esMANUAL"] == "https://example.com/path?x=1"


def test_inline_markup_becomes_tags(tmp_path: Path) -> None:
    texts = {s.text for s in H.extract(build_markdown_doc(tmp_path))}
    assert "Getting started with <g1>Polydoc</g1>" in texts
    assert (
        "Press <g1>Save</g1> now to keep the <x2/> file, then read <g3>the manual</g3> before you start."
        in texts
    )
    assert "Download the latest release from <x1/>." in texts
    assert "Translation is a craft that needs patience and good tools." in texts
    assert not any("python" in t or "Hello world" in t or "indented" in t for t in texts)
    assert not any("Editor comment" in t or "Getting started guide" in t for t in texts)


def test_identity_rebuild_is_byte_exact(tmp_path: Path) -> None:
    for src in (build_markdown_doc(tmp_path), build_markdown_toml(tmp_path)):
        dst = tmp_path / f"same-{src.name}"
        report = _translate(src, dst, fn=lambda t: t)
        assert report.warnings == []
        assert dst.read_bytes() == src.read_bytes()


def test_windows_line_endings_are_kept(tmp_path: Path) -> None:
    src, dst = build_markdown_doc(tmp_path, newline="\r\n"), tmp_path / "out.md"
    _translate(src, dst)
    out = dst.read_bytes()
    assert b"\n" not in out.replace(b"\r\n", b"")
    assert _front_matter(MARKDOWN_DOC).replace("\n", "\r\n").encode() in out
    assert _untranslated(dst) == []


def test_dropped_tags_keep_all_text_and_warn(tmp_path: Path) -> None:
    src, dst = build_markdown_doc(tmp_path), tmp_path / "out.md"
    report = _translate(src, dst, fn=lambda t: strip_tags(mark_words(t)))
    assert report.warnings
    assert _untranslated(dst) == []
    out = dst.read_text(encoding="utf-8")
    assert "esPRESS esSAVE esNOW" in out
    assert "`config.yaml`" in out  # lost inline code is put back, not dropped


def test_toml_front_matter_and_html_block(tmp_path: Path) -> None:
    src, dst = build_markdown_toml(tmp_path), tmp_path / "out.md"
    assert [s.text for s in H.extract(src)] == [
        "Release notes",
        "We fixed <g1>many</g1> bugs in this release.",
        "Made with <g1>care</g1>",
    ]
    _translate(src, dst)
    out = dst.read_text(encoding="utf-8")
    assert out.startswith('+++\ntitle = "Release notes"\ndraft = false\n+++\n\n# esRELEASE esNOTES\n')
    assert '<p align="center">esMADE esWITH <b>esCARE</b></p>\n' in out


def test_wrapped_paragraph_with_hard_break_in_quote(tmp_path: Path) -> None:
    src, dst = tmp_path / "quote.md", tmp_path / "out.md"
    src.write_text("> First line of the quote  \n> second *line* here\n> and the end.\n", encoding="utf-8")
    assert [s.text for s in H.extract(src)] == [
        "First line of the quote<x1/>second <g2>line</g2> here and the end."
    ]
    _translate(src, dst)
    assert dst.read_text(encoding="utf-8") == (
        "> esFIRST esLINE esOF esTHE esQUOTE  \n> esSECOND *esLINE* esHERE esAND esTHE esEND.\n"
    )


def test_translated_text_is_escaped(tmp_path: Path) -> None:
    src, dst = tmp_path / "esc.md", tmp_path / "out.md"
    src.write_text("Plain text.\n\n| Cell |\n|---|\n| Value |\n", encoding="utf-8")
    weird = "# 1. *not* [markup] a|b <b> & `x` snake_case"
    H.rebuild(src, dst, {s.id: weird for s in H.extract(src)}, target_language="es")
    root = _html(dst)
    assert root.xpath("string(//p)") == weird
    assert root.xpath("string(//td)") == weird
    assert not root.xpath("//h1 | //em | //code | //ol")


def test_badges_keyboard_keys_and_footnotes(tmp_path: Path) -> None:
    src, dst = tmp_path / "readme.md", tmp_path / "out.md"
    src.write_text(
        "[![Build status](https://ci.example.com/badge.svg)](https://ci.example.com) Fast tool\n\n"
        "Press <kbd>Ctrl</kbd> and see the note[^1] or mail help@example.com today.\n\n"
        "[^1]: The footnote text.\n",
        encoding="utf-8",
    )
    _translate(src, dst)
    out = dst.read_text(encoding="utf-8")
    assert (
        "[![esBUILD esSTATUS](https://ci.example.com/badge.svg)](https://ci.example.com) esFAST esTOOL" in out
    )
    assert "esPRESS <kbd>Ctrl</kbd> esAND esSEE esTHE esNOTE[^1] esOR esMAIL help@example.com esTODAY." in out
    assert "[^1]: esTHE esFOOTNOTE esTEXT." in out


def test_page_count(tmp_path: Path) -> None:
    assert H.count_pages(build_markdown_doc(tmp_path)) == 1
    big = tmp_path / "big.md"
    big.write_text("\n\n".join(["A long sentence about pages. " * 30] * 10), encoding="utf-8")
    assert H.count_pages(big) == 5


def test_admonitions_keep_marker_and_indentation(tmp_path: Path) -> None:
    """MkDocs admonitions: the marker line stays (its type is a keyword, its title is prose) and
    the indented body is Markdown of its own, one segment per paragraph, nested ones too."""
    src, dst = tmp_path / "adm.md", tmp_path / "out.md"
    src.write_text(
        'Intro text.\n\n!!! note "Before you sail"\n    Check the *weather* and\n    tell someone.\n\n'
        "    Second paragraph here.\n\n    ??? tip\n        Nested tip text.\n\n"
        "!!! warning inline end\n    The pier is closed.\n\n```\n!!! not an admonition\n```\n",
        encoding="utf-8",
    )
    assert [s.text for s in H.extract(src)] == [
        "Intro text.",
        "Before you sail",
        "Check the <g1>weather</g1> and tell someone.",
        "Second paragraph here.",
        "Nested tip text.",
        "The pier is closed.",
    ]
    _translate(src, dst)
    assert dst.read_text(encoding="utf-8") == (
        'esINTRO esTEXT.\n\n!!! note "esBEFORE esYOU esSAIL"\n    esCHECK esTHE *esWEATHER* esAND esTELL esSOMEONE.\n\n'
        "    esSECOND esPARAGRAPH esHERE.\n\n    ??? tip\n        esNESTED esTIP esTEXT.\n\n"
        "!!! warning inline end\n    esTHE esPIER esIS esCLOSED.\n\n```\n!!! not an admonition\n```\n"
    )


def test_admonition_title_quotes_are_escaped(tmp_path: Path) -> None:
    src, dst = tmp_path / "adm.md", tmp_path / "out.md"
    src.write_text('!!! note "Title"\n    Body.\n', encoding="utf-8")
    H.rebuild(src, dst, {"t1": 'Say "hi"', "p2": "Cuerpo."}, target_language="es")
    assert dst.read_text(encoding="utf-8") == '!!! note "Say &quot;hi&quot;"\n    Cuerpo.\n'


def test_heading_attributes_stay_out_of_the_segment(tmp_path: Path) -> None:
    """pandoc/kramdown/attr_list attributes after a heading are ids and classes, not prose."""
    src, dst = tmp_path / "attrs.md", tmp_path / "out.md"
    src.write_text(
        "# Harbour handbook {#handbook .unnumbered}\n\nSetext title {: #setext }\n---\n\n"
        "## Costs {-}\n\n## Plain {braces} heading\n\nBody {#not-a-heading}\n",
        encoding="utf-8",
    )
    assert [s.text for s in H.extract(src)] == [
        "Harbour handbook",
        "Setext title",
        "Costs",
        "Plain {braces} heading",
        "Body {#not-a-heading}",
    ]
    _translate(src, dst)
    out = dst.read_text(encoding="utf-8")
    assert out.startswith(
        "# esHARBOUR esHANDBOOK {#handbook .unnumbered}\n\nesSETEXT esTITLE {: #setext }\n---\n"
    )
    assert "## esCOSTS {-}\n" in out and "## esPLAIN {esBRACES} esHEADING\n" in out
