"""The plain-text family's one encoding rule (`formats/text/_encoding.py`), shared by TXT, CSV,
SRT and WebVTT and by detection: BOM, else UTF-8, else Windows-1252, else Latin-1 (WebVTT: UTF-8
only); output in the same encoding when the translation fits, else UTF-8 with a BOM and a warning."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from polydoc.errors import MalformedDocument, UnsupportedFormat
from polydoc.formats import detect, handler_for
from polydoc.formats.text._encoding import TextEncoding, sniff
from tests.builders.csv import build_cp1252_csv
from tests.builders.subtitles import build_srt_cp1252

CP1252_TEXT = "The café opens at nine \u2014 every day.\r\nOur \u201ccrème brûlée\u201d is famous.\r\n"
FALLBACK = "The translation does not fit the cp1252 encoding; the file was saved as UTF-8"


def _run(fmt: str, src: Path, dst: Path, fn):
    handler = handler_for(fmt)
    translations = {s.id: fn(s.text) for s in handler.extract(src)}
    return handler.rebuild(src, dst, translations, target_language="es")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (codecs.BOM_UTF8 + "café".encode(), TextEncoding(codecs.BOM_UTF8, "utf-8")),
        (codecs.BOM_UTF16_LE + "café".encode("utf-16-le"), TextEncoding(codecs.BOM_UTF16_LE, "utf-16-le")),
        (codecs.BOM_UTF16_BE + "café".encode("utf-16-be"), TextEncoding(codecs.BOM_UTF16_BE, "utf-16-be")),
        ("café".encode(), TextEncoding(b"", "utf-8")),
        (CP1252_TEXT.encode("cp1252"), TextEncoding(b"", "cp1252")),
        (b"caf\xe9 \x81", TextEncoding(b"", "latin-1")),  # 0x81 is unassigned in Windows-1252
    ],
)
def test_text_encoding_rule(tmp_path: Path, data: bytes, expected: TextEncoding) -> None:
    src = tmp_path / "f"
    src.write_bytes(data)
    assert sniff(src) == expected


def test_the_rule_reads_the_whole_file_not_its_head(tmp_path: Path) -> None:
    src = tmp_path / "long.txt"
    src.write_bytes(b"The house is big.\n" * 20_000 + "Caf\u00e9\n".encode("cp1252"))
    assert sniff(src).codec == "cp1252"


def test_webvtt_and_broken_boms_are_refused(tmp_path: Path) -> None:
    src = tmp_path / "f"
    src.write_bytes(CP1252_TEXT.encode("cp1252"))
    with pytest.raises(MalformedDocument, match="not valid UTF-8"):
        sniff(src, legacy=False)
    src.write_bytes(codecs.BOM_UTF8 + b"caf\xe9")
    with pytest.raises(MalformedDocument, match="not valid UTF-8"):
        sniff(src)


@pytest.mark.parametrize(
    ("make", "name", "fmt"),
    [
        (lambda p: p.write_bytes(CP1252_TEXT.encode("cp1252")), "notes.txt", "txt"),
        (lambda p: p.write_bytes(CP1252_TEXT.encode("cp1252")), "blob", "txt"),
        (lambda p: p.write_bytes(build_srt_cp1252(p.parent).read_bytes()), "blob", "srt"),
        (lambda p: p.write_bytes(build_cp1252_csv(p.parent).read_bytes()), "menu.csv", "csv"),
    ],
)
def test_legacy_text_is_detected(tmp_path: Path, make, name: str, fmt: str) -> None:
    src = tmp_path / "upload"
    make(src)
    assert detect(src, name) == fmt
    assert handler_for(fmt).text_encoding(src) == "cp1252"


def test_binary_is_still_binary(tmp_path: Path) -> None:
    src = tmp_path / "junk"
    src.write_bytes(bytes(range(1, 32)) * 200 + b"\xe9")  # control characters, no NUL
    with pytest.raises(UnsupportedFormat, match="binary"):
        detect(src, "notes.txt")


def test_txt_stays_cp1252_or_becomes_utf8(tmp_path: Path) -> None:
    src, out = tmp_path / "notes.txt", tmp_path / "out.txt"
    src.write_bytes(CP1252_TEXT.encode("cp1252"))
    assert _run("txt", src, out, lambda t: t.replace("The", "El")).warnings == []
    assert out.read_bytes() == CP1252_TEXT.replace("The", "El").encode("cp1252")
    assert _run("txt", src, out, lambda t: t.replace("The", "→")).warnings == [FALLBACK]
    assert out.read_bytes() == codecs.BOM_UTF8 + CP1252_TEXT.replace("The", "→").encode("utf-8")


def test_txt_keeps_utf16_big_endian(tmp_path: Path) -> None:
    src, out = tmp_path / "wide.txt", tmp_path / "out.txt"
    src.write_bytes(codecs.BOM_UTF16_BE + "The house is big.\n".encode("utf-16-be"))
    assert _run("txt", src, out, lambda t: "La casa → grande.").warnings == []
    assert out.read_bytes() == codecs.BOM_UTF16_BE + "La casa → grande.\n".encode("utf-16-be")


def test_srt_stays_cp1252_or_becomes_utf8(tmp_path: Path) -> None:
    src, out = build_srt_cp1252(tmp_path), tmp_path / "out.srt"
    assert _run("srt", src, out, lambda t: t.replace("The", "El")).warnings == []
    assert out.read_bytes() == src.read_bytes().decode("cp1252").replace("The", "El").encode("cp1252")
    assert _run("srt", src, out, lambda t: t.replace("The", "→")).warnings == [FALLBACK]
    assert out.read_bytes().startswith(codecs.BOM_UTF8 + b"1\r\n")
    assert "\u201ccrème brûlée\u201d" in out.read_bytes().decode("utf-8-sig")


def test_csv_stays_cp1252_or_becomes_utf8(tmp_path: Path) -> None:
    src, out = build_cp1252_csv(tmp_path), tmp_path / "out.csv"
    assert _run("csv", src, out, lambda t: t.replace("Coffee", "Café")).warnings == []
    assert "Café with \u201chot\u201d milk".encode("cp1252") in out.read_bytes()
    assert _run("csv", src, out, lambda t: t.replace("Coffee", "→")).warnings == [FALLBACK]
    text = out.read_bytes().decode("utf-8")
    assert text.startswith("\ufeffDish;") and "→ with \u201chot\u201d milk" in text and "6,50 €" in text
