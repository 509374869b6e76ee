from __future__ import annotations

import math
import re
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import docx
import pytest
from lxml import etree

from polydoc.errors import UnsupportedFormat
from polydoc.formats import handler_for
from polydoc.formats.base import RebuildReport
from polydoc.formats.ooxml.docx import HANDLER
from polydoc.segments import strip_tags
from tests.builders.docx import build_controls_docx, build_docx, build_long_docx, build_smartart_docx
from tests.fakes import mark_words
from tests.formats.roundtrip import fake_translations, members, rebuilt

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W = f"{{{W_NS}}}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
WORD = re.compile(r"[A-Za-z]+")
URL = re.compile(r"https?://\S+")
TRANSLATED = re.compile(r"es[A-Z]+")
# the parts that carry text; every other member must come out byte for byte
TEXT_PART = re.compile(
    r"word/(document|header\d*|footer\d*|footnotes|endnotes|comments|styles|diagrams/(data|drawing)\d*)\.xml"
    r"|docProps/core\.xml"
)


def translate(path: Path, fn: Callable[[str], str] = mark_words) -> dict[str, str]:
    return fake_translations(HANDLER, path, fn)


def rebuild(src: Path, translations: Mapping[str, str], name: str = "out.docx") -> tuple[Path, RebuildReport]:
    return rebuilt(HANDLER, src, translations, name)


def part(path: Path, name: str) -> etree._Element:
    return etree.fromstring(members(path)[name])


def visible_words(path: Path) -> list[str]:
    """Every word a reader sees: w:t and a:t of all text parts (not deleted text, not field codes)."""
    words = []
    for name, data in members(path).items():
        if TEXT_PART.fullmatch(name) and "styles" not in name:
            root = etree.fromstring(data)
            for t in root.iter(f"{W}t", f"{A}t"):
                words += WORD.findall(URL.sub("", t.text or ""))  # a URL is kept as it is
    core = part(path, "docProps/core.xml")
    for name in ("title", "subject"):
        words += WORD.findall(core.findtext(f"{{http://purl.org/dc/elements/1.1/}}{name}") or "")
    return words


def paragraph_of(root: etree._Element, needle: str) -> etree._Element:
    """The innermost paragraph whose own text contains `needle`."""
    found = [p for p in root.iter(f"{W}p") if needle in own_text(p)]
    assert found, needle
    return found[-1]


def own_text(p: etree._Element) -> str:
    return "".join(t.text or "" for t in p.iter(f"{W}t") if next(t.iterancestors(f"{W}p")) is p)


def sequence(p: etree._Element) -> list[str]:
    """The paragraph's own content in order: text, and the inline things as [name]."""
    kinds = {
        "tab": "[tab]",
        "br": "[br]",
        "drawing": "[img]",
        "footnoteReference": "[fn]",
        "fldChar": "[fld]",
    }
    out: list[str] = []
    for el in p.iter(f"{W}t", *(f"{W}{k}" for k in kinds), f"{W}bookmarkStart", f"{W}bookmarkEnd"):
        if next(el.iterancestors(f"{W}p")) is not p:
            continue
        name = etree.QName(el).localname
        item = el.text or "" if name == "t" else kinds.get(name, f"[{name}]")
        if out and name == "t" and not out[-1].startswith("["):
            out[-1] += item
        else:
            out.append(item)
    return out


def formatted(p: etree._Element, prop: str) -> list[str]:
    """Texts of the paragraph's runs that have the run property `prop` (b, i, u, color)."""
    return [
        "".join(t.text or "" for t in r.iter(f"{W}t"))
        for r in p.iter(f"{W}r")
        if r.find(f"{W}rPr/{W}{prop}") is not None and next(r.iterancestors(f"{W}p")) is p
    ]


@pytest.fixture(scope="module")
def source(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_docx(tmp_path_factory.mktemp("docx"))


@pytest.fixture(scope="module")
def output(source: Path) -> Path:
    dst, report = rebuild(source, translate(source), "translated.docx")
    assert report.warnings == []
    return dst


def test_registered_under_its_name() -> None:
    assert handler_for("docx") is HANDLER


def test_segments_cover_every_part_and_only_text(source: Path) -> None:
    segments = list(HANDLER.extract(source))
    ids = [s.id for s in segments]
    assert len(ids) == len(set(ids))
    assert ids == [s.id for s in HANDLER.extract(source)]  # stable between extract and rebuild
    parts = {i.split("#")[0] for i in ids}
    assert {"word/document.xml", "word/footnotes.xml", "word/endnotes.xml", "word/comments.xml"} <= parts
    assert any("header" in p for p in parts) and any("footer" in p for p in parts)
    texts = [strip_tags(s.text) for s in segments]
    assert texts[0] == "Annual sales report"  # reading order starts with the body
    assert "Annual sales report" in texts and "Regional sales figures" in texts  # heading + title, subject
    joined = "\n".join(texts)
    for hidden in ("NUMPAGES", "PAGE", "HYPERLINK", "Monday", "example.com", "2024"):
        assert hidden not in joined  # field codes, deleted text, URL- and number-only paragraphs
    assert "price list" in joined  # the visible result of a HYPERLINK field is text
    assert joined.count("Important notice inside the box") == 1  # the VML copy is not a second segment
    quick = next(s.text for s in segments if "quick" in s.text)
    assert quick == "The quick brwn fox jumps"  # rsids, proofErr, lang noise make no tags
    assert all(s.text == s.text.strip() for s in segments)


def test_every_visible_word_is_translated(output: Path) -> None:
    words = visible_words(output)
    assert len(words) > 80
    assert [w for w in words if not TRANSLATED.fullmatch(w)] == []
    doc = docx.Document(str(output))
    assert doc.core_properties.title == "esANNUAL esSALES esREPORT"
    assert doc.sections[0].header.paragraphs[0].text == "esCOMPANY esCONFIDENTIAL esHEADER"
    assert doc.tables[0].cell(1, 0).text == "esGREEN esAPPLE"
    assert doc.tables[0].cell(1, 1).tables[0].cell(0, 0).text == "esNESTED esCELL esTEXT"
    assert [c.text for c in doc.comments] == ["esPLEASE esCHECK esTHE esCOLOUR"]


def test_formatting_sits_on_the_translated_words(output: Path) -> None:
    doc = docx.Document(str(output))
    red = next(p for p in doc.paragraphs if "esRED" in p.text)
    assert [r.text for r in red.runs if r.bold] == ["esRED"]
    bikes = next(p for p in doc.paragraphs if "esBICYCLES" in p.text)
    assert [r.text for r in bikes.runs if r.italic] == ["esBLUE"]
    green = [r for r in bikes.runs if r.underline]
    assert [r.text for r in green] == ["esGREEN"] and str(green[0].font.color.rgb) == "008000"
    visit = next(p for p in doc.paragraphs if "esVISIT" in p.text)
    assert [(h.text, h.address) for h in visit.hyperlinks] == [
        ("esOUR esONLINE esSHOP", "https://example.com/shop")
    ]
    assert visit.text == "esVISIT esOUR esONLINE esSHOP esTODAY."
    body = part(output, "word/document.xml")
    boxes = [p for p in body.iter(f"{W}p") if "esNOTICE" in own_text(p)]
    assert len(boxes) == 2  # the DrawingML text box and its VML fallback
    for box in boxes:
        assert (
            formatted(box, "b") == ["esNOTICE"]
            and own_text(box) == "esIMPORTANT esNOTICE esINSIDE esTHE esBOX"
        )
    assert any(b.xpath("ancestor::mc:Choice", namespaces={"mc": MC[1:-1]}) for b in boxes)
    assert any(b.xpath("ancestor::mc:Fallback", namespaces={"mc": MC[1:-1]}) for b in boxes)


def test_inline_objects_stay_between_the_right_words(output: Path) -> None:
    body = part(output, "word/document.xml")
    assert sequence(paragraph_of(body, "esVALUE")) == [
        "esNAME",
        "[tab]",
        "esVALUE",
        "[br]",
        "esSECOND esLINE esHERE",
    ]
    assert sequence(paragraph_of(body, "esPICTURE")) == [
        "esLOOK esAT esTHIS ",
        "[img]",
        " esPICTURE esPLEASE.",
    ]
    assert sequence(paragraph_of(body, "esAPPLES")) == ["esAPPLES esGROW esON esTREES", "[fn]", "."]
    assert sequence(paragraph_of(body, "esBEGINS")) == [
        "esCHAPTER esONE ",
        "[bookmarkStart]",
        "esBEGINS",
        "[bookmarkEnd]",
        " esHERE.",
    ]
    heading = sequence(paragraph_of(body, "esANNUAL"))
    assert heading == ["[bookmarkStart]", "esANNUAL esSALES esREPORT", "[bookmarkEnd]"]
    pages = paragraph_of(body, "esPAGES")
    assert sequence(pages) == [
        "esTHIS esREPORT esHAS ",
        "[fld]",
        "[fld]",
        "3",
        "[fld]",
        " esPAGES esIN esTOTAL.",
    ]
    assert [i.text for i in pages.iter(f"{W}instrText")] == [" NUMPAGES "]
    link = paragraph_of(body, "esPRICE esLIST")
    assert [i.text for i in link.iter(f"{W}instrText")] == [' HYPERLINK "https://example.com/prices" ']
    assert sequence(link) == [
        "esSEE esTHE ",
        "[fld]",
        "[fld]",
        "esPRICE esLIST",
        "[fld]",
        " esFOR esDETAILS.",
    ]
    footer = next(
        etree.fromstring(d) for n, d in members(output).items() if re.fullmatch(r"word/footer\d*\.xml", n)
    )
    assert sequence(paragraph_of(footer, "esPAGE")) == [
        "esPAGE ",
        "[fld]",
        "[fld]",
        "1",
        "[fld]",
        " esOF esTHE esANNUAL esREPORT",
    ]
    assert [i.text for i in footer.iter(f"{W}instrText")] == [" PAGE "]
    notes = part(output, "word/footnotes.xml")
    note = paragraph_of(notes, "esSOURCE")
    assert own_text(note) == " esSOURCE: esTHE esANNUAL esCUSTOMER esSURVEY."
    assert note.find(f"{W}r/{W}footnoteRef") is not None
    assert len(list(notes.iter(f"{W}separator"))) == 1


def test_tracked_changes_and_comments_keep_their_marks(output: Path) -> None:
    body = part(output, "word/document.xml")
    meeting = paragraph_of(body, "esMEETING")
    assert [t.text for t in meeting.iter(f"{W}delText")] == ["Monday"]
    assert ["".join(t.text for t in ins.iter(f"{W}t")) for ins in meeting.iter(f"{W}ins")] == ["esTUESDAY"]
    assert own_text(meeting) == "esTHE esMEETING esIS esON esTUESDAY esMORNING."
    red = paragraph_of(body, "esRED")
    names = [etree.QName(el).localname for el in red if el.tag != f"{W}pPr"]
    texts = ["".join(t.text for t in el.iter(f"{W}t")) for el in red if el.tag != f"{W}pPr"]
    start, end = names.index("commentRangeStart"), names.index("commentRangeEnd")
    assert "".join(texts[start:end]) == "esRED"
    assert red.find(f"{W}r/{W}commentReference") is not None


def test_translated_runs_and_defaults_carry_the_target_language(source: Path, output: Path) -> None:
    body = part(output, "word/document.xml")
    for r in paragraph_of(body, "esBICYCLES").iter(f"{W}r"):
        assert r.find(f"{W}rPr/{W}lang").get(f"{W}val") == "es"
    default = part(output, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    before = part(source, "word/styles.xml").find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert default.get(f"{W}val") == "es"
    assert default.get(f"{W}eastAsia") == before.get(f"{W}eastAsia")
    assert default.get(f"{W}bidi") == before.get(f"{W}bidi")
    untouched = paragraph_of(body, "https://example.com/help")
    assert untouched.find(f".//{W}lang") is None


def test_numbers_and_untranslatable_paragraphs_are_kept(output: Path) -> None:
    texts = [p.text for p in docx.Document(str(output)).paragraphs]
    assert "esVERSION 2.5 esCOSTS 30 esEUROS" in texts
    assert "https://example.com/help" in texts and "2024 – 2025" in texts


def test_only_text_parts_are_rewritten(source: Path, output: Path) -> None:
    before, after = members(source), members(output)
    assert list(before) == list(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed and all(TEXT_PART.fullmatch(name) for name in changed)
    assert "word/styles.xml" in changed and "word/settings.xml" not in changed


def test_identity_translation_keeps_text_and_structure(source: Path) -> None:
    dst, report = rebuild(source, translate(source, lambda text: text), "identity.docx")
    assert report.warnings == []
    for name, data in members(source).items():
        if not TEXT_PART.fullmatch(name) or "styles" in name:
            continue
        old, new = etree.fromstring(data), etree.fromstring(members(dst)[name])
        old_ps, new_ps = list(old.iter(f"{W}p")), list(new.iter(f"{W}p"))
        assert [sequence(p) for p in old_ps] == [sequence(p) for p in new_ps], name
        for prop in ("b", "i", "u", "color"):
            assert [formatted(p, prop) for p in old_ps] == [formatted(p, prop) for p in new_ps], (name, prop)
        for tag in (
            "hyperlink",
            "ins",
            "del",
            "commentRangeStart",
            "drawing",
            "instrText",
            "AlternateContent",
        ):
            assert len(list(old.iter(f"{W}{tag}", f"{MC}{tag}"))) == len(
                list(new.iter(f"{W}{tag}", f"{MC}{tag}"))
            )


def test_moved_tags_move_the_formatting(source: Path) -> None:
    translations = translate(source)
    seg_id = next(i for i, t in translations.items() if "esRED" in t)
    translations[seg_id] = "<g2>esRED</g2> <x3/>esCAR <x1/>esTHE esIS esFAST."
    dst, report = rebuild(source, translations, "moved.docx")
    assert report.warnings == []
    red = next(p for p in docx.Document(str(dst)).paragraphs if "esRED" in p.text)
    assert red.runs[0].text == "esRED" and red.runs[0].bold
    assert [r.text for r in red.runs if r.bold] == ["esRED"]


@pytest.mark.parametrize(
    "broken",
    [strip_tags, lambda t: t.replace("<g2>", "").replace("</g2>", "<g2>"), lambda t: t.replace("<x1/>", "")],
    ids=["dropped", "unbalanced", "lost-standalone"],
)
def test_broken_tags_keep_all_text_and_warn(source: Path, broken: Callable[[str], str]) -> None:
    translations = translate(source)
    seg_id = next(i for i, t in translations.items() if "esRED" in t)
    translations[seg_id] = broken(translations[seg_id])
    dst, report = rebuild(source, translations, "broken.docx")
    assert len(report.warnings) == 1 and seg_id.split("#")[1] in report.warnings[0]
    body = part(dst, "word/document.xml")
    red = paragraph_of(body, "esRED")
    assert own_text(red) == "esTHE esRED esCAR esIS esFAST."
    assert red.find(f"{W}r/{W}commentReference") is not None  # never lose a standalone thing
    assert [w for w in visible_words(dst) if not TRANSLATED.fullmatch(w)] == []


def test_missing_translations_keep_the_source(source: Path) -> None:
    translations = translate(source)
    kept = next(i for i, t in translations.items() if "esBICYCLES" in t)
    del translations[kept]
    dst, _ = rebuild(source, translations, "partial.docx")
    bikes = paragraph_of(part(dst, "word/document.xml"), "bicycles")
    assert own_text(bikes) == "We sell blue and green bicycles." and formatted(bikes, "i") == ["blue"]
    assert dst.exists() and "esRED" in own_text(paragraph_of(part(dst, "word/document.xml"), "esRED"))


def test_smartart_data_and_drawing_are_both_translated(tmp_path: Path) -> None:
    src = build_smartart_docx(tmp_path)
    dst, report = rebuild(src, translate(src))
    assert report.warnings == []
    for name in ("word/diagrams/data1.xml", "word/diagrams/drawing1.xml"):
        root = part(dst, name)
        texts = ["".join(t.text for t in p.iter(f"{A}t")) for p in root.iter(f"{A}p")]
        assert [t for t in texts if t] == [
            "esPLAN esTHE esWORK",
            "esBUILD esTHE esPRODUCT",
            "esSHIP esIT esTO esCUSTOMERS",
        ]
        bold = [r.findtext(f"{A}t") for r in root.iter(f"{A}r") if r.find(f"{A}rPr").get("b") == "1"]
        assert bold == ["esPRODUCT"]
        assert {r.find(f"{A}rPr").get("lang") for r in root.iter(f"{A}r")} == {"es"}


def test_content_controls_smart_tags_and_a_table_of_contents(tmp_path: Path) -> None:
    src = build_controls_docx(tmp_path)
    segments = [s.text for s in HANDLER.extract(src)]
    assert "Introduction" in segments and "Summary" in segments  # tab and page number stay outside
    dst, report = rebuild(src, translate(src))
    assert report.warnings == []
    old, body = part(src, "word/document.xml"), part(dst, "word/document.xml")
    assert [w for w in visible_words(dst) if not TRANSLATED.fullmatch(w)] == []
    toc = paragraph_of(body, "esINTRODUCTION")
    assert sequence(toc) == ["[fld]", "[fld]", "esINTRODUCTION", "[tab]", "[fld]", "[fld]", "1", "[fld]"]
    assert [i.text for i in body.iter(f"{W}instrText")] == [i.text for i in old.iter(f"{W}instrText")]
    kinds = [f.get(f"{W}fldCharType") for f in body.iter(f"{W}fldChar")]
    assert kinds == [f.get(f"{W}fldCharType") for f in old.iter(f"{W}fldChar")]
    (control,) = body.iter(f"{W}sdt")
    assert control.find(f"{W}sdtPr/{W}alias").get(f"{W}val") == "Name"
    content = control.find(f"{W}sdtContent")
    assert "".join(content.itertext()) == "esFILL esIN esYOUR esNAME"
    assert formatted(paragraph_of(body, "esFILL"), "b") == ["esNAME"]
    (tag,) = body.iter(f"{W}smartTag")
    assert tag.get(f"{W}element") == "City" and "".join(tag.itertext()) == "esPARIS"
    assert own_text(paragraph_of(body, "esPARIS")) == "esWE esMET esIN esPARIS esLAST esSPRING."


def test_page_count_is_standard_pages(tmp_path: Path) -> None:
    src = build_long_docx(tmp_path, 100)
    chars = sum(len(p.text) for p in docx.Document(str(src)).paragraphs)
    assert chars > 3600
    assert HANDLER.count_pages(src) == math.ceil(chars / 1800)
    assert HANDLER.count_pages(build_smartart_docx(tmp_path)) == 1


def _patched(src: Path, dst: Path, changes: Mapping[str, bytes]) -> Path:
    old = members(src)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in old.items():
            zf.writestr(name, changes.get(name, data))
        for name, data in changes.items():
            if name not in old:
                zf.writestr(name, data)
    return dst


def test_strict_open_xml_is_refused_not_passed_through(source: Path, tmp_path: Path) -> None:
    strict = members(source)["word/document.xml"].replace(
        W_NS.encode(), b"http://purl.oclc.org/ooxml/wordprocessingml/main"
    )
    bad = _patched(source, tmp_path / "strict.docx", {"word/document.xml": strict})
    with pytest.raises(UnsupportedFormat):
        list(HANDLER.extract(bad))
