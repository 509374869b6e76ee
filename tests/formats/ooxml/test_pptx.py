from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import pptx
import pytest
from lxml import etree
from pptx.enum.shapes import MSO_SHAPE_TYPE, PP_PLACEHOLDER
from pptx.shapes.base import BaseShape

from polydoc.errors import MalformedDocument
from polydoc.formats import handler_for
from polydoc.formats.base import RebuildReport
from polydoc.formats.ooxml.pptx import HANDLER
from polydoc.segments import strip_tags
from tests.builders.pptx import build_pptx, build_pptx_slides, build_smartart_pptx
from tests.fakes import mark_words
from tests.formats.roundtrip import fake_translations, members, rebuilt

P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
WORD = re.compile(r"[A-Za-z]+")
TRANSLATED = re.compile(r"es[A-Z]+")
TEXT_PART = re.compile(r"ppt/(slides/slide|notesSlides/notesSlide|charts/chart)\d+\.xml|docProps/core\.xml")


def translate(path: Path, fn: Callable[[str], str] = mark_words) -> dict[str, str]:
    return fake_translations(HANDLER, path, fn)


def rebuild(src: Path, translations: Mapping[str, str], name: str = "out.pptx") -> tuple[Path, RebuildReport]:
    return rebuilt(HANDLER, src, translations, name)


def shapes(collection: Iterator[BaseShape]) -> Iterator[BaseShape]:
    for shape in collection:
        yield shape
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            yield from shapes(shape.shapes)


def visible_texts(path: Path) -> list[str]:
    """What the audience and the presenter see, read back with python-pptx."""
    prs = pptx.Presentation(str(path))
    out: list[str] = []
    for slide in prs.slides:
        for shape in shapes(slide.shapes):
            if shape.has_text_frame:
                out.append(shape.text_frame.text)
            if getattr(shape, "has_table", False) and shape.has_table:
                out += [cell.text for row in shape.table.rows for cell in row.cells]
            if getattr(shape, "has_chart", False) and shape.has_chart:
                chart = shape.chart
                out.append(chart.chart_title.text_frame.text)
                out.append(chart.value_axis.axis_title.text_frame.text)
                out += [str(c) for c in chart.plots[0].categories] + [s.name for s in chart.plots[0].series]
        for shape in slide.notes_slide.placeholders:
            if shape.placeholder_format.type != PP_PLACEHOLDER.SLIDE_NUMBER and shape.has_text_frame:
                out.append(shape.text_frame.text)
    return out


def paragraph(root: etree._Element, needle: str) -> etree._Element:
    return next(p for p in root.iter(f"{A}p") if needle in "".join(t.text or "" for t in p.iter(f"{A}t")))


def runs(p: etree._Element, attr: str | None = None, child: str | None = None) -> list[str]:
    """Texts of the a:r runs whose a:rPr has the attribute set to 1 or the child element."""
    out = []
    for r in p.iter(f"{A}r"):
        props = r.find(f"{A}rPr")
        if props is None:
            continue
        if (attr and props.get(attr) == "1") or (child and props.find(f"{A}{child}") is not None):
            out.append(r.findtext(f"{A}t"))
    return out


def sequence(p: etree._Element) -> list[str]:
    return [
        c.findtext(f"{A}t") if c.tag == f"{A}r" else f"[{etree.QName(c).localname}]"
        for c in p
        if c.tag not in (f"{A}pPr", f"{A}endParaRPr")
    ]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_pptx(tmp_path_factory.mktemp("pptx"))


@pytest.fixture(scope="module")
def output(source: Path) -> Path:
    dst, report = rebuild(source, translate(source), "translated.pptx")
    assert report.warnings == []
    return dst


def test_registered_under_its_name() -> None:
    assert handler_for("pptx") is HANDLER and HANDLER.paged


def test_segments_follow_the_slides_and_skip_non_content(source: Path) -> None:
    segments = list(HANDLER.extract(source))
    ids = [s.id for s in segments]
    assert len(ids) == len(set(ids)) and ids == [s.id for s in HANDLER.extract(source)]
    texts = [strip_tags(s.text) for s in segments]
    assert texts[:3] == [
        "Quarterly business review",
        "Prepared by the sales team",
        "Welcome everyone to the meeting",
    ]
    assert texts.index("Sales chart") < texts.index("Sales by region") < texts.index("Million euros")
    assert {"Revenue", "North", "South", "Deeper inside the group", "Region"} <= set(texts)
    assert not any(re.search(r"slideLayout|slideMaster|notesMaster", i) for i in ids)
    assert "42" not in texts and "2024" not in texts and "Page" not in " ".join(texts)
    assert texts[-2:] == ["Quarterly business review", "Results of the third quarter"]


def test_every_visible_text_is_translated(output: Path) -> None:
    texts = visible_texts(output)
    words = [w for t in texts for w in WORD.findall(t)]
    assert len(words) > 50
    assert [w for w in words if not TRANSLATED.fullmatch(w)] == []
    assert "42" in texts and "2024" in texts
    prs = pptx.Presentation(str(output))
    assert prs.core_properties.title == "esQUARTERLY esBUSINESS esREVIEW"
    assert prs.slides[1].notes_slide.notes_text_frame.text == "esREMEMBER esTO esTHANK esTHE esTEAM"


def test_formatting_sits_on_the_translated_words(output: Path) -> None:
    parts = members(output)
    slide2 = etree.fromstring(parts["ppt/slides/slide2.xml"])
    assert runs(paragraph(slide2, "esREVENUE"), attr="b") == ["esEVERY"]
    assert runs(paragraph(slide2, "esCOSTS"), child="hlinkClick") == ["esFLAT"]
    assert sequence(paragraph(slide2, "esFIRST")) == ["esFIRST esLINE", "[br]", "esSECOND esLINE"]
    assert sequence(paragraph(slide2, "esDECK")) == ["esSLIDE ", "[fld]", " esOF esTHE esDECK"]
    prs = pptx.Presentation(str(output))
    link = next(
        r for p in prs.slides[1].placeholders[1].text_frame.paragraphs for r in p.runs if r.hyperlink.address
    )
    assert (link.text, link.hyperlink.address) == ("esFLAT", "https://example.com/costs")
    slide3 = etree.fromstring(parts["ppt/slides/slide3.xml"])
    assert runs(paragraph(slide3, "esDEEPER"), attr="i") == ["esDEEPER"]
    chart = etree.fromstring(parts["ppt/charts/chart1.xml"])
    axis = paragraph(chart, "esMILLION")
    assert [r.find(f"{A}rPr").get("sz") for r in axis.iter(f"{A}r")] == ["1200"]


def test_translated_runs_carry_the_target_language(source: Path, output: Path) -> None:
    slide2 = etree.fromstring(members(output)["ppt/slides/slide2.xml"])
    assert {r.find(f"{A}rPr").get("lang") for r in paragraph(slide2, "esREVENUE").iter(f"{A}r")} == {"es"}
    notes = etree.fromstring(members(output)["ppt/notesSlides/notesSlide2.xml"])
    number = paragraph(notes, "Page")  # the slide-number placeholder is left as it was
    assert [r.find(f"{A}rPr") for r in number.iter(f"{A}r")] == [None]
    assert number.find(f"{A}fld/{A}rPr").get("lang") == "en-US"
    old = etree.fromstring(members(source)["ppt/notesSlides/notesSlide2.xml"])
    assert etree.tostring(paragraph(old, "Page")) == etree.tostring(number)


def test_only_text_parts_are_rewritten(source: Path, output: Path) -> None:
    before, after = members(source), members(output)
    assert list(before) == list(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed and all(TEXT_PART.fullmatch(name) for name in changed)
    assert {"ppt/charts/chart1.xml", "ppt/notesSlides/notesSlide1.xml"} <= changed


def test_identity_translation_keeps_text_and_structure(source: Path) -> None:
    dst, report = rebuild(source, translate(source, lambda text: text), "identity.pptx")
    assert report.warnings == []
    assert visible_texts(dst) == visible_texts(source)
    for name, data in members(source).items():
        if TEXT_PART.fullmatch(name) and name.endswith(".xml") and "core" not in name:
            old, new = etree.fromstring(data), etree.fromstring(members(dst)[name])
            assert [sequence(p) for p in old.iter(f"{A}p")] == [sequence(p) for p in new.iter(f"{A}p")], name
            for attr, child in (("b", None), ("i", None), (None, "hlinkClick")):
                assert [runs(p, attr, child) for p in old.iter(f"{A}p")] == [
                    runs(p, attr, child) for p in new.iter(f"{A}p")
                ]


def test_moved_tags_move_the_formatting(source: Path) -> None:
    translations = translate(source)
    seg_id = next(i for i, t in translations.items() if "<g1>esEVERY</g1>" in t)
    translations[seg_id] = "esIN <g1>esEVERY</g1> esREGION esREVENUE esGREW"
    dst, report = rebuild(source, translations, "moved.pptx")
    assert report.warnings == []
    slide2 = etree.fromstring(members(dst)["ppt/slides/slide2.xml"])
    assert runs(paragraph(slide2, "esREVENUE"), attr="b") == ["esEVERY"]
    assert sequence(paragraph(slide2, "esREVENUE")) == ["esIN ", "esEVERY", " esREGION esREVENUE esGREW"]


@pytest.mark.parametrize(
    "broken",
    [strip_tags, lambda t: t.replace("</g1>", ""), lambda t: t.replace("<x1/>", "")],
    ids=["dropped", "unclosed", "lost-standalone"],
)
def test_broken_tags_keep_all_text_and_warn(source: Path, broken: Callable[[str], str]) -> None:
    translations = translate(source)
    ids = [i for i, t in translations.items() if "<g1>esEVERY</g1>" in t or "esDECK" in t]
    for seg_id in ids:
        translations[seg_id] = broken(translations[seg_id])
    dst, report = rebuild(source, translations, "broken.pptx")
    assert len(report.warnings) >= 1
    slide2 = etree.fromstring(members(dst)["ppt/slides/slide2.xml"])
    assert "".join(sequence(paragraph(slide2, "esREVENUE"))) == "esREVENUE esGREW esIN esEVERY esREGION"
    assert "[fld]" in sequence(paragraph(slide2, "esDECK"))  # the field survives a lost tag
    words = [w for t in visible_texts(dst) for w in WORD.findall(t)]
    assert [w for w in words if not TRANSLATED.fullmatch(w)] == []


def test_missing_translations_keep_the_source(source: Path) -> None:
    translations = translate(source)
    del translations[next(i for i, t in translations.items() if "<g1>esEVERY</g1>" in t)]
    dst, _ = rebuild(source, translations, "partial.pptx")
    slide2 = etree.fromstring(members(dst)["ppt/slides/slide2.xml"])
    assert runs(paragraph(slide2, "Revenue"), attr="b") == ["every"]
    assert "esMAIN esRESULTS" in visible_texts(dst)


def test_smartart_data_and_drawing_are_both_translated(tmp_path: Path) -> None:
    src = build_smartart_pptx(tmp_path)
    dst, report = rebuild(src, translate(src))
    assert report.warnings == []
    for name in ("ppt/diagrams/data1.xml", "ppt/diagrams/drawing1.xml"):
        root = etree.fromstring(members(dst)[name])
        texts = ["".join(t.text for t in p.iter(f"{A}t")) for p in root.iter(f"{A}p")]
        assert [t for t in texts if t] == [
            "esPLAN esTHE esWORK",
            "esBUILD esTHE esPRODUCT",
            "esSHIP esIT esTO esCUSTOMERS",
        ]
        assert [runs(p, attr="b") for p in root.iter(f"{A}p") if runs(p, attr="b")] == [["esPRODUCT"]]


def test_page_count_is_the_number_of_listed_slides(source: Path, tmp_path: Path) -> None:
    assert HANDLER.count_pages(source) == len(pptx.Presentation(str(source)).slides) == 4
    partly_hidden = build_pptx_slides(tmp_path, 7, hidden=2)
    assert HANDLER.count_pages(partly_hidden) == len(pptx.Presentation(str(partly_hidden)).slides) == 5
    titles = [s.text for s in HANDLER.extract(partly_hidden)]
    assert titles == [f"Slide number {n} about the ocean" for n in range(5)]


@pytest.mark.parametrize("cut", [0.5, 0.9])
def test_page_count_refuses_a_damaged_archive(source: Path, tmp_path: Path, cut: float) -> None:
    bad = tmp_path / "cut.pptx"
    bad.write_bytes(source.read_bytes()[: int(source.stat().st_size * cut)])
    with pytest.raises(MalformedDocument):
        HANDLER.count_pages(bad)
