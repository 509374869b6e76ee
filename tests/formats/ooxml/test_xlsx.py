from __future__ import annotations

import re
import time
import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

import openpyxl
import pytest
from lxml import etree
from openpyxl.cell.rich_text import CellRichText, TextBlock
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.table import Table

from polydoc.errors import EncryptedDocument, HostileDocument, MalformedDocument
from polydoc.formats import handler_for
from polydoc.formats.base import RebuildReport
from polydoc.formats.ooxml.xlsx import HANDLER
from tests.builders import hostile
from tests.builders.xlsx import build_long_workbook, build_sales_workbook, to_shared_strings
from tests.fakes import mark_words
from tests.formats.roundtrip import fake_translations, members, rebuilt

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
DATA = {"https://example.com/apple", "sales@example.com", "SKU-123", "SKU-456"}
WORD = re.compile(r"[A-Za-z]+")
SHEET_REF = re.compile(r"'((?:[^']|'')+)'!|([A-Za-z_][\w.]*)!")


def translate(path: Path, fn: Callable[[str], str] = mark_words) -> dict[str, str]:
    return fake_translations(HANDLER, path, fn)


def rebuild(src: Path, translations: Mapping[str, str], name: str = "out.xlsx") -> tuple[Path, RebuildReport]:
    return rebuilt(HANDLER, src, translations, name)


def patch(path: Path, changes: Mapping[str, bytes]) -> None:
    """Replace or add members of a zip archive in place."""
    old = members(path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in old.items():
            zf.writestr(name, changes.get(name, data))
        for name, data in changes.items():
            if name not in old:
                zf.writestr(name, data)


def plain(value: object) -> str:
    if isinstance(value, CellRichText):
        return "".join(str(part.text if isinstance(part, TextBlock) else part) for part in value)
    return str(value)


def assert_translated(text: str) -> None:
    words = WORD.findall(text)
    assert words, text
    assert all(w.startswith("es") and w[2:].isupper() for w in words), text


def cells(path: Path) -> dict[tuple[str, str], object]:
    wb = openpyxl.load_workbook(path, rich_text=True)
    return {(ws.title, c.coordinate): c.value for ws in wb for row in ws.iter_rows() for c in row}


@pytest.fixture(params=[True, False], ids=["shared-strings", "inline-strings"])
def workbook(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    return build_sales_workbook(tmp_path, shared_strings=request.param)


def test_registered_under_its_name() -> None:
    assert handler_for("xlsx") is HANDLER


def test_segments_are_text_only_and_shared_strings_are_one_segment(workbook: Path) -> None:
    segments = list(HANDLER.extract(workbook))
    texts = [s.text for s in segments]
    assert len({s.id for s in segments}) == len(segments)
    assert not DATA & set(texts)
    assert "Sales Report" not in texts  # formulas refer to it
    assert {"Summary", "Notes"} <= set(texts)
    assert "Fresh <g1>fruit</g1> every day" in texts
    if "sharedStrings" in segments[3].id:
        assert texts.count("Green apple") == 1
    assert {"Check the supplier price", "Monthly <g1>sales</g1>", "Month"} <= set(texts)


def test_text_translated_and_everything_else_kept(workbook: Path) -> None:
    out, report = rebuild(workbook, translate(workbook))
    assert report.warnings == []
    src_wb = openpyxl.load_workbook(workbook, rich_text=True)
    out_wb = openpyxl.load_workbook(out, rich_text=True)
    assert out_wb.sheetnames[0] == "Sales Report"
    for name in out_wb.sheetnames[1:]:
        assert_translated(name)
    for src_ws, out_ws in zip(src_wb, out_wb, strict=True):
        assert set(map(str, out_ws.merged_cells.ranges)) == set(map(str, src_ws.merged_cells.ranges))
        for src_row, out_row in zip(src_ws.iter_rows(), out_ws.iter_rows(), strict=True):
            for s, o in zip(src_row, out_row, strict=True):
                text = isinstance(s.value, (str, CellRichText)) and not plain(s.value).startswith("=")
                if text and plain(s.value) not in DATA:
                    assert_translated(plain(o.value))
                else:
                    assert o.value == s.value
                assert (o.number_format, o.font.b, o.fill.fgColor.rgb) == (
                    s.number_format,
                    s.font.b,
                    s.fill.fgColor.rgb,
                )
                if isinstance(o.value, str) and o.value.startswith("="):
                    for m in SHEET_REF.finditer(o.value):
                        assert (m.group(1) or m.group(2)).replace("''", "'") in out_wb.sheetnames
                if s.comment:
                    assert_translated(o.comment.text)
    rich = out_wb["Sales Report"]["A5"].value
    bold = [p.text for p in rich if isinstance(p, TextBlock) and p.font.b]
    assert bold == ["esFRUIT"]
    assert plain(rich) == "esFRESH esFRUIT esEVERY esDAY"
    table = out_wb["Sales Report"].tables["Fruit"]
    assert table.column_names == [c.value for c in out_wb["Sales Report"][1]]


def test_chart_title_keeps_bold_on_translated_word_and_cache_follows_cells(workbook: Path) -> None:
    # Excel stores a copy of the series name next to its reference; openpyxl does not
    chart_xml = members(workbook)["xl/charts/chart1.xml"]
    cached = b"</f><strCache><ptCount val='1'/><pt idx='0'><v>Price</v></pt></strCache></strRef>"
    patch(workbook, {"xl/charts/chart1.xml": chart_xml.replace(b"</f></strRef>", cached, 1)})
    out, _ = rebuild(workbook, translate(workbook))
    chart = etree.fromstring(members(out)["xl/charts/chart1.xml"])
    title = chart.find(f"{C}chart/{C}title")
    runs = [(r.find(f"{A}rPr") is not None, r.findtext(f"{A}t")) for r in title.iter(f"{A}r")]
    assert runs == [(False, "esMONTHLY "), (True, "esSALES")]
    assert title.find(f".//{A}rPr").get("b") == "1"
    assert [v.text for v in chart.iter(f"{C}v")] == ["esPRICE"]
    source = etree.fromstring(chart_xml)
    assert [f.text for f in chart.iter(f"{C}f")] == [f.text for f in source.iter(f"{C}f")]


def test_only_text_parts_are_rewritten(workbook: Path) -> None:
    out, _ = rebuild(workbook, translate(workbook))
    before, after = members(workbook), members(out)
    assert list(after) == list(before)
    changed = {name for name in before if before[name] != after[name]}
    text_parts = re.compile(r"xl/(sharedStrings|worksheets/sheet\d|comments/|charts/|workbook|tables/)")
    assert changed and all(text_parts.match(name) for name in changed)
    if "xl/sharedStrings.xml" in before:
        assert not any(name.startswith("xl/worksheets/") for name in changed)


def test_identity_translation_changes_nothing(workbook: Path) -> None:
    out, report = rebuild(workbook, translate(workbook, lambda text: text))
    assert report.warnings == []
    assert members(out) == members(workbook)
    assert cells(out) == cells(workbook)


def test_missing_translations_keep_the_source(workbook: Path) -> None:
    out, _ = rebuild(workbook, {})
    assert cells(out) == cells(workbook)


@pytest.mark.parametrize(
    "broken",
    [
        lambda t: re.sub(r"</?g\d+>", "", t),
        lambda t: t.replace("<g1>", "\0").replace("</g1>", "<g1>").replace("\0", "</g1>"),
    ],
    ids=["dropped", "scrambled"],
)
def test_broken_tags_keep_all_text_and_warn(workbook: Path, broken: Callable[[str], str]) -> None:
    translations = translate(workbook)
    rich_id = next(k for k, v in translations.items() if "esFRUIT" in v)
    translations[rich_id] = broken(translations[rich_id])
    out, report = rebuild(workbook, translations)
    value = plain(openpyxl.load_workbook(out, rich_text=True)["Sales Report"]["A5"].value)
    assert sorted(WORD.findall(value)) == sorted(WORD.findall(broken("esFRESH esFRUIT esEVERY esDAY")))
    assert any(rich_id in w for w in report.warnings)


def test_sheet_names_are_cleaned_or_kept_when_excel_would_refuse_them(workbook: Path) -> None:
    translations = {
        "xl/workbook.xml#sheet2": "Sales: report/2024* and a very long tail",
        "xl/workbook.xml#sheet3": "SALES REPORT",
    }
    out, report = rebuild(workbook, translations)
    names = openpyxl.load_workbook(out).sheetnames
    assert names == ["Sales Report", "Sales report 2024 and a very lo", "Notes"]
    assert len(report.warnings) == 1 and "Notes" in report.warnings[0]


def _small_book(tmp_path: Path, change: Callable[[openpyxl.Workbook], None]) -> Path:
    wb = openpyxl.Workbook()
    wb.active.title = "Overview"
    wb.active["A1"] = "Welcome to the overview"
    wb.create_sheet("Plants")["A1"] = "Water the plants"
    change(wb)
    path = tmp_path / "small.xlsx"
    wb.save(path)
    to_shared_strings(path)
    return path


def _defined_name(wb: openpyxl.Workbook) -> None:
    wb.defined_names["Greeting"] = DefinedName("Greeting", attr_text="Plants!$A$1")


def _hyperlink(wb: openpyxl.Workbook) -> None:
    wb.active["A2"] = "Go to the plants"
    wb.active["A2"].hyperlink = Hyperlink(ref="A2", location="Plants!A1")


def _hyperlink_target(wb: openpyxl.Workbook) -> None:
    wb.active["A2"] = "Go to the plants"
    wb.active["A2"].hyperlink = "#Plants!A1"  # openpyxl writes this as a relationship target


def _indirect(wb: openpyxl.Workbook) -> None:
    wb.active["B1"] = '=INDIRECT("Over"&"view!A1")'


@pytest.mark.parametrize(
    ("change", "renamable"),
    [
        (lambda wb: None, {"Overview", "Plants"}),
        (_defined_name, {"Overview"}),
        (_hyperlink, {"Overview"}),
        (_hyperlink_target, {"Overview"}),
        (_indirect, set()),
    ],
    ids=["unreferenced", "defined-name", "hyperlink", "hyperlink-target", "indirect"],
)
def test_referenced_sheet_names_are_not_offered(
    tmp_path: Path, change: Callable[[openpyxl.Workbook], None], renamable: set[str]
) -> None:
    path = _small_book(tmp_path, change)
    names = {s.text for s in HANDLER.extract(path) if s.context == "sheet_name"}
    assert names == renamable
    out, _ = rebuild(path, translate(path))
    wb = openpyxl.load_workbook(out)
    assert {n for n in wb.sheetnames if not n.startswith("es")} == {"Overview", "Plants"} - renamable
    for name in wb.defined_names:
        sheet = wb.defined_names[name].attr_text.split("!")[0]
        assert sheet in wb.sheetnames


def test_texts_that_formulas_compare_with_keep_their_source(tmp_path: Path) -> None:
    def change(wb: openpyxl.Workbook) -> None:
        ws = wb.active
        ws.append(["Open"])
        ws.append(["Done"])
        ws.append(["Waiting for parts"])
        ws["B1"] = '=COUNTIF(A:A,"Done")'
        rule = DataValidation(type="list", formula1='"Open,Waiting for parts"')
        rule.add("A2:A4")
        ws.add_data_validation(rule)

    path = _small_book(tmp_path, change)
    texts = {s.text for s in HANDLER.extract(path)}
    assert not {"Open", "Done", "Waiting for parts"} & texts
    assert {"Welcome to the overview", "Water the plants"} <= texts
    out, _ = rebuild(path, translate(path))
    assert [c.value for c in openpyxl.load_workbook(out).active["A"]] == [
        "esWELCOME esTO esTHE esOVERVIEW", "Open", "Done", "Waiting for parts",
    ]  # fmt: skip


def _table_book(tmp_path: Path, formula: str) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Item", "Price", "Remark"])
    ws.append(["Garden hose", 12, "Sold out"])
    ws.append(["Watering can", 8, "In stock"])
    ws["E1"] = formula
    ws.add_table(Table(displayName="Items", ref="A1:C3"))
    path = tmp_path / "table.xlsx"
    wb.save(path)
    to_shared_strings(path)
    return path


def test_table_columns_follow_their_translated_headers(tmp_path: Path) -> None:
    path = _table_book(tmp_path, "=SUM(Items[Price])")
    texts = {s.text for s in HANDLER.extract(path)}
    assert "Price" not in texts and {"Item", "Remark"} <= texts  # a structured reference names Price
    out, report = rebuild(path, translate(path))
    ws = openpyxl.load_workbook(out).active
    assert ws.tables["Items"].column_names == [c.value for c in ws[1][:3]] == ["esITEM", "Price", "esREMARK"]
    assert ws["E1"].value == "=SUM(Items[Price])"
    assert report.warnings == []


def test_colliding_table_headers_keep_their_source_text(tmp_path: Path) -> None:
    path = _table_book(tmp_path, "=1+1")
    translations = {
        s.id: "Same" if s.text in ("Item", "Remark") else mark_words(s.text) for s in HANDLER.extract(path)
    }
    out, report = rebuild(path, translations)
    ws = openpyxl.load_workbook(out).active
    assert ws.tables["Items"].column_names == [c.value for c in ws[1][:3]] == ["Item", "esPRICE", "Remark"]
    assert ws["A2"].value == "esGARDEN esHOSE"
    assert report.warnings


def test_pivot_source_headers_keep_their_text(workbook: Path) -> None:
    book = members(workbook)
    root = etree.fromstring(book["xl/workbook.xml"])
    ns = root.nsmap[None]
    caches = etree.SubElement(root, f"{{{ns}}}pivotCaches")
    rid = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    etree.SubElement(caches, f"{{{ns}}}pivotCache", {"cacheId": "1", rid: "rIdPivot"})
    rels = etree.fromstring(book["xl/_rels/workbook.xml.rels"])
    etree.SubElement(rels, f"{{{rels.nsmap[None]}}}Relationship", {
        "Id": "rIdPivot", "Target": "pivotCache/pivotCacheDefinition1.xml",
        "Type": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/pivotCacheDefinition",
    })  # fmt: skip
    pivot = (
        f'<pivotCacheDefinition xmlns="{ns}"><cacheSource type="worksheet">'
        '<worksheetSource ref="A1:E3" sheet="Sales Report"/></cacheSource></pivotCacheDefinition>'
    )
    patch(workbook, {
        "xl/workbook.xml": etree.tostring(root), "xl/_rels/workbook.xml.rels": etree.tostring(rels),
        "xl/pivotCache/pivotCacheDefinition1.xml": pivot.encode(),
    })  # fmt: skip
    texts = {s.text for s in HANDLER.extract(workbook)}
    assert not {"Product", "Sold on", "Website", "Code"} & texts
    assert "Green apple" in texts


def test_threaded_comments_and_text_boxes(workbook: Path) -> None:
    tc = "http://schemas.microsoft.com/office/spreadsheetml/2018/threadedcomments"
    threaded = (
        f'<ThreadedComments xmlns="{tc}">'
        '<threadedComment ref="A3" id="{1}" personId="{9}">'
        "<text>Please check the cherries</text></threadedComment>"
        '<threadedComment ref="A3" id="{2}" personId="{9}" parentId="{1}"><text>@Ann look here</text>'
        '<mentions><mention mentionpersonId="{9}" mentionId="{3}" startIndex="0" length="4"/></mentions>'
        "</threadedComment></ThreadedComments>"
    )
    book = members(workbook)
    rels_name = "xl/worksheets/_rels/sheet1.xml.rels"
    rels = etree.fromstring(book[rels_name])
    etree.SubElement(rels, f"{{{rels.nsmap[None]}}}Relationship", {
        "Id": "rIdThreaded", "Target": "/xl/threadedComments/threadedComment1.xml",
        "Type": "http://schemas.microsoft.com/office/2017/10/relationships/threadedComment",
    })  # fmt: skip
    drawing = etree.fromstring(book["xl/drawings/drawing1.xml"])
    xdr = drawing.nsmap.get("xdr") or drawing.tag.split("}")[0][1:]
    box = (
        f'<xdr:oneCellAnchor xmlns:xdr="{xdr}" xmlns:a="{A[1:-1]}">'
        "<xdr:from><xdr:col>0</xdr:col><xdr:colOff>0</xdr:colOff><xdr:row>9</xdr:row>"
        "<xdr:rowOff>0</xdr:rowOff></xdr:from><xdr:ext cx='900000' cy='300000'/>"
        "<xdr:sp><xdr:nvSpPr><xdr:cNvPr id='9' name='Note'/><xdr:cNvSpPr txBox='1'/></xdr:nvSpPr><xdr:spPr/>"
        "<xdr:txBody><a:bodyPr/><a:p><a:r><a:t>Read the </a:t></a:r><a:r><a:rPr i='1'/><a:t>notes</a:t></a:r>"
        "<a:br/><a:r><a:t>Thank you</a:t></a:r></a:p></xdr:txBody></xdr:sp>"
        "<xdr:clientData/></xdr:oneCellAnchor>"
    )
    drawing.append(etree.fromstring(box))
    patch(workbook, {
        rels_name: etree.tostring(rels), "xl/drawings/drawing1.xml": etree.tostring(drawing),
        "xl/threadedComments/threadedComment1.xml": threaded.encode(),
    })  # fmt: skip
    segments = {s.text: s.id for s in HANDLER.extract(workbook)}
    assert "Please check the cherries" in segments and "@Ann look here" not in segments
    assert "Read the <g1>notes</g1><x2/>Thank you" in segments
    out, report = rebuild(workbook, translate(workbook))
    assert report.warnings == []
    after = members(out)
    comments = etree.fromstring(after["xl/threadedComments/threadedComment1.xml"])
    assert [t.text for t in comments.iter(f"{{{tc}}}text")] == [
        "esPLEASE esCHECK esTHE esCHERRIES",
        "@Ann look here",
    ]
    paragraph = next(p for p in etree.fromstring(after["xl/drawings/drawing1.xml"]).iter(f"{A}p"))
    assert [(c.tag.split("}")[1], c.findtext(f"{A}t")) for c in paragraph] == [
        ("r", "esREAD esTHE "), ("r", "esNOTES"), ("br", None), ("r", "esTHANK esYOU"),
    ]  # fmt: skip
    assert paragraph[1].find(f"{A}rPr").get("i") == "1"


def test_excel_escapes_round_trip(tmp_path: Path) -> None:
    workbook = build_sales_workbook(tmp_path)
    sst = members(workbook)["xl/sharedStrings.xml"].replace(
        b"<t>Red cherry</t>", b'<t xml:space="preserve">Red_x000D_\ncherry _x005F_x0041_</t>'
    )
    patch(workbook, {"xl/sharedStrings.xml": sst})
    segment = next(s for s in HANDLER.extract(workbook) if "cherry" in s.text)
    assert segment.text == "Red\r\ncherry _x0041_"
    out, _ = rebuild(workbook, {segment.id: "Rojo\r\ncereza _x0041_"})
    assert b"Rojo_x000D_\ncereza _x005F_x0041_" in members(out)["xl/sharedStrings.xml"]


def test_page_count_is_standard_pages(tmp_path: Path) -> None:
    assert HANDLER.count_pages(build_sales_workbook(tmp_path)) == 1
    assert HANDLER.count_pages(build_long_workbook(tmp_path, cells=5, chars=1000)) == 3  # 5,000 characters


def _bomb(tmp_path: Path) -> Path:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/sharedStrings.xml", b" " * (20 << 20))
    return path


SST = '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>{ref}</t></si></sst>'
LAUGHS = hostile.entity_part("laughs", SST)
XXE = hostile.entity_part("file", SST)


@pytest.mark.parametrize(
    ("make", "error"),
    [
        (_bomb, HostileDocument),
        (lambda p: _patched(p, {"xl/sharedStrings.xml": LAUGHS}), HostileDocument),
        (lambda p: _patched(p, {"xl/sharedStrings.xml": XXE}), HostileDocument),
        (lambda p: _truncated(p), MalformedDocument),
        (lambda p: _patched(p, {"xl/workbook.xml": b"<workbook"}), MalformedDocument),
        (lambda p: _write(p, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600)), EncryptedDocument),
        (lambda p: _write(p, b"PK\x05\x06" + bytes(18)), MalformedDocument),
    ],
    ids=[
        "zip-bomb",
        "billion-laughs",
        "external-entity",
        "truncated",
        "broken-xml",
        "encrypted",
        "no-workbook",
    ],
)
def test_bad_input_is_refused_quickly(
    tmp_path: Path, make: Callable[[Path], Path], error: type[Exception]
) -> None:
    path = make(tmp_path)
    started = time.monotonic()
    with pytest.raises(error):
        list(HANDLER.extract(path))
    with pytest.raises(error):
        HANDLER.rebuild(path, tmp_path / "never.xlsx", {}, target_language="es")
    assert time.monotonic() - started < 5


def _patched(tmp_path: Path, changes: Mapping[str, bytes]) -> Path:
    path = build_sales_workbook(tmp_path)
    patch(path, changes)
    return path


def _truncated(tmp_path: Path) -> Path:
    path = build_sales_workbook(tmp_path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


def _write(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "odd.xlsx"
    path.write_bytes(data)
    return path
