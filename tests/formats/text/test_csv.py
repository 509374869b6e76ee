from __future__ import annotations

import csv
import io
import re
import tracemalloc
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest

from polydoc.errors import MalformedDocument
from polydoc.formats import detect, handler_for
from polydoc.formats.base import RebuildReport
from polydoc.formats.text.csv import HANDLER
from polydoc.segments import is_data_value
from tests.builders.csv import HEADER, ROWS, build_large_csv, build_products_csv
from tests.fakes import mark_words

WORD = re.compile(r"[A-Za-z]+")
TEXT_COLUMNS = {0, 1}  # Product, Description; every other column holds data
ACRONYMS = {"SKU"}  # an all-caps header is a code, kept as it is
BOMS = (b"\xef\xbb\xbf", b"\xff\xfe")


def translate(path: Path) -> dict[str, str]:
    return {seg.id: mark_words(seg.text) for seg in HANDLER.extract(path)}


def rebuild(src: Path, translations: Mapping[str, str]) -> tuple[Path, RebuildReport]:
    dst = src.with_name("out" + src.suffix)
    return dst, HANDLER.rebuild(src, dst, translations, target_language="es")


def read(path: Path, encoding: str = "utf-8-sig", delimiter: str = ",") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh, delimiter=delimiter))


def assert_translated(text: str) -> None:
    words = WORD.findall(text)
    assert words and all(w.startswith("es") and w[2:].isupper() for w in words), text


def test_registered_for_csv_and_tsv(tmp_path: Path) -> None:
    assert handler_for("csv") is HANDLER
    path = build_products_csv(tmp_path, name="products.tsv", delimiter="\t")
    assert detect(path, "products.tsv") == "csv"


def test_segments_are_header_and_text_cells(tmp_path: Path) -> None:
    segments = list(HANDLER.extract(build_products_csv(tmp_path)))
    assert [s.text for s in segments if s.context == "header"] == [h for h in HEADER if h not in ACRONYMS]
    cells = {s.id: s.text for s in segments if s.context == "cell"}
    expected = {f"r{r + 2}c{c + 1}": row[c] for r, row in enumerate(ROWS) for c in TEXT_COLUMNS}
    assert cells == expected  # whole quoted cells, commas and newlines included


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"delimiter": ";", "decimal_comma": True},
        {"delimiter": "\t", "name": "products.tsv", "line_ending": "\n"},
        {"delimiter": "|"},
        {"quote_all": True},
        {"bom": True},
        {"encoding": "utf-16"},
    ],
    ids=["comma", "semicolon", "tab", "pipe", "quote-all", "utf8-bom", "utf16-bom"],
)
def test_text_translated_data_and_layout_kept(tmp_path: Path, options: dict[str, object]) -> None:
    src = build_products_csv(tmp_path, **options)  # type: ignore[arg-type]
    out, report = rebuild(src, translate(src))
    assert report.warnings == []
    raw_in, raw_out = src.read_bytes(), out.read_bytes()
    assert [raw_out.startswith(bom) for bom in BOMS] == [raw_in.startswith(bom) for bom in BOMS]
    encoding = "utf-16" if options.get("encoding") == "utf-16" else "utf-8-sig"
    delimiter = str(options.get("delimiter", ","))
    before, after = read(src, encoding, delimiter), read(out, encoding, delimiter)
    assert len(after) == len(before)
    for r, (old, new) in enumerate(zip(before, after, strict=True)):
        assert len(new) == len(old)
        for c, (a, b) in enumerate(zip(old, new, strict=True)):
            if (r == 0 and a not in ACRONYMS) or (r > 0 and c in TEXT_COLUMNS):
                assert_translated(b)
            else:
                assert b == a
    text_in, text_out = raw_in.decode(encoding), raw_out.decode(encoding)
    ending = str(options.get("line_ending", "\r\n"))
    assert text_out.count(ending) == text_in.count(ending)
    if options.get("quote_all"):
        assert all(line.startswith('"') for line in text_out.split(ending) if line)


def test_unchanged_rows_stay_byte_identical(tmp_path: Path) -> None:
    src = build_products_csv(tmp_path, line_ending="\n")
    identity, report = rebuild(src, {s.id: s.text for s in HANDLER.extract(src)})
    assert identity.read_bytes() == src.read_bytes() and report.warnings == []
    only_third_row = {k: v for k, v in translate(src).items() if k.startswith("r3c")}
    out, _ = rebuild(src, only_third_row)
    lines_in, lines_out = src.read_text().split("\n"), out.read_text().split("\n")
    changed = [i for i, (a, b) in enumerate(zip(lines_in, lines_out, strict=True)) if a != b]
    assert changed == [2, 3]  # row 3 is "Red cherry", whose description spans two lines


def test_missing_final_newline_and_legacy_encoding(tmp_path: Path) -> None:
    src = tmp_path / "legacy.csv"
    src.write_bytes("Name;Note\r\nCafé au lait;Très bon café\r\nTea;A cup of tea".encode("cp1252"))
    out, _ = rebuild(src, translate(src))
    text = out.read_bytes().decode("cp1252")
    assert text.startswith("esNAME;esNOTE\r\n") and text.endswith("esA esCUP esOF esTEA")
    assert "esCAF" in text and "esTR" in text  # é survives in cp1252


def test_broken_tags_are_removed_with_a_warning(tmp_path: Path) -> None:
    src = build_products_csv(tmp_path)
    translations = translate(src)
    translations["r2c1"] = "<g1>esGREEN esAPPLE"
    out, report = rebuild(src, translations)
    assert read(out)[1][0] == "esGREEN esAPPLE"
    assert any("r2c1" in w for w in report.warnings)


def test_oversized_field_is_malformed(tmp_path: Path) -> None:
    src = tmp_path / "huge.csv"
    src.write_text('a,b\n"' + "x " * 100_000 + '",1\n')
    with pytest.raises(MalformedDocument):
        list(HANDLER.extract(src))


def test_page_count_is_standard_pages(tmp_path: Path) -> None:
    assert HANDLER.count_pages(build_products_csv(tmp_path)) == 1
    src = tmp_path / "long.csv"
    cell = ("lorem ipsum " * 100)[:1000]
    src.write_text("Text\n" + "\n".join(f"{cell[:-1]}{chr(97 + i)}" for i in range(5)) + "\n")
    assert HANDLER.count_pages(src) == 3  # 4 + 5,000 characters


class _Everything(Mapping[str, str]):
    """A translation for any id, without holding one per cell."""

    def __getitem__(self, key: str) -> str:
        return "esTRANSLATED esTEXT"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def test_large_file_streams_with_flat_memory(tmp_path: Path) -> None:
    src = build_large_csv(tmp_path, rows=12_000)
    size = src.stat().st_size
    tracemalloc.start()
    try:
        count = sum(1 for _ in HANDLER.extract(src))
        _, extract_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        out, _ = rebuild(src, _Everything())
        _, rebuild_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 12_000 + 5
    assert max(extract_peak, rebuild_peak) < size / 4, (size, extract_peak, rebuild_peak)
    with out.open(newline="") as fh:
        rows = csv.reader(fh)
        assert next(rows) == ["esTRANSLATED esTEXT"] * 5
        assert next(rows) == ["ORD-0000000", "esTRANSLATED esTEXT", "0.00", "2024-02-01", "SHIPPED"]


@pytest.mark.parametrize(
    ("value", "data"),
    [
        ("1,234.50", True), ("-12%", True), ("€ 9,99", True), ("2024-03-01", True),
        ("01/03/2024 10:30", True), ("10:30 PM", True), ("TRUE", True), ("SKU-123", True), ("USD", True),
        ("USD 100", True),
        ("https://example.com/a?b=1", True), ("www.example.com", True), ("ann@example.com", True),
        ("snake_case_key", True), ("camelCase", True), ("N/A", True), ("", True), ("  ", True), ("---", True),
        ("Apple", False), ("Green apple", False), ("PLEASE READ CAREFULLY", False), ("MARRIED ONE INCOME 2 CHILDREN", False),
        ("MARRIED 2 INCOMES** 2 CHILDREN", False), ("3 apples", False),
        ("Sweet, crisp and fresh", False), ("well-known", False), ("It's done.", False),
    ],
)  # fmt: skip
def test_data_values_are_told_from_words(value: str, data: bool) -> None:
    assert is_data_value(value) is data


def test_headerless_file_keeps_numeric_columns(tmp_path: Path) -> None:
    src = tmp_path / "plain.csv"
    buf = io.StringIO()
    csv.writer(buf).writerows([["Green apple", 1, "2024-01-01"], ["Red cherry", 2, "2024-01-02"]])
    src.write_text(buf.getvalue())
    out, _ = rebuild(src, translate(src))
    assert read(out) == [["esGREEN esAPPLE", "1", "2024-01-01"], ["esRED esCHERRY", "2", "2024-01-02"]]


def test_excel_separator_hint_line(tmp_path: Path) -> None:
    src = tmp_path / "hint.csv"
    src.write_text("sep=;\nName;Price\nGreen apple;1,50\n")
    out, _ = rebuild(src, translate(src))
    assert out.read_text() == "sep=;\nesNAME;esPRICE\nesGREEN esAPPLE;1,50\n"


def test_characters_the_legacy_encoding_cannot_hold_are_reported(tmp_path: Path) -> None:
    src = tmp_path / "legacy.csv"
    src.write_bytes("Name\r\nCafé crème\r\n".encode("cp1252"))
    segment = next(s for s in HANDLER.extract(src) if s.id == "r2c1")
    out, report = rebuild(src, {segment.id: "Kávé Ő"})
    assert out.read_bytes() == "\ufeffName\r\nKávé Ő\r\n".encode("utf-8")  # whole file UTF-8, BOM
    assert report.warnings == ["The translation does not fit the cp1252 encoding; the file was saved as UTF-8"]
