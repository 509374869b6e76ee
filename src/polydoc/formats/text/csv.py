"""CSV and TSV: text cells are translated; data cells and the file's own bytes stay as they were.

The dialect is sniffed from the first 32 KiB (comma when the sniffer gives up), the
encoding follows the text family's rule (`_encoding`: UTF-8 with or without BOM, UTF-16
with BOM, else cp1252/Latin-1; kept unless the translation does not fit, then UTF-8 with a
BOM and a warning), and rows are streamed: a row with no translated cell is written back
byte for byte, a changed row is written with the sniffed dialect, the row's own line ending
and its quoting style (every field quoted, or only where needed).

The header row is translated: it is text for people, and a program that uses headers as
keys would not be fed a translated file. Other cells are translated only in text columns,
decided from the first 200 data rows, and never when they look like data: numbers,
dates, times, booleans, URLs, e-mail addresses and codes such as SKU-123 or USD.

Bilingual output keeps every source cell and puts a translated twin right after each text
column (data cells are copied into it as they are); the header names the twin.
"""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Any

from polydoc.errors import MalformedDocument
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.text._encoding import TextEncoding, sniff, write
from polydoc.segments import is_data_value, same_tags, strip_tags, tags_of

_SAMPLE_CHARS = 32 * 1024
_SAMPLE_ROWS = 200
_DELIMITERS = ",;\t|"
_MAX_WARNINGS = 20
_SEP_LINE = re.compile(r"sep=(.)(?:\r\n|\n|\r)")


@dataclass(frozen=True, slots=True)
class _Layout:
    encoding: TextEncoding
    params: dict[str, Any]  # csv reader/writer format parameters
    text_columns: frozenset[int]  # 0-based columns whose cells are words, not data
    header: int  # 1-based row of the header: 2 after Excel's "sep=;" line


class CsvHandler(FormatHandler):
    name = "csv"
    extensions = ("csv", "tsv")
    media_type = "text/csv"
    output_modes = ("translated", "bilingual")

    def text_encoding(self, src: Path) -> str:
        return _sniff(src).codec

    def extract(self, src: Path) -> Iterator[Segment]:
        layout = _layout(src)
        with _open_text(src, layout) as fh:
            for r, row in enumerate(_reader(fh, layout), 1):
                for c, value in enumerate(row):
                    if _translatable(layout, r, c, value):
                        yield Segment(f"r{r}c{c + 1}", value, "header" if r == layout.header else "cell")

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        layout = _layout(src)
        writer = _RowWriter(layout)

        def render(out: IO[str]) -> list[str]:
            warnings = _Warnings()
            with _open_text(src, layout) as fh:
                for r, (row, raw) in enumerate(_raw_rows(fh, layout), 1):
                    new = _translated_row(layout, r, row, translations, warnings)
                    if output_mode == "bilingual" and r >= layout.header and row:
                        new = _bilingual_row(layout, r, row, new or row, target_language)
                    out.write(raw if new is None else writer.format(new, row, raw))
            return warnings.report()

        return RebuildReport(write(dst, layout.encoding, render))


class _Warnings:
    """The first few messages and a count of the rest, so a huge file keeps a short report."""

    def __init__(self) -> None:
        self.items: list[str] = []
        self.more = 0

    def add(self, message: str) -> None:
        if len(self.items) < _MAX_WARNINGS:
            self.items.append(message)
        else:
            self.more += 1

    def report(self) -> list[str]:
        return self.items + ([f"… and {self.more} more"] if self.more else [])


def _translatable(layout: _Layout, r: int, c: int, value: str) -> bool:
    return (r == layout.header or c in layout.text_columns) and not is_data_value(value)


def _translated_row(
    layout: _Layout, r: int, row: list[str], translations: Mapping[str, str], warnings: _Warnings
) -> list[str] | None:
    new: list[str] | None = None
    for c, value in enumerate(row):
        if r != layout.header and c not in layout.text_columns:
            continue
        target = translations.get(f"r{r}c{c + 1}")
        if target is None or target == value or is_data_value(value):
            continue
        if "<" in target and tags_of(target) and not same_tags(value, target):
            target = strip_tags(target)
            warnings.add(f"r{r}c{c + 1}: the translation carried markup tags; they were removed")
        new = new or list(row)
        new[c] = target
    return new


def _bilingual_row(layout: _Layout, r: int, row: list[str], translated: list[str], lang: str) -> list[str]:
    """The source row with each text column followed by its translated twin; the twin's header
    is the translated header and the language, e.g. "Nombre (es)"."""
    out: list[str] = []
    for c, value in enumerate(row):
        out.append(value)
        if c in layout.text_columns:
            out.append(f"{translated[c]} ({lang})" if r == layout.header else translated[c])
    return out


class _RowWriter:
    """Formats changed rows with the file's dialect, line ending and quoting style."""

    def __init__(self, layout: _Layout) -> None:
        self.quotechar = layout.params["quotechar"]
        self.buf = io.StringIO()
        # "\r\n" makes the writer quote any field holding either character; swapped below
        self.writers = {
            q: csv.writer(self.buf, quoting=q, lineterminator="\r\n", **layout.params)
            for q in (csv.QUOTE_ALL, csv.QUOTE_MINIMAL)
        }

    def _write(self, row: list[str], quoting: int) -> str:
        self.buf.seek(0)
        self.buf.truncate()
        self.writers[quoting].writerow(row)
        return self.buf.getvalue()[:-2]

    def format(self, new: list[str], old: list[str], raw: str) -> str:
        """`new` as one record, ending and quoted like the original record `raw`."""
        body = raw.rstrip("\r\n")
        quote_all = body.startswith(self.quotechar) and self._write(old, csv.QUOTE_ALL) == body
        return self._write(new, csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL) + raw[len(body) :]


def _reader(lines: Iterable[str], layout: _Layout) -> Iterator[list[str]]:
    try:
        yield from csv.reader(lines, **layout.params)
    except csv.Error as exc:
        raise MalformedDocument(f"The CSV file cannot be read: {exc}") from exc


def _raw_rows(fh: IO[str], layout: _Layout) -> Iterator[tuple[list[str], str]]:
    """Rows together with the exact text they were read from (a row may span lines)."""
    consumed: list[str] = []

    def lines() -> Iterator[str]:
        for line in fh:
            consumed.append(line)
            yield line

    # the csv reader pulls lines only until its record is complete, never ahead
    for row in _reader(lines(), layout):
        raw = "".join(consumed)
        consumed.clear()
        yield row, raw


def _open_text(src: Path, layout: _Layout) -> IO[str]:
    return layout.encoding.open(src)


def _sniff(src: Path) -> TextEncoding:
    return sniff(src, what="CSV file")


def _dialect(sample: str) -> tuple[dict[str, Any], int]:
    """Reader/writer parameters for the sample, and the row number of the header."""
    header = 1
    if m := _SEP_LINE.match(sample):  # Excel's hint line names the delimiter
        sample, header = sample[m.end() :], 2
    try:
        found = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
        delimiter, quotechar, skip = found.delimiter, found.quotechar or '"', found.skipinitialspace
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        delimiter = max(counts, key=counts.__getitem__) if any(counts.values()) else ","
        quotechar, skip = '"', False
    # RFC 4180 doubling: the sniffer says False whenever its sample has no doubled quote
    params = {
        "delimiter": m.group(1) if m else delimiter,
        "quotechar": quotechar,
        "doublequote": True,
        "skipinitialspace": skip,
        "strict": False,
    }
    return params, header


def _layout(src: Path) -> _Layout:
    encoding = _sniff(src)
    try:
        with encoding.open(src) as fh:
            sample = fh.read(_SAMPLE_CHARS + 1)
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedDocument("The CSV file cannot be read as text") from exc
    if len(sample) > _SAMPLE_CHARS:  # cut at the last full line so the sniffer sees whole rows
        cut = max(sample.rfind("\n", 0, _SAMPLE_CHARS), sample.rfind("\r", 0, _SAMPLE_CHARS))
        sample = sample[: cut + 1] if cut > 0 else sample[:_SAMPLE_CHARS]
    params, header = _dialect(sample)
    partial = _Layout(encoding, params, frozenset(), header)
    words: Counter[int] = Counter()
    data: Counter[int] = Counter()
    with _open_text(src, partial) as fh:
        for row in islice(_reader(fh, partial), header, header + _SAMPLE_ROWS):
            for c, value in enumerate(row):
                if value.strip():
                    (data if is_data_value(value) else words)[c] += 1
    text_columns = frozenset(c for c, n in words.items() if n >= data[c])
    return _Layout(encoding, params, text_columns, header)


HANDLER = CsvHandler()
