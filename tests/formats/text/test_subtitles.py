from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from polydoc.errors import MalformedDocument
from polydoc.formats import detect, handler_for
from polydoc.segments import TAG
from tests.builders.subtitles import SRT_CUES, build_srt, build_vtt
from tests.fakes import mark_words

_MARKUP = re.compile(r"<[^<>]*>|\{\\[^{}]*\}")
_TIMING = re.compile(r"^\S+ --> \S+")


def translate(fmt: str, src: Path, dst: Path, fn=mark_words):
    handler = handler_for(fmt)
    segments = list(handler.extract(src))
    report = handler.rebuild(src, dst, {s.id: fn(s.text) for s in segments}, target_language="es")
    return segments, report


def blocks(data: bytes) -> list[list[str]]:
    """Blocks of lines of a subtitle file, read without Polydoc's parser."""
    text = data.decode("utf-8-sig").replace("\r\n", "\n")
    return [b.split("\n") for b in text.strip("\n").split("\n\n")]


def cue_texts(data: bytes) -> list[list[str]]:
    """Text lines of every cue: the lines after a timing line."""
    out = []
    for block in blocks(data):
        at = next((i for i, line in enumerate(block) if " --> " in line), None)
        if at is not None:
            out.append(block[at + 1 :])
    return out


def english_words(text: str) -> list[str]:
    """Words a mark_words translation did not touch (markup removed first)."""
    return [w for w in re.findall(r"[A-Za-z]+", _MARKUP.sub(" ", text)) if not re.fullmatch(r"es[A-Z]+", w)]


def test_builders_are_detected(tmp_path: Path) -> None:
    assert detect(build_srt(tmp_path), "blob") == "srt"
    assert detect(build_vtt(tmp_path), "blob") == "vtt"


def test_srt_segments_are_cues_with_breaks_and_markup_as_tags(tmp_path: Path) -> None:
    segments = list(handler_for("srt").extract(build_srt(tmp_path)))
    # the music-only and number-only cues have nothing to translate
    assert [s.id for s in segments] == ["cue1", "cue2", "cue3", "cue4", "cue6"]
    first, italic_span, _, an8, dialogue = segments
    assert TAG.sub("", first.text) == "Hello and welcome to the show.Tonight we talk about ancient maps."
    assert re.search(r"show\.<x\d+/>Tonight", first.text)
    assert re.fullmatch(r"<g(\d+)>The sea was calm<x\d+/>and the sky was clear\.</g\1>", italic_span.text)
    assert re.fullmatch(r"<x\d+/>Captain Smith speaks from the bridge\.", an8.text)
    assert "<" not in TAG.sub("", dialogue.text)


def test_srt_translated_with_everything_else_byte_identical(tmp_path: Path) -> None:
    src = build_srt(tmp_path)
    out = tmp_path / "out.srt"
    _, report = translate("srt", src, out)
    assert report.warnings == []
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    assert b"\n" not in data.replace(b"\r\n", b"")  # still CRLF only
    source_blocks, output_blocks = blocks(src.read_bytes()), blocks(data)
    assert len(output_blocks) == len(source_blocks)
    for before, after in zip(source_blocks, output_blocks, strict=True):
        assert after[:2] == before[:2]  # index and timing (with its coordinates) untouched
        assert len(after) == len(before)  # same number of lines in each cue
        for old, new in zip(before[2:], after[2:], strict=True):
            assert _MARKUP.findall(new) == _MARKUP.findall(old)  # markup kept, in order
            assert english_words(new) == [] or old in ("\u266a \u266a", "1984")
    texts = cue_texts(data)
    assert texts[0][1] == "esTONIGHT esWE esTALK esABOUT <i>esANCIENT</i> esMAPS."
    assert texts[1] == ["<i>esTHE esSEA esWAS esCALM", "esAND esTHE esSKY esWAS esCLEAR.</i>"]
    assert texts[2] == ['<font color="#ffcc00">esWARNING:</font> <b>esDO esNOT</b> esTOUCH.']
    assert texts[3] == ["{\\an8}esCAPTAIN esSMITH esSPEAKS esFROM esTHE esBRIDGE."]
    assert texts[4] == ["\u266a \u266a"] and texts[6] == ["1984"]


@pytest.mark.parametrize(("crlf", "bom"), [(True, True), (False, False)])
def test_srt_identity_is_byte_exact(tmp_path: Path, crlf: bool, bom: bool) -> None:
    src = build_srt(tmp_path, crlf=crlf, bom=bom)
    out = tmp_path / "same.srt"
    translate("srt", src, out, fn=lambda t: t)
    assert out.read_bytes() == src.read_bytes()
    handler_for("srt").rebuild(src, out, {}, target_language="es")
    assert out.read_bytes() == src.read_bytes()


@pytest.mark.parametrize("crlf", [False, True])
def test_vtt_identity_is_byte_exact(tmp_path: Path, crlf: bool) -> None:
    src = build_vtt(tmp_path, crlf=crlf)
    out = tmp_path / "same.vtt"
    translate("vtt", src, out, fn=lambda t: t)
    assert out.read_bytes() == src.read_bytes()


def test_vtt_only_cue_text_changes(tmp_path: Path) -> None:
    src = build_vtt(tmp_path)
    out = tmp_path / "out.vtt"
    segments, report = translate("vtt", src, out)
    assert report.warnings == []
    assert [s.id for s in segments] == ["cue1", "cue2", "cue3", "cue4", "cue6"]  # cue5 is "..."
    assert "Fishermen bring the catch & sell it" in TAG.sub("", segments[1].text)  # entity decoded
    before, after = src.read_text().split("\n"), out.read_text().split("\n")
    assert len(before) == len(after)
    for old, new in zip(before, after, strict=True):
        kept = not old or old.startswith(("WEBVTT", "Kind:", "Language:", "NOTE", "::cue", "id:", "width:"))
        if (
            kept
            or _TIMING.match(old)
            or old in ("STYLE", "REGION", "intro-1", "chapter-2", "...")
            or (old.startswith(("Produced", "Second line")))
        ):
            assert new == old
        else:
            assert _MARKUP.findall(new) == _MARKUP.findall(old)
            assert english_words(new.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "")) == []
    text = out.read_text()
    assert "00:00:01.000 --> 00:00:04.000 align:start position:10% line:0\n<v Narrator>esTHE" in text
    assert "<c.yellow>esFISHERMEN</c> esBRING esTHE esCATCH &amp; esSELL" in text
    assert "esLEAVES &lt;esTODAY&gt;.</lang>" in text


def test_lost_tags_and_line_breaks_keep_all_text_and_warn(tmp_path: Path) -> None:
    src = build_srt(tmp_path)
    out = tmp_path / "out.srt"
    handler = handler_for("srt")
    segments = {s.id: s.text for s in handler.extract(src)}
    flat = {sid: mark_words(TAG.sub(" ", text)).replace("  ", " ") for sid, text in segments.items()}
    report = handler.rebuild(src, out, flat, target_language="es")
    assert len(report.warnings) == len(segments)
    texts = cue_texts(out.read_bytes())
    assert len(texts) == len(SRT_CUES)
    for (_, lines), new in zip(SRT_CUES, texts, strict=True):
        assert 1 <= len(new) <= len(lines)  # breaks put back, never more lines, never blank ones
        assert all(line.strip() for line in new)
        words = re.findall(r"[A-Za-z]+", _MARKUP.sub(" ", " ".join(lines)))
        assert re.findall(r"es([A-Z]+)", " ".join(new)) == [w.upper() for w in words]  # no text lost
    first, second = texts[0]  # the lost break is put back near the middle
    assert abs(len(first) - len(second)) <= 1 + max(len(w) for w in (first + " " + second).split())
    assert texts[3][0].startswith("{\\an8}")  # a lost code that began the cue goes back at its start


def test_engine_line_breaks_never_make_blank_lines(tmp_path: Path) -> None:
    src = build_srt(tmp_path, crlf=False, bom=False)
    out = tmp_path / "out.srt"
    translate("srt", src, out, fn=lambda t: "\n\nUna línea\n\n\nOtra línea\n")
    for text in cue_texts(out.read_bytes())[:4]:
        assert text in (["Una línea", "Otra línea"], ["{\\an8}Una línea", "Otra línea"])


def test_cp1252_srt_stays_cp1252_unless_the_translation_needs_more(tmp_path: Path) -> None:
    src = tmp_path / "old.srt"
    src.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCaf\u00e9 time\n".encode("cp1252"))
    out = tmp_path / "out.srt"
    assert translate("srt", src, out, fn=lambda t: "Hora del caf\u00e9 ma\u00f1ana")[1].warnings == []
    assert out.read_bytes() == "1\n00:00:01,000 --> 00:00:02,000\nHora del caf\u00e9 ma\u00f1ana\n".encode(
        "cp1252"
    )
    _, report = translate(
        "srt", src, out, fn=lambda t: "\u0412\u0440\u0435\u043c\u044f \u043a\u043e\u0444\u0435"
    )
    assert "UTF-8" in report.warnings[0]
    assert "\u0412\u0440\u0435\u043c\u044f" in out.read_bytes().decode("utf-8-sig")


def test_srt_without_blank_lines_between_cues(tmp_path: Path) -> None:
    src = tmp_path / "tight.srt"
    src.write_text(
        "1\n00:00:01,000 --> 00:00:02,000\nFirst line\n2\n00:00:03,000 --> 00:00:04,000\nSecond line\n"
    )
    segments = list(handler_for("srt").extract(src))
    assert [s.text for s in segments] == ["First line", "Second line"]
    out = tmp_path / "out.srt"
    translate("srt", src, out)
    assert (
        out.read_text()
        == "1\n00:00:01,000 --> 00:00:02,000\nesFIRST esLINE\n2\n00:00:03,000 --> 00:00:04,000\nesSECOND esLINE\n"
    )


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("talk.vtt", b"00:00:01.000 --> 00:00:02.000\nHello\n", "WEBVTT"),
        ("talk.vtt", b"WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nHell\xff\xfe\n", "UTF-8"),
        ("movie.srt", b"This is a letter, not subtitles.\n", "SubRip"),
    ],
)
def test_malformed_files_are_refused(tmp_path: Path, name: str, data: bytes, message: str) -> None:
    src = tmp_path / name
    src.write_bytes(data)
    with pytest.raises(MalformedDocument, match=message):
        list(handler_for(name.rsplit(".", 1)[1]).extract(src))


def test_page_count_is_standard_pages_of_cue_text(tmp_path: Path) -> None:
    assert handler_for("srt").count_pages(build_srt(tmp_path)) == 1
    line = "The quick brown fox jumps over the dog."  # 39 characters
    src = tmp_path / "long.srt"
    src.write_text(
        "\n".join(
            f"{i}\n00:00:{i % 60:02d},000 --> 00:00:{i % 60:02d},500\n{line}\n{line}\n" for i in range(1, 101)
        )
    )
    assert handler_for("srt").count_pages(src) == math.ceil(100 * 2 * len(line) / 1800)
