"""SubRip (.srt) and WebVTT (.vtt) subtitles: cue text only.

Everything but cue text is copied through byte for byte: BOM, encoding, line endings, index
numbers, timings and cue settings, the WEBVTT header, NOTE/STYLE/REGION blocks, cue identifiers.
Each cue is one segment (`cue7` is the file's 7th cue). Its line breaks are `<xN/>`; its markup
(`<i>`, `<b>`, `<u>`, `<font …>`, `<c.class>`, `<v Speaker>`, `<lang>`, `<ruby>`, karaoke
timestamps, SRT `{\\an8}`) becomes `<gN>…</gN>` where an opening tag has its closing one and
`<xN/>` otherwise. Our own small parser, because the srt and webvtt-py libraries rewrite what
they do not model (identifiers, settings spacing, CRLF) and identity must be byte-exact.
The encoding follows the text family's rule (`_encoding`; WebVTT is UTF-8 only): SRT in
Windows-1252 stays so unless the translation needs more, then it becomes UTF-8 with a warning.

When a translation drops line breaks, the cue is broken again at the spaces nearest the middle
of its longest lines so it keeps its number of lines; blank lines (which would end the cue) are
never written. Other lost tags follow `_placeholders.repair`.

Bilingual output gives each translated cue two lines: the source cue on one line (its own line
breaks become spaces, its markup stays), then the translation on one line.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, ClassVar

from polydoc.errors import MalformedDocument
from polydoc.formats._placeholders import Masker, Token, pair_tags, repair, repair_warning
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.text._encoding import TextEncoding, sniff, write
from polydoc.segments import translatable

_LINES = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
_TIMING = re.compile(r"\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}\s*-->\s*(?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3}")
_VTT_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:\s|$)")
_MARKUP = re.compile(
    r"<(?P<slash>/?)(?P<name>[A-Za-z][A-Za-z0-9]*)(?:[.\s][^<>]*)?>"  # <i>, </i>, <c.red>, <v Bob>
    r"|<\d{1,2}:\d{2}(?::\d{2})?[.,]\d{3}>"  # karaoke timestamp
    r"|\{\\[^{}\r\n]*\}"  # SSA override in SRT: {\an8}
)


_BREAK = object()  # payload of the tags that stand for a line break


@dataclass(slots=True)
class _Cue:
    number: int  # position in the file, from 1
    lines: list[tuple[str, str]]  # (content, line ending) of each text line
    newline: str  # line ending of the timing line, used for new breaks

    @property
    def id(self) -> str:
        return f"cue{self.number}"

    def raw(self) -> str:
        return "".join(c + e for c, e in self.lines)


@dataclass(slots=True)
class _Document:
    encoding: TextEncoding
    chunks: list[str | _Cue]  # raw text and cues, in file order


def _lines(text: str) -> list[tuple[str, str]]:
    return [(m.rstrip("\r\n"), m[len(m.rstrip("\r\n")) :]) for m in _LINES.findall(text)]


def _encoding_of(src: Path, vtt: bool) -> TextEncoding:
    return sniff(src, legacy=not vtt, what="WebVTT file" if vtt else "subtitle file")


def _parse(src: Path, vtt: bool) -> _Document:
    encoding = _encoding_of(src, vtt)
    with encoding.open(src) as fh:
        text = fh.read()
    lines = _lines(text)
    if vtt and not (lines and lines[0][0].startswith("WEBVTT")):
        raise MalformedDocument("This is not a WebVTT file: it must start with the line WEBVTT")
    chunks: list[str | _Cue] = []
    i, count = 0, 0
    while i < len(lines):
        if not lines[i][0].strip():
            chunks.append("".join(lines[i]))
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j][0].strip():
            j += 1
        block, first, i = lines[i:j], i == 0, j
        if vtt and (first or _VTT_BLOCK.match(block[0][0])):
            chunks.append("".join(c + e for c, e in block))
            continue
        count = _split_block(block, vtt, chunks, count)
    if not vtt and count == 0 and not any(_TIMING.match(c) for c, _ in lines):
        raise MalformedDocument("No subtitle cues found: this does not look like a SubRip (.srt) file")
    return _Document(encoding, chunks)


def _split_block(block: list[tuple[str, str]], vtt: bool, chunks: list[str | _Cue], count: int) -> int:
    """Cues of one block of non-blank lines (usually one cue; SRT files sometimes lack blank lines)."""
    timings = [k for k, (content, _) in enumerate(block) if _TIMING.match(content)]
    pos = 0
    for n, t in enumerate(timings):
        end = timings[n + 1] if n + 1 < len(timings) else len(block)
        if end < len(block) and end - 1 > t and (vtt or block[end - 1][0].strip().isdigit()):
            end -= 1  # the identifier or index of the next cue
        chunks.append("".join(c + e for c, e in block[pos : t + 1]))
        if end > t + 1:
            count += 1
            chunks.append(_Cue(count, block[t + 1 : end], block[t][1] or "\n"))
        pos = end
    chunks.append("".join(c + e for c, e in block[pos:]))
    return count


def _segment(cue: _Cue, vtt: bool) -> tuple[str, dict[int, object]]:
    """Segment text of a cue and what each tag stands for."""
    items: list[tuple[str, str, str]] = []
    for k, (content, _) in enumerate(cue.lines):
        if k:
            items.append(("x", "", "\n"))
        pos = 0
        for m in _MARKUP.finditer(content):
            if m.start() > pos:
                items.append(("t", content[pos : m.start()], ""))
            kind = ("c" if m.group("slash") else "o") if m.group("name") else "x"
            items.append((kind, m.group(0), (m.group("name") or "").lower()))
            pos = m.end()
        if pos < len(content):
            items.append(("t", content[pos:], ""))
    pairs = pair_tags(items)
    closing: dict[int, int] = {}
    m = Masker()
    for i, (kind, raw, name) in enumerate(items):
        if kind == "t":
            m.literal(html.unescape(raw) if vtt else raw)
        elif i in pairs:
            closing[pairs[i]] = m.open((raw, items[pairs[i]][1]))
        elif i in closing:
            m.close(closing[i])
        else:
            m.standalone(_BREAK if name == "\n" else raw)
    return m.result(), m.payloads


def _lines_of(tokens: list[Token], payloads: dict[int, object]) -> list[list[Token]]:
    lines: list[list[Token]] = [[]]
    for kind, value in tokens:
        if kind == "x" and payloads[int(value)] is _BREAK:
            lines.append([])
        else:
            lines[-1].append((kind, value))
    return lines


def _visible(line: list[Token]) -> int:
    return sum(len(str(v)) for k, v in line if k == "t")


def _break_longest(lines: list[list[Token]]) -> bool:
    """Split the longest line at the space nearest its middle; False when no line has a space."""
    order = sorted(range(len(lines)), key=lambda k: -_visible(lines[k]))
    for k in order:
        line, middle, offset, best = lines[k], _visible(lines[k]) / 2, 0, None
        for t, (kind, value) in enumerate(line):
            if kind != "t":
                continue
            for s in (m.start() for m in re.finditer(r" ", str(value))):
                if best is None or abs(offset + s - middle) < abs(best[2] - middle):
                    best = (t, s, offset + s)
            offset += len(str(value))
        if best is not None:
            t, s, _ = best
            text = str(line[t][1])
            head, tail = line[:t] + [("t", text[:s])], [("t", text[s + 1 :])] + line[t + 1 :]
            lines[k : k + 1] = [head, tail]
            return True
    return False


def _render(cue: _Cue, translated: str, vtt: bool) -> tuple[str, str | None]:
    source, payloads = _segment(cue, vtt)
    fixed = repair(source, translated)
    payloads[0] = _BREAK
    tokens: list[Token] = []
    for kind, value in fixed.tokens:  # line breaks the engine wrote as text are breaks too
        for p, part in enumerate(re.split(r"\r\n|\r|\n", str(value)) if kind == "t" else [value]):
            tokens += [("x", 0), (kind, part)] if p else [(kind, part)]
    lost_breaks = 0
    for n in fixed.missing:
        if payloads[n] is _BREAK:
            lost_breaks += 1
        else:
            tokens += [("t", " "), ("x", n)]
    lines: list[list[Token]] = []
    carry: list[Token] = []  # tags of a line without text join the next line: no empty lines
    for line in _lines_of(tokens, payloads):
        if any(kind == "t" and str(value).strip() for kind, value in line):
            lines.append(carry + line)
            carry = []
        else:
            carry += [t for t in line if t[0] != "t"]
    if carry:
        lines[-1:] = [lines[-1] + carry] if lines else [carry]
    for _ in range(lost_breaks):
        if len(lines) >= len(cue.lines) or not _break_longest(lines):
            break
    rendered = []
    for line in lines:
        out = []
        for kind, value in line:
            if kind == "t":
                text = str(value)
                out.append(html.escape(text, quote=False) if vtt else text.replace("-->", "->"))
            else:
                payload = payloads[int(value)]
                out.append(payload if isinstance(payload, str) else payload[1 if kind == "c" else 0])
        rendered.append("".join(out).strip())
    newline = cue.lines[0][1] if len(cue.lines) > 1 else cue.newline
    warning = repair_warning(cue.id, fixed.lost - lost_breaks) if fixed.changed else None
    return newline.join(rendered), warning


def _bilingual(cue: _Cue, translated: str) -> str:
    """Two lines: the source cue on one line, then its translation on one line."""
    source = " ".join(content.strip() for content, _ in cue.lines)
    newline = cue.lines[0][1] if len(cue.lines) > 1 else cue.newline
    return source + newline + " ".join(re.split(r"\r\n|\r|\n", translated))


class _SubtitleHandler(FormatHandler):
    vtt: ClassVar[bool]
    output_modes = ("translated", "bilingual")

    def _cues(self, doc: _Document) -> Iterator[tuple[_Cue, str]]:
        for chunk in doc.chunks:
            if isinstance(chunk, _Cue):
                text = _segment(chunk, self.vtt)[0]
                if translatable(text):
                    yield chunk, text

    def text_encoding(self, src: Path) -> str:
        return _encoding_of(src, self.vtt).codec

    def extract(self, src: Path) -> Iterator[Segment]:
        for cue, text in self._cues(_parse(src, self.vtt)):
            yield Segment(cue.id, text, "subtitle")

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        doc = _parse(src, self.vtt)
        todo = {cue.id: text for cue, text in self._cues(doc)}
        warnings: list[str] = []
        out: list[str] = []
        for chunk in doc.chunks:
            if isinstance(chunk, str):
                out.append(chunk)
                continue
            translated = translations.get(chunk.id)
            if translated is None or chunk.id not in todo or translated == todo[chunk.id]:
                out.append(chunk.raw())  # untouched cues keep their exact bytes
                continue
            text, warning = _render(chunk, translated, self.vtt)
            if output_mode == "bilingual":
                text = _bilingual(chunk, text)
            out.append(text + chunk.lines[-1][1])
            warnings += [warning] if warning else []
        text = "".join(out)

        def render(fh: IO[str]) -> list[str]:
            fh.write(text)
            return warnings

        return RebuildReport(write(dst, doc.encoding, render))


class SrtHandler(_SubtitleHandler):
    name = "srt"
    extensions = ("srt",)
    media_type = "application/x-subrip"
    vtt = False


class VttHandler(_SubtitleHandler):
    name = "vtt"
    extensions = ("vtt", "webvtt")
    media_type = "text/vtt"
    vtt = True


HANDLERS: tuple[FormatHandler, ...] = (SrtHandler(), VttHandler())
