"""Tokens no engine may touch, carried through it as placeholders (for every engine).

Before a batch goes to an engine, each URL, e-mail address, path, file name and identifier in its
texts (`segments.protected_spans`) is swapped for a standalone tag, the mechanism the formats use
for inline code: Apertium keeps an `<xN/>` as a superblank where it was, an LLM is told to keep
tags and its reply is checked for them. After the engine, the tags are replaced by the original
characters, so `www.amazon.com` or `3OQX89CUTAV1X` come back byte for byte. A token that crosses
formatting (`www.ama<g1>zon</g1>.com`) is masked piece by piece, so the formatting tags stay. A
translation that lost one of the placeholders is not used: the segment keeps its source text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from polydoc.segments import TAG, protected_spans

FIRST_ID = 70_000  # above the handlers' ids and the glossary's (9000…)
_PLACEHOLDER = re.compile(r"<x(\d+)/>")


def protect(texts: Sequence[str]) -> tuple[list[str], list[dict[int, str]]]:
    """Masked texts and, per text, placeholder id -> the characters it stands for."""
    masked, tables = [], []
    for text in texts:
        table: dict[int, str] = {}
        masked.append(_mask(text, table))
        tables.append(table)
    return masked, tables


def _mask(text: str, table: dict[int, str]) -> str:
    # the untagged text, and where each of its characters sits in the tagged one
    plain: list[str] = []
    where: list[int] = []
    pos = 0
    for tag in (*TAG.finditer(text), None):
        stop = tag.start() if tag else len(text)
        plain.append(text[pos:stop])
        where.extend(range(pos, stop))
        pos = tag.end() if tag else stop
    spans = protected_spans("".join(plain))
    if not spans:
        return text
    out: list[str] = []
    pos = 0
    for start, end in spans:
        first, last = where[start], where[end - 1] + 1
        out.append(text[pos:first])
        piece_start = first
        for tag in (*TAG.finditer(text, first, last), None):  # tags inside the token stay as they are
            piece_end = tag.start() if tag else last
            if piece_end > piece_start:
                n = FIRST_ID + len(table)
                table[n] = text[piece_start:piece_end]
                out.append(f"<x{n}/>")
            if tag:
                out.append(tag.group(0))
                piece_start = tag.end()
        pos = last
    out.append(text[pos:])
    return "".join(out)


def restore(texts: Sequence[str], tables: Sequence[dict[int, str]]) -> tuple[list[str], list[int]]:
    """Texts with the original characters back, and the indexes whose translation lost (or
    repeated) a placeholder: the caller keeps their source text instead."""
    out, broken = [], []
    for i, (text, table) in enumerate(zip(texts, tables, strict=True)):
        if not table:
            out.append(text)
            continue
        found = [int(m.group(1)) for m in _PLACEHOLDER.finditer(text) if int(m.group(1)) in table]
        if sorted(found) != sorted(table):
            broken.append(i)
        out.append(_PLACEHOLDER.sub(lambda m, table=table: table.get(int(m.group(1)), m.group(0)), text))
    return out, broken
