"""Tracked changes survive a translation exactly: insertions and moves keep their translated text
inside them, deletions and moved-away text stay as they were, formatting changes stay on."""

from __future__ import annotations

import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from polydoc.formats.ooxml.docx import HANDLER
from polydoc.segments import strip_tags
from tests.builders.docx import build_tracked_docx, revision_marks
from tests.fakes import mark_words

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BODY = "word/document.xml"


def _body(path: Path) -> bytes:
    with zipfile.ZipFile(path) as zf:
        return zf.read(BODY)


def texts_in(root: etree._Element, tag: str, text: str = "t") -> list[str]:
    """The text of each `tag` element, in document order."""
    return ["".join(t.text or "" for t in el.iter(f"{W}{text}")) for el in root.iter(f"{W}{tag}")]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tracked_docx(tmp_path_factory.mktemp("tracked"))


@pytest.fixture(scope="module")
def output(source: Path) -> Path:
    dst = source.with_name("translated.docx")
    report = HANDLER.rebuild(
        source, dst, {s.id: mark_words(s.text) for s in HANDLER.extract(source)}, target_language="es"
    )
    assert report.warnings == []
    return dst


def test_deleted_and_moved_away_text_is_not_offered(source: Path) -> None:
    texts = [strip_tags(s.text) for s in HANDLER.extract(source)]
    assert "Bring  to the office." in texts
    assert not any("Monday" in t for t in texts)
    assert "A whole new sentence was added here." in texts


def test_every_revision_keeps_its_attributes(source: Path, output: Path) -> None:
    before, after = revision_marks(_body(source)), revision_marks(_body(output))
    assert [name for name, _ in before].count("ins") == 5
    assert after == before


def test_inserted_text_is_translated_inside_its_insertion(source: Path, output: Path) -> None:
    old, new = etree.fromstring(_body(source)), etree.fromstring(_body(output))
    assert texts_in(old, "ins") == [" ", " ", "Tuesday morning", "", "A whole new sentence was added here."]
    assert texts_in(new, "ins") == [
        " ",
        " ",
        "esTUESDAY esMORNING",
        "",
        "esA esWHOLE esNEW esSENTENCE esWAS esADDED esHERE.",
    ]
    assert texts_in(new, "moveTo") == ["esTHE esBLUE esFOLDER"]
    # the inserted spaces are still right after their hyperlinks
    for ins in list(new.iter(f"{W}ins"))[:2]:
        assert ins.getprevious().tag == f"{W}hyperlink"


def test_deleted_and_moved_away_text_is_untouched(source: Path, output: Path) -> None:
    old, new = etree.fromstring(_body(source)), etree.fromstring(_body(output))
    assert texts_in(new, "del", "delText") == texts_in(old, "del", "delText") == ["Monday"]
    assert texts_in(new, "moveFrom") == texts_in(old, "moveFrom") == ["the blue folder"]
    for tag in ("del", "moveFrom"):
        assert [etree.tostring(el) for el in new.iter(f"{W}{tag}")] == [
            etree.tostring(el) for el in old.iter(f"{W}{tag}")
        ]


def test_formatting_changes_stay_on_their_runs(source: Path, output: Path) -> None:
    new = etree.fromstring(_body(output))
    change = next(new.iter(f"{W}rPrChange"))
    run = change.getparent().getparent()
    assert run.findtext(f"{W}t") == "esIMPORTANT" and run.find(f"{W}rPr/{W}b") is not None
    # the language is set before and after the change alike, so the change it records is the same
    assert change.find(f"{W}rPr/{W}lang").get(f"{W}val") == "es"
    p_change = next(new.iter(f"{W}pPrChange"))
    assert p_change.getparent().find(f"{W}jc").get(f"{W}val") == "center"
    old = etree.fromstring(_body(source))
    assert etree.tostring(p_change) == etree.tostring(next(old.iter(f"{W}pPrChange")))


def shown(path: Path) -> list[str]:
    """What each paragraph reads with its changes accepted (python-docx leaves w:ins out)."""
    doc = docx.Document(str(path))  # it opens
    return ["".join(t.text or "" for t in p._p.iter(f"{W}t")) for p in doc.paragraphs]


def test_the_output_opens_and_reads_translated(output: Path) -> None:
    assert shown(output)[:3] == [
        "esREAD esTHE esUSER esMANUAL esBEFORE esYOU esSTART.",
        "esSEE esTHE esRELEASE esNOTES ",
        "esTHE esMEETING esIS esON esTUESDAY esMORNING.",
    ]


def test_lost_tags_around_a_revision_keep_the_source(source: Path, tmp_path: Path) -> None:
    segments = {s.id: strip_tags(mark_words(s.text)) for s in HANDLER.extract(source)}
    dst = tmp_path / "tagless.docx"
    report = HANDLER.rebuild(source, dst, segments, target_language="es")
    assert report.warnings and all("tracked changes" in w for w in report.warnings)
    assert revision_marks(_body(dst)) == revision_marks(_body(source))
    assert shown(dst)[0] == "Read the user manual before you start."
