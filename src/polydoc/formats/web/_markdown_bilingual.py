"""Bilingual Markdown: each paragraph and heading is followed by its translation as a block of its own.

The translated block is written after the source block's last line, separated by a blank line,
with the same container prefix (quote markers stay, list markers become spaces so the
translation is a second paragraph of the same item, an admonition body keeps its indentation).
A heading's translation is a heading of the same level (setext ones are written as ATX). A
table cell holds both, `source<br>translation`, since a new row or column would change the
table. Admonition titles are translated in place, as in the plain mode.
"""

from __future__ import annotations

import re

from polydoc.formats.web._html_flow import Flow
from polydoc.formats.web._markdown_inline import guard_line_start

_LIST_MARKER = re.compile(r"(?:\d{1,9}[.)]|[-+*])(?=[ \t]|$)")
_ATX = re.compile(r"#{1,6}[ \t]*$")
_HEADING_ATTRS = re.compile(r"[ \t]+\{[^{}]*\}[ \t]*$")
_EOL = re.compile(r"\r\n|\r|\n")

Edit = tuple[int, int, str]


def bilingual_edit(text: str, kind: str, flow: Flow, content_start: int, rendered: str) -> Edit | None:
    """The edit that adds the rendered translation of one block; None: translate in place."""
    if kind == "title":
        return None
    if kind == "cell":
        return (flow.start, flow.end, text[flow.start : flow.end] + "<br>" + rendered)
    line_start = max(text.rfind("\n", 0, content_start), text.rfind("\r", 0, content_start)) + 1
    prefix = text[line_start:content_start]
    end = _line_end(text, flow.end)
    marker = ""
    if kind == "atx":
        m = _ATX.search(prefix)
        marker, prefix = (m.group(0), prefix[: m.start()]) if m else ("# ", prefix)
    elif kind == "setext":
        eol = _EOL.match(text, end)
        underline_end = _line_end(text, eol.end()) if eol else end
        underline = text[end:underline_end].strip(" \t\r\n>")
        marker = "# " if underline.startswith("=") else "## "
        end = underline_end
    continuation = _LIST_MARKER.sub(lambda m: " " * len(m.group(0)), prefix)
    suffix = text[flow.end : _line_end(text, flow.end)].rstrip(" \t")
    if kind in ("atx", "setext"):
        suffix = _HEADING_ATTRS.sub("", suffix).rstrip("# \t") if kind == "atx" else ""
    body = text[content_start : flow.start] + rendered + suffix
    if kind == "paragraph" and flow.start != content_start:
        body = guard_line_start(body)
    m = _EOL.search(text)
    eol = m.group(0) if m else "\n"
    return (end, end, f"{eol}{continuation.rstrip()}{eol}{continuation}{marker}{body}")


def _line_end(text: str, pos: int) -> int:
    m = _EOL.search(text, pos)
    return m.start() if m else len(text)
