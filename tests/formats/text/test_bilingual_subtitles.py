"""Bilingual SRT and WebVTT: every translated cue shows the source line, then the translation line."""

from __future__ import annotations

from pathlib import Path

import pytest

from polydoc.formats import handler_for
from tests.builders.subtitles import SRT_CUES, build_srt, build_vtt
from tests.formats.roundtrip import fake_translations


def bilingual(fmt: str, src: Path) -> list[list[str]]:
    """The output's blocks of lines, read without Polydoc's parser."""
    handler = handler_for(fmt)
    dst = src.with_name(f"out.{fmt}")
    report = handler.rebuild(
        src, dst, fake_translations(handler, src), target_language="es", output_mode="bilingual"
    )
    assert not report.warnings
    text = dst.read_bytes().decode("utf-8-sig").replace("\r\n", "\n")
    return [block.split("\n") for block in text.strip("\n").split("\n\n")]


@pytest.mark.parametrize("fmt", ["srt", "vtt"])
def test_subtitles_offer_bilingual_output(fmt: str) -> None:
    assert "bilingual" in handler_for(fmt).output_modes


def test_srt_cues_have_the_source_line_then_the_translation_line(tmp_path: Path) -> None:
    blocks = bilingual("srt", build_srt(tmp_path))
    assert len(blocks) == len(SRT_CUES)
    for block, (timing, lines) in zip(blocks, SRT_CUES, strict=True):
        assert block[1] == timing  # numbers and timings as they were
        source = " ".join(lines)
        if source in ("\u266a \u266a", "1984"):  # nothing to translate: the cue as it was
            assert block[2:] == lines
            continue
        assert block[2] == source and block[3].startswith(("es", "<", "{", "- es"))
        assert len(block) == 4
    assert blocks[0][2:] == [
        "Hello and welcome to the show. Tonight we talk about <i>ancient</i> maps.",
        "esHELLO esAND esWELCOME esTO esTHE esSHOW. esTONIGHT esWE esTALK esABOUT <i>esANCIENT</i> esMAPS.",
    ]
    assert blocks[2][2:] == [
        '<font color="#ffcc00">Warning:</font> <b>do not</b> touch.',
        '<font color="#ffcc00">esWARNING:</font> <b>esDO esNOT</b> esTOUCH.',
    ]


def test_vtt_cues_keep_identifiers_and_settings_and_gain_a_translation_line(tmp_path: Path) -> None:
    blocks = bilingual("vtt", build_vtt(tmp_path))
    cue = next(b for b in blocks if b[0] == "intro-1")
    assert cue[1] == "00:00:01.000 --> 00:00:04.000 align:start position:10% line:0"
    assert cue[2:] == [
        "<v Narrator>The harbour opens at dawn and closes at dusk.</v>",
        "<v Narrator>esTHE esHARBOUR esOPENS esAT esDAWN esAND esCLOSES esAT esDUSK.</v>",
    ]
    fishermen = next(b for b in blocks if b[0].startswith("00:00:05.000"))
    assert fishermen[1:] == [
        "<c.yellow>Fishermen</c> bring the catch &amp; sell it at the market.",
        "<c.yellow>esFISHERMEN</c> esBRING esTHE esCATCH &amp; esSELL esIT esAT esTHE esMARKET.",
    ]
    assert blocks[0][0].startswith("WEBVTT")
