"""Markdown (CommonMark with GFM tables and strikethrough): prose is translated, code never.

markdown-it-py finds the blocks and their line ranges; each paragraph, heading and table cell
is one segment, with inline markup carried as tags (`_markdown_inline`). Rebuild splices the
translated text into the exact source span of that text, so front matter (YAML `---`, TOML
`+++`), code blocks, link targets, reference definitions, comments, list and quote markers and
line endings keep their bytes. A paragraph wrapped over several lines is one segment (lines
joined with spaces); its translation is written on one line after the first line's prefix, so
list and quote markers stay valid. Raw HTML blocks are handed to the HTML handler's walker,
which translates their text and keeps their markup.

Two widespread extensions are read too: MkDocs/Python-Markdown admonitions (`!!! note "Title"`,
`??? tip`, body indented by four spaces) keep their marker line and indentation, their title
being a segment and their body parsed as Markdown of its own; heading attributes of pandoc,
kramdown and attr_list (`# Title {#id .class}`) stay out of the heading's segment.

Bilingual output keeps every source block and adds its translation after it (`_markdown_bilingual`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.web._html_flow import Flow, Part, entity_keeper, make_flow, render, split_urls
from polydoc.formats.web._html_walk import parse_page, translate_page
from polydoc.formats.web._markdown_bilingual import bilingual_edit
from polydoc.formats.web._markdown_inline import Misaligned, align, decode, escape, guard_line_start
from polydoc.formats.web.html import read_text, write_text

_EOL = re.compile(r"\r\n|\r|\n")
_FENCES = {"---": ("---", "..."), "+++": ("+++",)}
_PIPE = re.compile(r"(?<!\\)\|")
# `!!! note "Title"`, `??? warning`, `???+ tip inline end "Title"` (Python-Markdown, pymdownx.details)
_ADMONITION = re.compile(r'( *)(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+[\w-]+)*(?:[ \t]+"([^"]*)")?[ \t]*')
_ATTR = r"(?:[#.][\w:.-]+|[\w-]+=(?:\"[^\"]*\"|'[^']*'|[^\s}]*)|-)"
_HEADING_ATTRS = re.compile(rf"[ \t]+(\{{[ \t]*:?[ \t]*{_ATTR}(?:[ \t]+{_ATTR})*[ \t]*\}})[ \t]*$")


@dataclass(slots=True)
class _Block:
    flow: Flow
    kind: str  # "paragraph" | "atx" | "setext" | "cell" | "title" (of an admonition)
    content_start: int  # where the block's text starts in its first line


@dataclass(slots=True)
class _Doc:
    text: str
    blocks: list[_Block] = field(default_factory=list)
    html: list[tuple[str, int, int]] = field(default_factory=list)  # (id prefix, start, end)


def _front_matter_lines(lines: list[str]) -> int:
    """Number of lines of a YAML (---) or TOML (+++) front matter block at the top, or 0."""
    if not lines or lines[0].rstrip() not in _FENCES:
        return 0
    closers = _FENCES[lines[0].rstrip()]
    for k in range(1, len(lines)):
        if lines[k].rstrip() in closers:
            return k + 1
    return 0


class _Parser:
    def __init__(self, text: str) -> None:
        from markdown_it import MarkdownIt

        self.doc = _Doc(text)
        self.starts = [0] + [m.end() for m in _EOL.finditer(text)]
        ends = [m.start() for m in _EOL.finditer(text)] + [len(text)]
        self.lines = [text[s:e].replace("\0", "\ufffd") for s, e in zip(self.starts, ends, strict=True)]
        skip = _front_matter_lines(self.lines)
        parsed = [""] * skip + self.lines[skip:]
        self.titles: list[tuple[int, int, int]] = []  # (line, start, end) of admonition titles
        self._admonitions(parsed, skip)
        self.tokens = MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse("\n".join(parsed))

    def _admonitions(self, parsed: list[str], first: int) -> None:
        """Blank admonition markers and dedent their bodies in the copy markdown-it parses (lines
        stay where they are, so token line numbers still point into the source)."""
        for i in range(first, len(parsed)):
            m = _ADMONITION.fullmatch(parsed[i])
            if m is None or (i > first and parsed[i - 1].strip()):
                continue  # an admonition starts a block
            if m.group(2) is not None and m.group(2).strip():
                shift = len(self.lines[i]) - len(parsed[i])  # what enclosing admonitions removed
                self.titles.append((i, m.start(2) + shift, m.end(2) + shift))
            parsed[i] = ""
            body = m.group(1) + "    "
            for j in range(i + 1, len(parsed)):
                if parsed[j].startswith(body):
                    parsed[j] = m.group(1) + parsed[j][len(body) :]
                elif parsed[j].strip():
                    break

    def run(self) -> _Doc:
        lists = 0
        cell = 0
        for i, tok in enumerate(self.tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                lists += 1
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                lists -= 1
            elif tok.type == "tr_open":
                cell = 0
            elif tok.type == "html_block" and tok.map:
                self.html_block(tok.map[0], tok.map[1], tok.content)
            elif tok.type == "inline" and tok.map:
                parent = self.tokens[i - 1]
                line = tok.map[0]
                if parent.type in ("th_open", "td_open"):
                    cell += 1
                    self.cell(line, cell, tok)
                elif parent.type == "heading_open":
                    kind = "atx" if parent.markup.startswith("#") else "setext"
                    self.lines_block(f"h{line + 1}", kind, tok, "heading")
                else:
                    self.lines_block(f"p{line + 1}", "paragraph", tok, "list item" if lists else "")
        for line, a, b in self.titles:
            start = self.starts[line]
            flow = make_flow(
                f"t{line + 1}", split_urls(start + a, start + b, self.doc.text), self.doc.text, decode
            )
            if flow is not None:
                self.doc.blocks.append(_Block(flow, "title", flow.start))
        return self.doc

    def add(self, sid: str, kind: str, v: str, to_abs: list[tuple[int, int]], tok: object, ctx: str) -> None:
        vstarts = [vs for vs, _ in to_abs]

        def mapping(pos: int) -> int:
            k = bisect_right(vstarts, pos) - 1
            return to_abs[k][1] + pos - to_abs[k][0]

        try:
            parts: list[Part] = align(v, mapping, self.doc.text, tok.children or [])  # type: ignore[attr-defined]
        except Misaligned:
            return  # a construct the walk does not place: the block keeps its source text
        if kind in ("atx", "setext") and (m := _HEADING_ATTRS.search(v)):
            parts = _opaque_from(parts, mapping(m.start(1)))
        flow = make_flow(sid, parts, self.doc.text, decode, ctx)
        if flow is not None:
            self.doc.blocks.append(_Block(flow, kind, to_abs[0][1]))

    def lines_block(self, sid: str, kind: str, tok: object, ctx: str) -> None:
        first = tok.map[0]  # type: ignore[attr-defined]
        pieces: list[str] = []
        to_abs: list[tuple[int, int]] = []
        pos = 0
        contents = tok.content.split("\n")  # type: ignore[attr-defined]
        for k, content in enumerate(contents):
            line, piece = self.lines[first + k], content.strip(" \t")
            if kind == "atx":
                hashes = line.index("#")
                col = line.find(piece, hashes + len(line[hashes:]) - len(line[hashes:].lstrip("#")))
            else:
                body = line.rstrip(" \t")
                col = len(body) - len(piece) if body.endswith(piece) else -1
            if col < 0:
                return
            if k < len(contents) - 1:
                piece = line[col:]  # trailing spaces may be a hard break
            to_abs.append((pos, self.starts[first + k] + col))
            pieces.append(piece)
            pos += len(piece) + 1
        self.add(sid, kind, "\n".join(pieces), to_abs, tok, ctx)

    def cell(self, line: int, index: int, tok: object) -> None:
        text = self.lines[line]
        bounds = [-1] + [m.start() for m in _PIPE.finditer(text)] + [len(text)]
        cells = [(bounds[k] + 1, bounds[k + 1]) for k in range(len(bounds) - 1)]
        if cells and not text[cells[0][0] : cells[0][1]].strip(" \t>"):
            cells = cells[1:]  # the row starts with a pipe
        if index > len(cells):
            return
        a, b = cells[index - 1]
        raw = text[a:b]
        piece = raw.strip(" \t")
        if piece.replace("\\|", "|") != tok.content or not piece:  # type: ignore[attr-defined]
            return
        start = self.starts[line] + a + len(raw) - len(raw.lstrip(" \t"))
        self.add(f"c{line + 1}.{index}", "cell", piece, [(0, start)], tok, "cell")

    def html_block(self, first: int, last: int, content: str) -> None:
        if "\n".join(self.lines[first:last]).rstrip("\n") != content.rstrip("\n"):
            return  # inside a list or quote: leave it as it is
        start, end = self.starts[first], self.starts[last - 1] + len(self.lines[last - 1])
        self.doc.html.append((f"html{first + 1}/", start, end))


def _opaque_from(parts: list[Part], at: int) -> list[Part]:
    """The parts with everything from `at` on (a heading's attribute block) made opaque."""
    out: list[Part] = []
    for part in parts:
        if part.end <= at:
            out.append(part)
        elif part.start >= at:
            out.append(Part("x", part.start, part.end))
        else:
            out += [Part(part.kind, part.start, at), Part("x", at, part.end)]
    return out


def _parse(text: str) -> _Doc:
    return _Parser(text).run()


def _render(block: _Block, translated: str, text: str, warnings: list[str]) -> str:
    def payload(part: Part) -> str:
        return part.raw if part.raw is not None else text[part.start : part.end]

    keep = entity_keeper(text[block.flow.start : block.flow.end])

    def esc(s: str) -> str:
        if block.kind == "title":  # inside the marker line's double quotes
            return keep(escape(s).replace('"', "&quot;"))
        return keep(escape(s).replace("|", "\\|") if block.kind == "cell" else escape(s))

    out = render(block.flow, translated, esc, payload, warnings)
    if block.kind in ("paragraph", "setext") and block.flow.start == block.content_start:
        out = guard_line_start(out)
    if block.kind == "atx" and out.endswith("#"):
        out = out[:-1] + "\\#"
    return out


class MarkdownHandler(FormatHandler):
    name = "md"
    extensions = ("md", "markdown")
    media_type = "text/markdown"
    output_modes = ("translated", "bilingual")

    def extract(self, src: Path) -> Iterator[Segment]:
        text, _, _ = read_text(src, "Markdown file")
        doc = _parse(text)
        found = [(b.flow.start, b.flow.id, b.flow.text, b.flow.context) for b in doc.blocks]
        for prefix, start, end in doc.html:
            for pos, sid, seg_text, context in parse_page(text[start:end], prefix).segments():
                found.append((start + pos, sid, seg_text, context))
        for _, sid, seg_text, context in sorted(found):
            yield Segment(sid, seg_text, context)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        text, bom, codec = read_text(src, "Markdown file")
        doc = _parse(text)
        warnings: list[str] = []
        edits: list[tuple[int, int, str]] = []
        bilingual = target_language if output_mode == "bilingual" else None
        for block in doc.blocks:
            new = translations.get(block.flow.id)
            if new is not None and new != block.flow.text:
                rendered = _render(block, new, text, warnings)
                edit = bilingual and bilingual_edit(
                    text, block.kind, block.flow, block.content_start, rendered
                )
                edits.append(edit or (block.flow.start, block.flow.end, rendered))
        for prefix, start, end in doc.html:
            page = translate_page(text[start:end], translations, warnings, prefix=prefix, bilingual=bilingual)
            edits.append((start, end, page))
        out, pos = [], 0
        for start, end, new in sorted(edits):
            out += [text[pos:start], new]
            pos = end
        out.append(text[pos:])
        write_text(dst, "".join(out), bom, codec)
        return RebuildReport(warnings)


HANDLER = MarkdownHandler()
