from __future__ import annotations

import copy
import re
import time
from pathlib import Path

import pytest
from lxml import etree

from polydoc.errors import HostileDocument, MalformedDocument
from polydoc.formats import detect, handler_for
from polydoc.segments import TAG
from tests.builders import hostile
from tests.builders.localisation import build_xliff2, build_xliff12
from tests.fakes import mark_words

N12 = {"x": "urn:oasis:names:tc:xliff:document:1.2"}
N20 = {"x": "urn:oasis:names:tc:xliff:document:2.0"}
_PLACEHOLDER = re.compile(r"\{\w+\}|%\d\$s")
_CODES = {"x", "ph", "bx", "ex", "it", "sc", "ec"}


def translate(src: Path, dst: Path, fn=mark_words):
    handler = handler_for("xliff")
    segments = list(handler.extract(src))
    report = handler.rebuild(src, dst, {s.id: fn(s.text) for s in segments}, target_language="es")
    return segments, report


def local(el: etree._Element) -> str:
    return etree.QName(el).localname


def translatable_text(el: etree._Element) -> str:
    """Text of an element without the content of codes and protected spans."""
    out = [el.text or ""]
    for child in el:
        if (
            local(child) not in _CODES
            and child.get("mtype") != "protected"
            and child.get("translate") != "no"
        ):
            out.append(translatable_text(child))
        out.append(child.tail or "")
    return " ".join(out)


def english_words(text: str) -> list[str]:
    return [
        w for w in re.findall(r"[A-Za-z]+", _PLACEHOLDER.sub(" ", text)) if not re.fullmatch(r"es[A-Z]+", w)
    ]


def inline(el: etree._Element) -> list[tuple[str, dict[str, str], str | None]]:
    """Inline elements in order; codes with their content, paired ones without their text."""
    out = []
    for child in el.iter():
        if child is el:
            continue
        name = local(child)
        keep = name in _CODES or child.get("mtype") == "protected" or child.get("translate") == "no"
        out.append((name, dict(child.attrib), child.text if keep else None))
    return out


def test_builders_are_detected(tmp_path: Path) -> None:
    assert detect(build_xliff12(tmp_path), "blob") == "xliff"
    assert detect(build_xliff2(tmp_path), "app.xliff") == "xliff"


def test_xliff12_segments(tmp_path: Path) -> None:
    segments = {s.id: s for s in handler_for("xliff").extract(build_xliff12(tmp_path))}
    assert list(segments) == ["1/title", "1/save", "1/tour#1", "1/tour#2"]  # no translate="no", no "42"
    assert segments["1/title"].text == "Welcome to the <g1>harbour</g1> museum<x2/>Open daily"
    assert segments["1/title"].context == "page.title"
    assert segments["1/save"].text == "Click <x1/>Save<x2/> to keep <x3/> changes & <x4/>exit<x5/> <x6/>"
    assert segments["1/tour#2"].text == "Tickets cost <x1/> each."


def test_xliff12_targets_filled_and_the_rest_untouched(tmp_path: Path) -> None:
    src = build_xliff12(tmp_path)
    out = tmp_path / "es.xlf"
    _, report = translate(src, out)
    assert report.warnings == []
    before, after = etree.parse(str(src)).getroot(), etree.parse(str(out)).getroot()
    assert after.find("x:file", N12).get("target-language") == "es"
    assert etree.tostring(after.find(".//x:header", N12)) == etree.tostring(before.find(".//x:header", N12))
    for unit_id in ("title", "save"):
        unit = after.find(f".//x:trans-unit[@id='{unit_id}']", N12)
        source, target = unit.find("x:source", N12), unit.find("x:target", N12)
        assert target.get("state") == "translated"
        assert unit.index(target) == unit.index(source) + 1
        assert inline(target) == inline(source)  # every code back, same attributes and content
        assert english_words(translatable_text(target)) == []
        assert _PLACEHOLDER.findall(target.xpath("string()")) == _PLACEHOLDER.findall(
            source.xpath("string()")
        )
    title = after.find(".//x:trans-unit[@id='title']/x:target", N12)
    assert title.find("x:g", N12).text == "esHARBOUR"  # the bold span sits on the translated word
    save = after.find(".//x:trans-unit[@id='save']/x:target", N12)
    assert "Old target" not in save.xpath("string()")  # existing targets are overwritten
    assert save.find("x:mrk", N12).text == "HM-2000"
    for unit_id in ("brand", "licence", "empty"):  # translate="no" and nothing-to-translate units
        unit = after.find(f".//x:trans-unit[@id='{unit_id}']", N12)
        assert etree.tostring(unit) == etree.tostring(before.find(f".//x:trans-unit[@id='{unit_id}']", N12))
    tour = after.find(".//x:trans-unit[@id='tour']", N12)
    marks = tour.findall("x:target/x:mrk", N12)
    assert [m.get("mid") for m in marks] == ["1", "2"]
    assert marks[0].text == "esTOURS esSTART esAT esNOON."
    assert marks[1].text == "esTICKETS esCOST %1$s esEACH."
    assert [local(c) for c in tour] == ["source", "seg-source", "target"]


def test_new_target_is_indented_like_its_source(tmp_path: Path) -> None:
    out = tmp_path / "es.xlf"
    translate(build_xliff12(tmp_path), out)
    text = out.read_text()
    assert re.search(
        r"\n {8}<source>Welcome[^\n]*</source>\n {8}<target state=\"translated\">esWELCOME", text
    )
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<xliff') and text.endswith("</xliff>\n")


def test_xliff2_targets_state_and_trglang(tmp_path: Path) -> None:
    src = build_xliff2(tmp_path)
    out = tmp_path / "es.xlf"
    segments, report = translate(src, out)
    assert report.warnings == []
    assert [s.id for s in segments] == ["1/welcome#s1", "1/welcome#s2", "1/plain#s1"]
    assert segments[0].context == "home.welcome"
    before, after = etree.parse(str(src)).getroot(), etree.parse(str(out)).getroot()
    assert after.get("trgLang") == "es" and after.get("srcLang") == "en"
    for path in (".//x:originalData", ".//x:ignorable", ".//x:group"):
        assert etree.tostring(after.find(path, N20)) == etree.tostring(before.find(path, N20))
    for segment in after.findall(".//x:unit/x:segment", N20):
        if segment.getparent().getparent().tag.endswith("group"):
            continue
        source, target = segment.find("x:source", N20), segment.find("x:target", N20)
        assert segment.get("state") == "translated"
        assert segment.index(target) == segment.index(source) + 1
        assert inline(target) == inline(source)
        assert english_words(translatable_text(target)) == []
        assert _PLACEHOLDER.findall(target.xpath("string()")) == _PLACEHOLDER.findall(
            source.xpath("string()")
        )
    first = after.find(".//x:unit[@id='welcome']/x:segment/x:target", N20)
    assert first.find("x:pc", N20).text == "esBRAVE"
    second = after.findall(".//x:unit[@id='welcome']/x:segment", N20)[1].find("x:target", N20)
    assert "Stale" not in second.xpath("string()") and second.find("x:mrk", N20).text == "HMS Victory"


@pytest.mark.parametrize("build", [build_xliff12, build_xliff2])
def test_identity_targets_equal_sources(tmp_path: Path, build) -> None:
    src = build(tmp_path)
    out = tmp_path / "same.xlf"
    translate(src, out, fn=lambda t: t)
    root = etree.parse(str(out)).getroot()
    pairs = 0
    for holder in root.iter("{*}trans-unit", "{*}segment"):
        source, target = holder.find("{*}source"), holder.find("{*}target")
        if target is not None and holder.find("{*}seg-source") is None:
            inner = [copy.deepcopy(el) for el in (source, target)]
            for el in inner:
                el.tag, el.tail = "content", None
                el.attrib.clear()
            assert etree.tostring(inner[0]) == etree.tostring(inner[1])
            pairs += 1
    assert pairs >= 2


def test_lost_tags_keep_text_and_codes_with_a_warning(tmp_path: Path) -> None:
    src = build_xliff12(tmp_path)
    out = tmp_path / "es.xlf"
    _, report = translate(src, out, fn=lambda t: mark_words(" ".join(TAG.sub(" ", t).split())))
    assert {w.split(":")[0] for w in report.warnings} == {
        "1/title",
        "1/save",
        "1/tour#2",
    }
    root = etree.parse(str(out)).getroot()
    target = root.find(".//x:trans-unit[@id='save']/x:target", N12)
    assert english_words(translatable_text(target)) == []
    assert target.text.startswith("esCLICK esSAVE esTO esKEEP esCHANGES & esEXIT ")
    assert sorted(local(c) for c in target) == ["bx", "ex", "mrk", "ph", "ph"]  # codes appended, none lost
    assert "{count}" in target.xpath("string()")
    title = root.find(".//x:trans-unit[@id='title']/x:target", N12)
    assert [local(c) for c in title] == ["x"] and "esHARBOUR" in title.xpath("string()")


@pytest.mark.parametrize("kind", ["laughs", "file"], ids=["billion-laughs", "external-entity"])
def test_entity_tricks_are_refused_quickly(tmp_path: Path, kind: str) -> None:
    src = tmp_path / "evil.xlf"
    src.write_bytes(hostile.xliff_entities(kind, ""))
    started = time.monotonic()
    with pytest.raises(HostileDocument):
        list(handler_for("xliff").extract(src))
    assert time.monotonic() - started < 2


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (lambda text: text[: len(text) // 2], "not well-formed"),
        (lambda text: "<html><body><p>Hello</p></body></html>", "not XLIFF"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, data, message: str) -> None:
    src = tmp_path / "bad.xlf"
    src.write_text(data(build_xliff12(tmp_path).read_text()))
    with pytest.raises(MalformedDocument, match=message):
        list(handler_for("xliff").extract(src))


def test_page_count(tmp_path: Path) -> None:
    assert handler_for("xliff").count_pages(build_xliff12(tmp_path)) == 1
