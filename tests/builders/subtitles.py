"""Subtitle files written by hand (SRT and WebVTT are plain text), with what real files carry."""

from __future__ import annotations

from pathlib import Path

SRT_CUES = [
    (
        "00:00:01,000 --> 00:00:03,500",
        ["Hello and welcome to the show.", "Tonight we talk about <i>ancient</i> maps."],
    ),
    ("00:00:04,000 --> 00:00:06,250", ["<i>The sea was calm", "and the sky was clear.</i>"]),
    (
        "00:00:07,000 --> 00:00:09,000 X1:100 X2:600 Y1:50 Y2:80",
        ['<font color="#ffcc00">Warning:</font> <b>do not</b> touch.'],
    ),
    ("00:00:10,000 --> 00:00:12,000", ["{\\an8}Captain Smith speaks from the bridge."]),
    ("00:00:12,500 --> 00:00:13,000", ["\u266a \u266a"]),
    ("00:00:13,500 --> 00:00:15,000", ["- Are you ready?", "- <u>Always</u> ready."]),
    ("00:01:02,003 --> 00:01:04,000", ["1984"]),
]

VTT_TEXT = """WEBVTT - Harbour documentary
Kind: captions
Language: en

NOTE
Produced for the harbour museum.
Second line of the note.

STYLE
::cue(.yellow) { color: yellow; }

REGION
id:bottom
width:40%

intro-1
00:00:01.000 --> 00:00:04.000 align:start position:10% line:0
<v Narrator>The harbour opens at dawn
and closes at dusk.</v>

00:00:05.000 --> 00:00:07.000 region:bottom
<c.yellow>Fishermen</c> bring the catch &amp; sell it at the market.

NOTE one line note

chapter-2
00:00:08.000 --> 00:00:10.500
<v.loud Captain>Lower the <b>sails</b> now!

00:00:11.000 --> 00:00:13.000 size:50%
<00:00:11.000>Row <00:00:11.500>the <00:00:12.000>boat

00:00:13.500 --> 00:00:14.000
...

00:00:14.500 --> 00:00:16.000
<lang en>The <ruby>ship<rt>vessel</rt></ruby> leaves &lt;today&gt;.</lang>
"""


def build_srt(folder: Path, *, name: str = "movie.srt", crlf: bool = True, bom: bool = True) -> Path:
    """SubRip file, CRLF line endings and a UTF-8 BOM by default.

    English cues: a two-line cue with an italic word, an italic span across two lines, a cue
    with cue coordinates and `<font color>`/`<b>` markup, an SSA `{\\an8}` position code, a
    music-only cue (nothing to translate), a two-speaker dialogue with `<u>`, and a number-only
    cue "1984" (nothing to translate).
    """
    newline = "\r\n" if crlf else "\n"
    blocks = [newline.join([str(i), timing, *lines]) for i, (timing, lines) in enumerate(SRT_CUES, 1)]
    path = folder / name
    path.write_bytes(
        (b"\xef\xbb\xbf" if bom else b"") + (newline * 2).join(blocks).encode() + newline.encode()
    )
    return path


def build_vtt(folder: Path, *, name: str = "harbour.vtt", crlf: bool = False) -> Path:
    """WebVTT file: header with metadata, NOTE, STYLE and REGION blocks, cue identifiers and
    settings (`align:start position:10%`), `<v Narrator>` across two lines, `<c.yellow>`, an
    `&amp;` entity, `<v.loud Captain>` without closing tag, `<b>`, karaoke timestamps, an
    ellipsis-only cue (nothing to translate), `<lang>` and `<ruby>/<rt>` with `&lt;today&gt;`.
    """
    path = folder / name
    text = VTT_TEXT.replace("\n", "\r\n") if crlf else VTT_TEXT
    path.write_bytes(text.encode())
    return path


CP1252_CUES = [
    ("00:00:01,000 --> 00:00:03,000", ["The café opens at nine \u2014 every day."]),
    ("00:00:03,500 --> 00:00:06,000", ["Our \u201ccrème brûlée\u201d is famous", "in the whole town."]),
    ("00:00:06,500 --> 00:00:08,000", ["The office in Lodz opens on Monday."]),
]


def build_srt_cp1252(folder: Path, *, name: str = "old.srt") -> Path:
    """SubRip as old Windows tools write it: Windows-1252 (é, curly quotes and an em dash, which
    Latin-1 lacks), CRLF, no BOM. The last cue says "Lodz" (see `localisation.build_latin9_po`)."""
    blocks = ["\r\n".join([str(i), timing, *lines]) for i, (timing, lines) in enumerate(CP1252_CUES, 1)]
    path = folder / name
    path.write_bytes(("\r\n\r\n".join(blocks) + "\r\n").encode("cp1252"))
    return path
