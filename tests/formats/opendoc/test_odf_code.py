"""ODT/ODP: code paragraphs (a code style or a monospace font) and code spans are kept as they are."""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree
from odf import teletype, text
from odf.opendocument import load

from polydoc.formats import handler_for
from polydoc.segments import strip_tags
from tests.builders.docx import CODE_LINES
from tests.builders.odf import build_code_odp, build_code_odt
from tests.fakes import mark_words

TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
CODE = [
    *CODE_LINES,
    "show the wireless link state",
    "print the name of the working directory",
    "make the default target and install it",
]


def _paragraphs(path: Path) -> list[bytes]:
    with zipfile.ZipFile(path) as zf:
        root = etree.fromstring(zf.read("content.xml"))
    return [etree.tostring(p) for p in root.iter(f"{TEXT}p")]


def _translate(kind: str, src: Path) -> tuple[list[str], Path]:
    handler = handler_for(kind)
    segments = list(handler.extract(src))
    dst = src.with_name(f"translated.{kind}")
    report = handler.rebuild(src, dst, {s.id: mark_words(s.text) for s in segments}, target_language="es")
    assert report.warnings == []
    return [s.text for s in segments], dst


def _shown(path: Path) -> list[str]:
    return [teletype.extractText(p) for p in load(str(path)).getElementsByType(text.P)]


def test_odt_code_is_no_segment_and_stays_byte_for_byte(tmp_path: Path) -> None:
    src = build_code_odt(tmp_path)
    segments, out = _translate("odt", src)
    assert segments == [
        "Configure the wireless card as follows.",
        "Then look at the list of devices.",
        "Run <x1/> to install the driver.",
    ]
    shown, before, after = _shown(out), _paragraphs(src), _paragraphs(out)
    assert len(before) == len(after) == len(shown)
    assert [s for s, old, new in zip(shown, before, after, strict=True) if old == new] == CODE
    assert shown[0] == "esCONFIGURE esTHE esWIRELESS esCARD esAS esFOLLOWS."
    assert shown[-1] == "esRUN sudo make install esTO esINSTALL esTHE esDRIVER."
    span = etree.fromstring(after[-1]).find(f"{TEXT}span")
    assert etree.tostring(span, with_tail=False) == etree.tostring(
        etree.fromstring(before[-1]).find(f"{TEXT}span"), with_tail=False
    )


def test_odp_monospace_paragraphs_are_kept(tmp_path: Path) -> None:
    src = build_code_odp(tmp_path)
    segments, out = _translate("odp", src)
    assert [strip_tags(s) for s in segments] == ["Type these commands in a terminal."]
    shown, before, after = _shown(out), _paragraphs(src), _paragraphs(out)
    assert [s for s, old, new in zip(shown, before, after, strict=True) if old == new] == list(CODE_LINES)
    assert shown[0] == "esTYPE esTHESE esCOMMANDS esIN esA esTERMINAL."
