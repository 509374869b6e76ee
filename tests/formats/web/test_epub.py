"""EPUB 2/3: build by hand, extract, rebuild with a fake translation, reopen the XML with lxml."""

from __future__ import annotations

import math
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from polydoc.errors import EncryptedDocument, HostileDocument, MalformedDocument
from polydoc.formats import handler_for
from polydoc.segments import strip_tags
from tests.builders import hostile
from tests.builders.epub import GUIDE_URL, IMAGE_SRC, build_epub2, build_epub3
from tests.fakes import mark_words

H = "{http://www.w3.org/1999/xhtml}"
DC = "{http://purl.org/dc/elements/1.1/}"
NCX = "{http://www.daisy.org/z3986/2005/ncx/}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
OPF_PATH = "OEBPS/content.opf"
CHAPTERS = ("OEBPS/chapter1.xhtml", "OEBPS/chapter2.xhtml")
UNTOUCHED = {f"{H}{name}" for name in ("pre", "code", "script", "style")}
_TRANSLATED_WORD = re.compile(r"es[A-Z]+")


def _english_words(value: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z]+", value) if not _TRANSLATED_WORD.fullmatch(w)]


def _translate(src: Path, dst: Path, fn=mark_words, target: str = "es"):
    handler = handler_for("epub")
    segments = list(handler.extract(src))
    report = handler.rebuild(src, dst, {s.id: fn(s.text) for s in segments}, target_language=target)
    return segments, report


def _xml(path: Path, member: str) -> etree._Element:
    with zipfile.ZipFile(path) as zf:  # the EPUB 2 builder uses &nbsp;, declared only in the DTD
        return etree.fromstring(zf.read(member).replace(b"&nbsp;", b"&#160;"))


def _reader_text(root: etree._Element) -> list[str]:
    """Text nodes a reader sees in <body> and the title, leaving out code, scripts and styles."""
    out = []
    for el in root.iter(etree.Element):
        if any(a.tag in UNTOUCHED for a in (el, *el.iterancestors())):
            continue
        inside_body = any(a.tag == f"{H}body" for a in el.iterancestors())
        if inside_body or el.tag == f"{H}title":
            out.extend(t for t in (el.text, el.tail if inside_body else None) if t and t.strip())
    return out


def _assert_other_members_unchanged(src: Path, dst: Path, rewritten: set[str]) -> None:
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst) as b:
        assert a.namelist() == b.namelist()
        first = b.infolist()[0]
        assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
        for name in a.namelist():
            if name not in rewritten:
                assert a.read(name) == b.read(name), name


def test_extract_covers_metadata_navigation_chapters_and_attributes(tmp_path: Path) -> None:
    segments = list(handler_for("epub").extract(build_epub3(tmp_path)))
    texts = [strip_tags(s.text) for s in segments]
    for expected in (
        "The Little Garden Book",
        "A short book about quiet gardens.",
        "Contents",
        "A red flower",
        "Very important person",
        "Some direct text in a division",
        "Garden plants",
    ):
        assert expected in texts
    joined = "\n".join(texts)
    for hidden in ("Hello garden", "water_plants", "greeting", "margin", "Jane Gardener", "2024"):
        assert hidden not in joined
    assert texts.index("The Little Garden Book") < texts.index("Plants need light and water.")
    bold = next(s.text for s in segments if "very quiet" in s.text)
    assert re.fullmatch(r"The garden was <g(\d+)>very quiet</g\1> in the morning\.", bold)
    image = next(s.text for s in segments if s.text.startswith("Here is a flower"))
    assert re.fullmatch(r"Here is a flower <x\d+/> in bloom\.", image)
    assert len({s.id for s in segments}) == len(segments)


def test_epub3_rebuild_translates_text_and_keeps_markup(tmp_path: Path) -> None:
    src = build_epub3(tmp_path)
    out = tmp_path / "out.epub"
    _, report = _translate(src, out)
    assert report.warnings == []
    documents = (*CHAPTERS, "OEBPS/nav.xhtml")
    for member in documents:
        before, after = _xml(src, member), _xml(out, member)
        seen = _reader_text(after)
        assert seen and not [w for t in seen for w in _english_words(t)], member
        assert after.get(XML_LANG) == after.get("lang") == "es"
        untouched = [etree.tostring(e, with_tail=False) for e in before.iter(*UNTOUCHED)]
        assert [etree.tostring(e, with_tail=False) for e in after.iter(*UNTOUCHED)] == untouched
    chapter = _xml(out, CHAPTERS[0])
    assert [b.text for b in chapter.iter(f"{H}b")] == ["esVERY esQUIET"]
    (link,) = chapter.iter(f"{H}a")
    assert link.get("href") == GUIDE_URL and link.text == "esTHE esGARDEN esGUIDE"
    (image,) = chapter.iter(f"{H}img")
    assert image.get("src") == IMAGE_SRC and image.get("alt") == "esA esRED esFLOWER"
    chapter2 = _xml(out, CHAPTERS[1])
    (abbr,) = chapter2.iter(f"{H}abbr")
    assert abbr.get("title") == "esVERY esIMPORTANT esPERSON" and abbr.text == "esGUEST"
    assert len(list(chapter2.iter(f"{H}br"))) == 1
    nav_links = [a.text for a in _xml(out, "OEBPS/nav.xhtml").iter(f"{H}a")]
    assert nav_links == ["esFIRST esCHAPTER", "esSECOND esCHAPTER"]

    package = _xml(out, OPF_PATH)
    assert [e.text for e in package.iter(f"{DC}title")] == ["esTHE esLITTLE esGARDEN esBOOK"]
    assert [e.text for e in package.iter(f"{DC}language")] == ["es"]
    assert [e.text for e in package.iter(f"{DC}creator")] == ["Jane Gardener"]
    _assert_other_members_unchanged(src, out, {OPF_PATH, *documents})


def test_epub2_translates_ncx_and_keeps_xhtml11(tmp_path: Path) -> None:
    src = build_epub2(tmp_path)
    out = tmp_path / "out2.epub"
    _translate(src, out)
    ncx = _xml(out, "OEBPS/toc.ncx")
    labels = [t.text for t in ncx.iter(f"{NCX}text")]
    assert labels == ["esTHE esLITTLE esGARDEN esBOOK", "esFIRST esCHAPTER", "esSECOND esCHAPTER"]
    assert ncx.get(XML_LANG) == "es"
    chapter2 = _xml(out, CHAPTERS[1])
    assert chapter2.get(XML_LANG) == "es" and chapter2.get("lang") is None  # XHTML 1.1 has no lang
    paragraph = next(p for p in chapter2.iter(f"{H}p") if p.text and "\xa0" in p.text)
    assert paragraph.text == "esFIRST\xa0esLINE"
    with zipfile.ZipFile(out) as zf:
        assert b"-//W3C//DTD XHTML 1.1//EN" in zf.read(CHAPTERS[1])
    _assert_other_members_unchanged(src, out, {OPF_PATH, "OEBPS/toc.ncx", *CHAPTERS})


@pytest.mark.parametrize("build", [build_epub3, build_epub2])
def test_identity_keeps_text_and_structure(tmp_path: Path, build) -> None:
    src = build(tmp_path)
    out = tmp_path / "same.epub"
    segments, report = _translate(src, out, fn=lambda t: t, target="en")
    assert report.warnings == []
    assert list(handler_for("epub").extract(out)) == segments
    for member in CHAPTERS:
        before, after = _xml(src, member), _xml(out, member)
        assert [e.tag for e in before.iter()] == [e.tag for e in after.iter()]
        assert [dict(e.attrib) for e in before.iter()] == [dict(e.attrib) for e in after.iter()]
        normalise = " ".join
        assert normalise("".join(before.itertext()).split()) == normalise("".join(after.itertext()).split())


def test_broken_tags_keep_all_text_and_warn(tmp_path: Path) -> None:
    src = build_epub3(tmp_path)
    segments = list(handler_for("epub").extract(src))
    bold = next(s for s in segments if "very quiet" in s.text)
    image = next(s for s in segments if s.text.startswith("Here is a flower"))
    translations = {
        bold.id: re.sub(r"</?g\d+>", "", mark_words(bold.text)) + "<g7>",  # tags dropped, one invented
        image.id: "esHERE esIS esA esFLOWER esIN esBLOOM.",  # the image tag dropped
    }
    out = tmp_path / "broken.epub"
    report = handler_for("epub").rebuild(src, out, translations, target_language="es")
    assert len(report.warnings) == 2
    chapter = _xml(out, CHAPTERS[0])
    texts = ["".join(p.itertext()) for p in chapter.iter(f"{H}p")]
    assert "esTHE esGARDEN esWAS esVERY esQUIET esIN esTHE esMORNING." in texts
    assert len(list(chapter.iter(f"{H}img"))) == 1  # not lost with its tag


def test_chapter_without_xhtml_namespace_is_translated(tmp_path: Path) -> None:
    chapter = b"<html><head><title>Plain</title></head><body><p>A <i>simple</i> page.</p></body></html>"
    src = _replace_member(build_epub3(tmp_path), tmp_path / "plain.epub", CHAPTERS[0], chapter)
    out = tmp_path / "out.epub"
    _translate(src, out)
    root = _xml(out, CHAPTERS[0])
    assert etree.tostring(root.find("body")) == b"<body><p>esA <i>esSIMPLE</i> esPAGE.</p></body>"
    assert root.findtext("head/title") == "esPLAIN"


def test_page_count_is_standard_pages(tmp_path: Path) -> None:
    src = build_epub3(tmp_path)
    paragraphs = [f"Paragraph {i} tells a long story about a quiet garden in spring. " * 3 for i in range(30)]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    long_chapter = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="http://www.w3.org/1999/xhtml">'
        f"<head><title>Long</title></head><body>{body}</body></html>"
    ).encode()
    long_book = _replace_member(src, tmp_path / "long.epub", CHAPTERS[1], long_chapter)
    short_total = sum(len(strip_tags(s.text)) for s in handler_for("epub").extract(src))
    before = sum(len(strip_tags(s.text)) for s in handler_for("epub").extract(src) if CHAPTERS[1] in s.id)
    expected = math.ceil(
        (short_total - before + len("Long") + sum(len(p.strip()) for p in paragraphs)) / 1800
    )
    assert expected > 1
    assert handler_for("epub").count_pages(long_book) == expected


def _replace_member(src: Path, dst: Path, member: str, data: bytes) -> Path:
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as b:
        for info in a.infolist():
            b.writestr(info, data if info.filename == member else a.read(info), info.compress_type)
    return dst


@pytest.mark.parametrize("kind", ["laughs", "file"], ids=["billion-laughs", "external-entity"])
def test_entity_tricks_are_refused(tmp_path: Path, kind: str) -> None:
    chapter = hostile.entity_part(kind, '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>{ref}</p></body></html>')
    src = _replace_member(build_epub3(tmp_path), tmp_path / "evil.epub", CHAPTERS[0], chapter)
    with pytest.raises(HostileDocument):
        list(handler_for("epub").extract(src))
    with pytest.raises(HostileDocument):
        handler_for("epub").rebuild(src, tmp_path / "out.epub", {}, target_language="es")
    assert not (tmp_path / "out.epub").exists()  # no half-written output


def test_zip_bomb_member_is_refused(tmp_path: Path) -> None:
    bomb = b"<html>" + b" " * 8_000_000 + b"</html>"
    src = _replace_member(build_epub3(tmp_path), tmp_path / "bomb.epub", CHAPTERS[0], bomb)
    with pytest.raises(HostileDocument):
        list(handler_for("epub").extract(src))


def test_damaged_and_protected_books(tmp_path: Path) -> None:
    src = build_epub3(tmp_path)
    truncated = tmp_path / "truncated.epub"
    truncated.write_bytes(src.read_bytes()[: src.stat().st_size // 2])
    with pytest.raises(MalformedDocument):
        list(handler_for("epub").extract(truncated))
    no_container = _replace_member(src, tmp_path / "nocontainer.epub", "META-INF/container.xml", b"<x/>")
    with pytest.raises(MalformedDocument):
        list(handler_for("epub").extract(no_container))
    encryption = (
        b'<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" '
        b'xmlns:enc="http://www.w3.org/2001/04/xmlenc#"><enc:EncryptedData><enc:CipherData>'
        b'<enc:CipherReference URI="OEBPS/chapter1.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>'
    )
    protected = tmp_path / "drm.epub"
    with zipfile.ZipFile(src) as a, zipfile.ZipFile(protected, "w") as b:
        for info in a.infolist():
            b.writestr(info, a.read(info), info.compress_type)
        b.writestr("META-INF/encryption.xml", encryption)
    with pytest.raises(EncryptedDocument):
        list(handler_for("epub").extract(protected))
