"""CSV and TSV: text cells are translated; data cells and the file's own bytes stay as they were.

The dialect is sniffed from the first 64 KiB (comma when the sniffer gives up), the
encoding is kept (UTF-8 with or without BOM, UTF-16 with BOM, else cp1252/Latin-1), and
rows are streamed: a row with no translated cell is written back byte for byte, a
changed row is written with the sniffed dialect, the row's own line ending and its
quoting style (every field quoted, or only where needed).

The header row is translated: it is text for people, and a program that uses headers as
keys would not be fed a translated file. Other cells are translated only in text columns,
decided from the first 200 data rows, and never when they look like data: numbers,
dates, times, booleans, URLs, e-mail addresses and codes such as SKU-123 or USD.
"""

from __future__ import annotations

import codecs
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
from polydoc.formats._tags import same_tags, strip_tags, tags_of
from polydoc.formats.base import FormatHandler, RebuildReport, Segment

_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"))
_SAMPLE_CHARS = 64 * 1024
_SAMPLE_ROWS = 200
_DELIMITERS = ",;\t|"
_MAX_WARNINGS = 20

_NUMBER = re.compile(r"[-+(]?[$€£¥₹]?\d[\d.,'\u00a0\u202f]*(?:[eE][-+]?\d+)?%?\)?")
_DATE = re.compile(
    r"\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?(?:[AaPp]\.?[Mm]\.?)?")
_URL = re.compile(r"(?:[a-z][a-z0-9+.-]*://|www\.|mailto:)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
_CODE_CHARS = re.compile(r"[\d_/\\@#{}<>=|~^$%&*+]|\w\.\w")
_CAMEL = re.compile(r"[a-z]+[A-Z]\w*")
_BOOLEANS = {"true", "false"}


def _token_is_data(token: str) -> bool:
    if not any(ch.isalpha() for ch in token) or token.casefold() in _BOOLEANS:
        return True
    if any(p.fullmatch(token) for p in (_NUMBER, _DATE, _TIME, _URL, _EMAIL, _CAMEL)):
        return True
    return bool(_CODE_CHARS.search(token)) or _all_caps(token)


def _all_caps(token: str) -> bool:
    letters = [ch for ch in token if ch.isalpha()]
    return len(letters) >= 2 and all(ch.isupper() for ch in letters)


def is_data_value(text: str) -> bool:
    """True when `text` is a value to keep as it is (number, date, code, URL…), not words."""
    tokens = text.split()
    if not tokens:
        return True
    if len(tokens) == 1:
        return _token_is_data(tokens[0])
    # "USD 100" is data, "PLEASE READ CAREFULLY" is shouted words
    return all(_token_is_data(t) for t in tokens) and not all(_all_caps(t) for t in tokens)


@dataclass(frozen=True, slots=True)
class _Layout:
    bom: bytes
    encoding: str
    params: dict[str, Any]  # csv reader/writer format parameters
    text_columns: frozenset[int]  # 0-based columns whose cells are words, not data


class CsvHandler(FormatHandler):
    name = "csv"
    extensions = ("csv", "tsv")
    media_type = "text/csv"

    def extract(self, src: Path) -> Iterator[Segment]:
        layout = _layout(src)
        with _open_text(src, layout) as fh:
            for r, row in enumerate(_reader(fh, layout), 1):
                for c, value in enumerate(row):
                    if _translatable(layout, r, c, value):
                        yield Segment(f"r{r}c{c + 1}", value, "header" if r == 1 else "cell")

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
    ) -> RebuildReport:
        layout = _layout(src)
        warnings = _Warnings()
        with _open_text(src, layout) as fh, dst.open("wb") as out:
            out.write(layout.bom)
            for r, (row, raw) in enumerate(_raw_rows(fh, layout), 1):
                new = _translated_row(layout, r, row, translations, warnings)
                text = raw if new is None else _format(new, row, raw, layout)
                try:
                    out.write(text.encode(layout.encoding))
                except UnicodeEncodeError:
                    out.write(text.encode(layout.encoding, "replace"))
                    warnings.add(f"row {r}: characters that {layout.encoding} cannot store became '?'")
        return warnings.report()


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

    def report(self) -> RebuildReport:
        return RebuildReport(self.items + ([f"… and {self.more} more"] if self.more else []))


def _translatable(layout: _Layout, r: int, c: int, value: str) -> bool:
    return (r == 1 or c in layout.text_columns) and not is_data_value(value)


def _translated_row(
    layout: _Layout, r: int, row: list[str], translations: Mapping[str, str], warnings: _Warnings
) -> list[str] | None:
    new: list[str] | None = None
    for c, value in enumerate(row):
        target = translations.get(f"r{r}c{c + 1}")
        if target is None or target == value or not _translatable(layout, r, c, value):
            continue
        if tags_of(target) and not same_tags(value, target):
            target = strip_tags(target)
            warnings.add(f"r{r}c{c + 1}: the translation carried markup tags; they were removed")
        new = new or list(row)
        new[c] = target
    return new


def _format(new: list[str], old: list[str], raw: str, layout: _Layout) -> str:
    """`new` as one CSV record, with the line ending and quoting style of the original `raw`."""
    body = raw.rstrip("\r\n")
    ending = raw[len(body) :]

    def write(row: list[str], quoting: int) -> str:
        buf = io.StringIO()
        # "\r\n" makes the writer quote any field holding either character; replaced below
        csv.writer(buf, quoting=quoting, lineterminator="\r\n", **layout.params).writerow(row)
        return buf.getvalue()[:-2]

    quoting = csv.QUOTE_ALL if write(old, csv.QUOTE_ALL) == body else csv.QUOTE_MINIMAL
    return write(new, quoting) + ending


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
    fh = src.open("r", encoding=layout.encoding, newline="")
    if layout.bom:
        fh.read(1)  # the BOM decodes as U+FEFF
    return fh


def _encoding(src: Path) -> tuple[bytes, str]:
    with src.open("rb") as fh:
        head = fh.read(4)
        for bom, encoding in _BOMS:
            if head.startswith(bom):
                return bom, encoding
    for encoding in ("utf-8", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with src.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return b"", encoding
    return b"", "latin-1"


def _dialect(sample: str) -> dict[str, Any]:
    try:
        found = csv.Sniffer().sniff(sample, delimiters=_DELIMITERS)
        delimiter, quotechar, skip = found.delimiter, found.quotechar or '"', found.skipinitialspace
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        delimiter = max(counts, key=counts.__getitem__) if any(counts.values()) else ","
        quotechar, skip = '"', False
    # RFC 4180 doubling: the sniffer says False whenever its sample has no doubled quote
    return {
        "delimiter": delimiter,
        "quotechar": quotechar,
        "doublequote": True,
        "skipinitialspace": skip,
        "strict": False,
    }


def _layout(src: Path) -> _Layout:
    bom, encoding = _encoding(src)
    try:
        with src.open("r", encoding=encoding, newline="") as fh:
            sample = fh.read(_SAMPLE_CHARS + 1).lstrip("\ufeff")
    except (OSError, UnicodeDecodeError) as exc:
        raise MalformedDocument("The CSV file cannot be read as text") from exc
    if len(sample) > _SAMPLE_CHARS:  # cut at the last full line so the sniffer sees whole rows
        cut = max(sample.rfind("\n", 0, _SAMPLE_CHARS), sample.rfind("\r", 0, _SAMPLE_CHARS))
        sample = sample[: cut + 1] if cut > 0 else sample[:_SAMPLE_CHARS]
    partial = _Layout(bom, encoding, _dialect(sample), frozenset())
    words: Counter[int] = Counter()
    data: Counter[int] = Counter()
    with _open_text(src, partial) as fh:
        for row in islice(_reader(fh, partial), 1, _SAMPLE_ROWS + 1):
            for c, value in enumerate(row):
                if value.strip():
                    (data if is_data_value(value) else words)[c] += 1
    text_columns = frozenset(c for c, n in words.items() if n >= data[c])
    return _Layout(bom, encoding, partial.params, text_columns)


HANDLER = CsvHandler()
