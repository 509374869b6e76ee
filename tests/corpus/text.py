"""Awkward plain-text formats: SRT with styling and position tags, WebVTT with STYLE, NOTE and
REGION blocks and cue settings, and a Windows-1252 CSV in the semicolon dialect Excel exports."""

from __future__ import annotations

from tests.corpus.office import EMAIL, ORDER_ID

KEEP = (EMAIL, ORDER_ID, "www.amazon.com")

SRT = (
    "1\r\n00:00:01,000 --> 00:00:03,500\r\n<i>The harbour is quiet tonight.</i>\r\n\r\n"
    "2\r\n00:00:04,000 --> 00:00:06,000\r\n{\\an8}<b>Captain:</b> Bring the boat in slowly.\r\n\r\n"
    '3\r\n00:00:06,500 --> 00:00:09,000\r\n<font color="#ffff00">Watch the rocks</font>\r\n'
    "on the left side!\r\n\r\n"
    f"4\r\n00:00:09,500 --> 00:00:12,000\r\nWrite to {EMAIL} and quote {ORDER_ID}.\r\n\r\n"
    "5\r\n00:00:12,500 --> 00:00:14,000\r\n- Are you ready?\r\n- Yes, let us go.\r\n\r\n"
)

VTT = f"""WEBVTT - Harbour night

STYLE
::cue(.yellow) {{ color: yellow; }}

REGION
id:bottom
width:40%
lines:3
regionanchor:0%,100%
viewportanchor:10%,90%

NOTE This file was made by the subtitle team.
Keep the cue settings as they are.

intro
00:00:01.000 --> 00:00:03.500 position:10% align:start line:0
<v Captain>The harbour is quiet tonight.</v>

00:00:04.000 --> 00:00:06.000 region:bottom
<c.yellow>Bring the boat in</c> <00:00:05.000>very slowly.

00:01:06.500 --> 00:01:09.000 vertical:rl size:50%
<i>Watch the rocks</i> on the <b>left</b> side!

00:01:10.000 --> 00:01:12.000
Order at www.amazon.com or write to {EMAIL}.
"""

CSV_ROWS = [
    ["Product", "Description", "Price", "Code", "Contact"],
    ["Blue boat", "A small boat;\nfor two people", "1.234,50", ORDER_ID, EMAIL],
    ["Red café sail", 'The "best" sail for windy days', "99,90", "SKU-12", "www.amazon.com"],
    ["Crème rope", "Strong rope – ten metres", "12,00", "SKU-13", ""],
]


def build_srt() -> bytes:
    """UTF-8 with a BOM and CRLF: italic/bold/font tags, an ASS position tag, a two-line cue,
    dialogue dashes and an e-mail and id."""
    return b"\xef\xbb\xbf" + SRT.encode()


def build_vtt() -> bytes:
    """A header title, STYLE, REGION and NOTE blocks, cue ids, cue settings, voice and class
    spans, an inline timestamp and a URL/e-mail."""
    return VTT.encode()


def build_csv() -> bytes:
    """Windows-1252, semicolons, a quoted cell with a newline and a semicolon, doubled quotes,
    decimal commas, ids, e-mails and URLs, and CRLF line ends."""
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, delimiter=";", lineterminator="\r\n").writerows(CSV_ROWS)
    return out.getvalue().encode("cp1252")
