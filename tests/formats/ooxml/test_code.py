"""Code in Word documents and slides is kept as it is, however many paragraphs in a row."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pptx
import pytest
from lxml import etree

from polydoc.formats.ooxml.docx import HANDLER as DOCX
from polydoc.formats.ooxml.pptx import HANDLER as PPTX
from polydoc.segments import strip_tags
from tests.builders.docx import CODE_LINES, build_code_docx, build_courier_docx, paragraph_xml
from tests.builders.pptx import build_code_pptx
from tests.fakes import mark_words

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
CODE = [
    *CODE_LINES,
    "show the wireless link state",
    "make the default target and install it",
    "print the name of the working directory",
    "Lines in Consolas and in Courier New",
]


def _member(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(name)


def _translated(handler, src: Path) -> Path:  # noqa: ANN001 - either Office handler
    dst = src.with_name(f"translated-{src.name}")
    segments = {s.id: mark_words(s.text) for s in handler.extract(src)}
    report = handler.rebuild(src, dst, segments, target_language="es")
    assert report.warnings == []
    return dst


@pytest.fixture(scope="module")
def code_docx(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_code_docx(tmp_path_factory.mktemp("code"))


def test_code_paragraphs_are_no_segments_and_inline_code_is_a_standalone_tag(code_docx: Path) -> None:
    texts = [s.text for s in DOCX.extract(code_docx)]
    assert texts == [
        "Configure the wireless card as follows.",
        "Then look at the list of devices.",
        "Run <x1/> to install the driver.",
    ]
    assert not any(line.strip() in strip_tags(t) for t in texts for line in CODE)


def test_code_paragraphs_stay_byte_for_byte_and_prose_is_translated(code_docx: Path) -> None:
    out = _translated(DOCX, code_docx)
    before, after = (
        paragraph_xml(_member(code_docx, "word/document.xml")),
        paragraph_xml(_member(out, "word/document.xml")),
    )
    assert len(before) == len(after)
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert texts[0] == "esCONFIGURE esTHE esWIRELESS esCARD esAS esFOLLOWS."
    assert texts[6] == "esTHEN esLOOK esAT esTHE esLIST esOF esDEVICES."
    for i, text in enumerate(texts):
        if text in CODE:
            assert after[i] == before[i], text
    assert sorted(t for t in texts if t in CODE) == sorted(CODE)
    assert texts[-2] == "esRUN sudo make install esTO esINSTALL esTHE esDRIVER."
    run = next(
        r for r in etree.fromstring(after[-2]).iter(f"{W}r") if r.findtext(f"{W}t") == "sudo make install"
    )
    original = next(
        r for r in etree.fromstring(before[-2]).iter(f"{W}r") if r.findtext(f"{W}t") == "sudo make install"
    )
    assert etree.tostring(run) == etree.tostring(original)


def test_a_monospace_body_font_is_prose(tmp_path: Path) -> None:
    src = build_courier_docx(tmp_path)
    assert [s.text for s in DOCX.extract(src)] == ["The door opens slowly.", "She walks into the empty room."]


def test_monospace_slide_paragraphs_are_kept_and_prose_translated(tmp_path: Path) -> None:
    src = build_code_pptx(tmp_path)
    assert [s.text for s in PPTX.extract(src)] == ["Install the driver", "Type these commands in a terminal."]
    out = _translated(PPTX, src)
    slide = "ppt/slides/slide1.xml"
    before, after = etree.fromstring(_member(src, slide)), etree.fromstring(_member(out, slide))
    old, new = list(before.iter(f"{A}p")), list(after.iter(f"{A}p"))
    kept = [etree.tostring(o) == etree.tostring(n) for o, n in zip(old, new, strict=True)]
    shown = ["".join(t.text or "" for t in p.iter(f"{A}t")) for p in new]
    assert [s for s, same in zip(shown, kept, strict=True) if same] == list(CODE_LINES)
    texts = [shape.text_frame.text for shape in pptx.Presentation(str(out)).slides[0].shapes]
    assert "esINSTALL esTHE esDRIVER" in texts
    assert "esTYPE esTHESE esCOMMANDS esIN esA esTERMINAL." in texts
