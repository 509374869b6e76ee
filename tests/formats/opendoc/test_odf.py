"""ODT/ODS/ODP: build with odfpy, extract, rebuild with a fake translation, reopen with odfpy."""

from __future__ import annotations

import math
import re
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from odf import dc, draw, office, presentation, style, table, teletype, text
from odf.opendocument import OpenDocumentText, load

from polydoc.errors import EncryptedDocument, HostileDocument, MalformedDocument
from polydoc.formats import handler_for
from polydoc.segments import strip_tags, tags_of
from tests.builders import hostile
from tests.builders.odf import LINK_URL, build_odp, build_ods, build_odt
from tests.fakes import mark_words

REWRITTEN = {"content.xml", "styles.xml", "meta.xml"}
_TRANSLATED_WORD = re.compile(r"(?:es[A-Z]+)+")  # nested paragraphs run together


def _english_words(value: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]+", value) if not _TRANSLATED_WORD.fullmatch(w)]


def _translate(kind: str, src: Path, dst: Path, fn=mark_words, target: str = "es"):
    handler = handler_for(kind)
    segments = list(handler.extract(src))
    report = handler.rebuild(src, dst, {s.id: fn(s.text) for s in segments}, target_language=target)
    return segments, report


def _visible_paragraphs(path: Path) -> list[str]:
    """Text of every paragraph a reader sees: body, headers/footers; comment authors left out."""
    doc = load(str(path))
    for creator in doc.getElementsByType(dc.Creator):
        creator.parentNode.removeChild(creator)
    return [teletype.extractText(p) for kind in (text.P, text.H) for p in doc.getElementsByType(kind)]


def _assert_other_members_unchanged(src: Path, dst: Path) -> None:
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        assert a.namelist() == b.namelist()
        first = b.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        assert b.read("mimetype") == a.read("mimetype")
        for name in a.namelist():
            if name not in REWRITTEN:
                assert a.read(name) == b.read(name), name


@pytest.fixture
def odt(tmp_path: Path) -> Path:
    return build_odt(tmp_path)


def test_odt_extract_finds_every_part(odt: Path) -> None:
    segments = list(handler_for("odt").extract(odt))
    texts = {strip_tags(s.text) for s in segments}
    for expected in (
        "Quarterly Report",
        "Company Confidential",
        "Annual Summary",
        "The footnote explains the details.",
        "Green apples",
        "Second item",
        "Text inside a frame",
        "Please check this sentence.",
    ):
        assert expected in texts
    assert "2024-12-31" not in texts
    assert len({s.id for s in segments}) == len(segments)
    bold = next(s.text for s in segments if "quick brown" in s.text)
    assert re.search(r"<g(\d+)>quick brown</g\1>", bold)
    assert re.search(r"<g(\d+)>manual online</g\1>", bold)
    footnoted = next(s.text for s in segments if s.text.startswith("This sentence"))
    assert re.fullmatch(r"This sentence has a footnote<x\d+/> and continues here\.", footnoted)
    assert next(s.context for s in segments if s.text == "Annual Summary") == "heading"
    assert "Important notice" in {s.text for s in segments}  # a span around everything is no tag


def test_odt_rebuild_translates_all_visible_text(odt: Path, tmp_path: Path) -> None:
    out = tmp_path / "out.odt"
    _, report = _translate("odt", odt, out)
    assert report.warnings == []
    paragraphs = _visible_paragraphs(out)
    assert paragraphs and not [w for p in paragraphs for w in _english_words(p)]
    assert "2024-12-31" in paragraphs

    doc = load(str(out))
    spans = [s for s in doc.getElementsByType(text.Span) if s.getAttribute("stylename") == "Strong"]
    assert [teletype.extractText(s) for s in spans] == ["esQUICK esBROWN", "esIMPORTANT esNOTICE"]
    assert len(doc.getElementsByType(text.Bookmark)) == 1
    (link,) = doc.getElementsByType(text.A)
    assert link.getAttribute("href") == LINK_URL
    assert teletype.extractText(link) == "esMANUAL esONLINE"
    (note,) = doc.getElementsByType(text.Note)
    assert teletype.extractText(note.getElementsByType(text.NoteCitation)[0]) == "1"
    assert len(doc.getElementsByType(text.PageNumber)) == 1
    assert [len(doc.getElementsByType(t)) for t in (text.Tab, text.S, text.LineBreak)] == [1, 1, 1]
    assert len(doc.getElementsByType(draw.Frame)) == len(doc.getElementsByType(office.Annotation)) == 1
    rows = doc.getElementsByType(table.TableRow)
    assert [len(r.getElementsByType(table.TableCell)) for r in rows] == [2, 2]
    assert str(doc.meta.getElementsByType(dc.Title)[0]) == "esQUARTERLY esREPORT"
    assert str(doc.meta.getElementsByType(dc.Language)[0]) == "es"
    (default,) = doc.getElementsByType(style.DefaultStyle)
    props = default.getElementsByType(style.TextProperties)[0]
    assert props.getAttribute("language") == "es" and props.getAttribute("country") is None
    _assert_other_members_unchanged(odt, out)


def test_odt_identity_keeps_text_and_structure(odt: Path, tmp_path: Path) -> None:
    out = tmp_path / "same.odt"
    segments, report = _translate("odt", odt, out, fn=lambda t: t, target="en-US")
    assert report.warnings == []
    assert list(handler_for("odt").extract(out)) == segments
    assert _visible_paragraphs(out) == _visible_paragraphs(odt)
    with zipfile.ZipFile(odt) as a, zipfile.ZipFile(out) as b:
        for part in REWRITTEN - {"meta.xml"}:
            before, after = etree.fromstring(a.read(part)), etree.fromstring(b.read(part))
            assert Counter(e.tag for e in before.iter()) == Counter(e.tag for e in after.iter())


def test_odt_missing_translations_keep_source(odt: Path, tmp_path: Path) -> None:
    out = tmp_path / "untouched.odt"
    handler_for("odt").rebuild(odt, out, {}, target_language="es")
    assert _visible_paragraphs(out) == _visible_paragraphs(odt)
    assert str(load(str(out)).meta.getElementsByType(dc.Language)[0]) == "es"


def test_odt_broken_tags_keep_all_text_and_warn(odt: Path, tmp_path: Path) -> None:
    segments = list(handler_for("odt").extract(odt))
    bold = next(s for s in segments if "quick brown" in s.text)
    footnoted = next(s for s in segments if s.text.startswith("This sentence"))
    g1, g2 = sorted(tags_of(bold.text))[:2]  # the closing tags sort first: "</g1>", "</g2>"
    mangled = mark_words(bold.text).replace(g1, "").replace(g2, "")  # closings lost
    translations = {
        bold.id: mangled,
        footnoted.id: mark_words(strip_tags(footnoted.text)),  # the footnote tag dropped
    }
    out = tmp_path / "broken.odt"
    report = handler_for("odt").rebuild(odt, out, translations, target_language="es")
    assert len(report.warnings) == 2
    paragraphs = _visible_paragraphs(out)
    assert strip_tags(mark_words(bold.text)) in paragraphs
    doc = load(str(out))
    assert len(doc.getElementsByType(text.Note)) == 1  # the footnote is not lost with its tag
    assert "esTHE esFOOTNOTE esEXPLAINS esTHE esDETAILS." not in paragraphs  # not translated: no id given
    assert any(p.startswith("esTHIS esSENTENCE esHAS esA esFOOTNOTE esAND esCONTINUES") for p in paragraphs)


def test_ods_translates_string_cells_only(tmp_path: Path) -> None:
    src = build_ods(tmp_path)
    out = tmp_path / "out.ods"
    segments, report = _translate("ods", src, out)
    assert report.warnings == []
    assert not {"1.5", "3", "42", "Jan 15, 2024"} & {s.text for s in segments}
    before, after = load(str(src)), load(str(out))
    assert [t.getAttribute("name") for t in after.spreadsheet.getElementsByType(table.Table)] == [
        "Sales",
        "Notes",
    ]

    def cells(doc):
        return [
            (c.getAttribute("valuetype"), c.getAttribute("value"), c.getAttribute("datevalue"),
             c.getAttribute("formula"), teletype.extractText(c.getElementsByType(text.P)[0]))
            for c in doc.spreadsheet.getElementsByType(table.TableCell)
        ]  # fmt: skip

    for old, new in zip(cells(before), cells(after), strict=True):
        if old[0] == "string":
            assert not _english_words(new[4]) and new[4] != old[4]
        else:
            assert new == old
    reminder = next(c for c in after.getElementsByType(table.TableCell) if c.getAttribute("stringvalue"))
    assert reminder.getAttribute("stringvalue") == teletype.extractText(reminder)
    (comment,) = after.getElementsByType(office.Annotation)
    assert teletype.extractText(comment) == "esPRICES esINCLUDE esTAX."
    _assert_other_members_unchanged(src, out)


def test_odp_translates_slides_and_notes(tmp_path: Path) -> None:
    src = build_odp(tmp_path)
    out = tmp_path / "out.odp"
    _translate("odp", src, out)
    doc = load(str(out))
    slides = doc.presentation.getElementsByType(draw.Page)
    assert [s.getAttribute("name") for s in slides] == ["Intro", "End"]
    texts = [teletype.extractText(p) for p in doc.getElementsByType(text.P)]
    assert texts and not [w for t in texts for w in _english_words(t)]
    notes = [teletype.extractText(n) for n in doc.getElementsByType(presentation.Notes)]
    assert notes == ["esSPEAK esSLOWLY esAND esCLEARLY.", "esANSWER esTHE esQUESTIONS."]
    (bold,) = doc.getElementsByType(text.Span)
    assert teletype.extractText(bold) == "esTODAY"
    _assert_other_members_unchanged(src, out)


def test_page_counts(tmp_path: Path) -> None:
    odp = build_odp(tmp_path)
    assert handler_for("odp").paged
    assert handler_for("odp").count_pages(odp) == len(load(str(odp)).getElementsByType(draw.Page))

    doc = OpenDocumentText()
    sentences = [f"Sentence number {i} says that the weather is fine today. " * 4 for i in range(40)]
    for sentence in sentences:
        doc.text.addElement(text.P(text=sentence))
    long_odt = tmp_path / "long.odt"
    doc.save(str(long_odt))
    expected = math.ceil(sum(len(s.strip()) for s in sentences) / 1800)
    assert expected > 1
    assert handler_for("odt").count_pages(long_odt) == expected


def _odt_with(tmp_path: Path, content: bytes, manifest: bytes = b"<manifest/>") -> Path:
    path = tmp_path / "crafted.odt"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            zipfile.ZipInfo("mimetype"), b"application/vnd.oasis.opendocument.text", zipfile.ZIP_STORED
        )
        zf.writestr("META-INF/manifest.xml", manifest)
        zf.writestr("content.xml", content)
    return path


_CONTENT = (
    '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
    ' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0">'
    "<office:body><office:text><text:p>{ref}</text:p></office:text></office:body></office:document-content>"
)


@pytest.mark.parametrize(
    "content",
    [
        hostile.entity_part("laughs", _CONTENT),
        hostile.entity_part("file", _CONTENT),
        b"<office:document-content" + b" " * 8_000_000 + b"/>",
    ],
    ids=["billion-laughs", "external-entity", "inflated"],
)
def test_hostile_documents_are_refused(tmp_path: Path, content: bytes) -> None:
    src = _odt_with(tmp_path, content)
    with pytest.raises(HostileDocument):
        list(handler_for("odt").extract(src))
    with pytest.raises(HostileDocument):
        handler_for("odt").rebuild(src, tmp_path / "out.odt", {}, target_language="es")
    assert not (tmp_path / "out.odt").exists()  # no half-written output


def test_damaged_and_encrypted_documents(odt: Path, tmp_path: Path) -> None:
    truncated = tmp_path / "truncated.odt"
    truncated.write_bytes(odt.read_bytes()[: odt.stat().st_size // 2])
    with pytest.raises(MalformedDocument):
        list(handler_for("odt").extract(truncated))
    broken = _odt_with(tmp_path, b"<office:document-content><text:p>unclosed")
    with pytest.raises(MalformedDocument):
        list(handler_for("odt").extract(broken))
    manifest = b'<manifest:manifest xmlns:manifest="m"><manifest:encryption-data/></manifest:manifest>'
    encrypted = _odt_with(tmp_path, b"\x8b\x02binary", manifest)
    with pytest.raises(EncryptedDocument):
        list(handler_for("odt").extract(encrypted))
