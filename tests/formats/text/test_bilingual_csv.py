"""Bilingual CSV: every source column stays, each text column is followed by its translation."""

from __future__ import annotations

import csv
from pathlib import Path

from polydoc.formats.text.csv import HANDLER
from tests.builders.csv import HEADER, ROWS, build_products_csv
from tests.fakes import mark_words
from tests.formats.roundtrip import fake_translations, rebuilt


def bilingual(src: Path) -> list[list[str]]:
    out, report = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.csv", "bilingual")
    assert not report.warnings
    with out.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_the_handler_offers_bilingual_output() -> None:
    assert "bilingual" in HANDLER.output_modes


def test_each_text_column_gets_a_translated_twin_named_in_the_header(tmp_path: Path) -> None:
    rows = bilingual(build_products_csv(tmp_path))
    assert rows[0] == [
        "Product",
        "esPRODUCT (es)",
        "Description",
        "esDESCRIPTION (es)",
        *HEADER[2:],  # data columns: no twin, their header as it was
    ]
    for row, source in zip(rows[1:], ROWS, strict=True):
        assert row == [source[0], mark_words(source[0]), source[1], mark_words(source[1]), *source[2:]]


def test_the_file_keeps_its_dialect(tmp_path: Path) -> None:
    src = build_products_csv(tmp_path, delimiter=";", quote_all=True)
    out, _ = rebuilt(HANDLER, src, fake_translations(HANDLER, src), "out.csv", "bilingual")
    first = out.read_text(encoding="utf-8").split("\r\n")[0]
    assert first.startswith('"Product";"esPRODUCT (es)";"Description"')
