"""Plain text: a paragraph (lines up to a blank line) is one segment.

Line breaks inside a paragraph travel as `<xN/>` so the translated paragraph keeps its lines;
blank lines, indentation and line endings are copied from the source. The file is read
line by line, so memory stays flat however long it is. Its encoding follows the text family's
rule (`_encoding`): kept when the translation fits, else UTF-8 with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import IO

from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.text import _encoding
from polydoc.segments import TAG, parse_tagged, same_tags

_HAS_WORD = re.compile(r"[^\W\d_]{2,}")


def _paragraphs(fh: IO[str]) -> Iterator[tuple[list[str], list[str]]]:
    """Yield (blank lines before, paragraph lines) pairs; line endings kept on each line."""
    blanks: list[str] = []
    para: list[str] = []
    for line in fh:
        if line.strip():
            para.append(line)
            continue
        if para:
            yield blanks, para
            blanks, para = [], []
        blanks.append(line)
    if para or blanks:
        yield blanks, para


def _split(line: str) -> tuple[str, str, str]:
    body = line.rstrip("\r\n")
    ending = line[len(body) :]
    stripped = body.lstrip()
    return body[: len(body) - len(stripped)], stripped, ending


def _segment_text(lines: list[str]) -> str:
    parts = []
    for i, line in enumerate(lines):
        _indent, body, _ending = _split(line)
        parts.append(body if i == 0 else f"<x{i}/>{body}")
    return "".join(parts)


class TextHandler(FormatHandler):
    name = "txt"
    extensions = ("txt", "text")
    media_type = "text/plain"

    def text_encoding(self, src: Path) -> str:
        return _encoding.sniff(src).codec

    def extract(self, src: Path) -> Iterator[Segment]:
        with _encoding.sniff(src).open(src) as fh:
            for n, (_blanks, para) in enumerate(_paragraphs(fh)):
                text = _segment_text(para) if para else ""
                if _HAS_WORD.search(TAG.sub(" ", text)):
                    yield Segment(f"p{n}", text)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        encoding = _encoding.sniff(src)

        def render(out: IO[str]) -> list[str]:
            warnings: list[str] = []
            with encoding.open(src) as fh:
                for n, (blanks, para) in enumerate(_paragraphs(fh)):
                    out.writelines(blanks)
                    translated = translations.get(f"p{n}")
                    if translated is None or not para:
                        out.writelines(para)
                        continue
                    out.write(self._render(para, translated, warnings, f"p{n}"))
            return warnings

        return RebuildReport(_encoding.write(dst, encoding, render))

    def _render(self, para: list[str], translated: str, warnings: list[str], sid: str) -> str:
        indent, _, _ = _split(para[0])
        endings = [_split(line)[2] for line in para]
        if not same_tags(_segment_text(para), translated):
            warnings.append(f"{sid}: the engine changed the line breaks; the paragraph was rejoined")
            return indent + TAG.sub(" ", translated).strip() + endings[-1]
        out = [indent]
        for piece in parse_tagged(translated):
            if piece.standalone is None:
                out.append(piece.text)
                continue
            i = piece.standalone
            line_indent, _, _ = _split(para[i])
            out.append(endings[i - 1] + line_indent)
        out.append(endings[-1])
        return "".join(out)


HANDLER = TextHandler()
