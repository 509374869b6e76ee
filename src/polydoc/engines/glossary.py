"""Glossary terms for engines that cannot take instructions (Apertium).

Each source term found in a segment is swapped for a standalone tag before translation, so
the engine carries it through untouched, and the tag is replaced by the target term after.
Longer terms are matched first, whole words only, ignoring case.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from polydoc.segments import TAG

FIRST_ID = 9000  # far above the ids handlers use


def of_options(options: Mapping[str, object]) -> tuple[tuple[str, str], ...]:
    """The (source, target) terms a run's options carry (copied there from a stored glossary)."""
    return tuple((str(a), str(b)) for a, b in options.get("glossary") or ())  # type: ignore[union-attr]


def _pattern(glossary: Sequence[tuple[str, str]]) -> re.Pattern[str] | None:
    terms = sorted({s for s, _ in glossary if s.strip()}, key=len, reverse=True)
    if not terms:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(t) for t in terms) + r")(?!\w)", re.IGNORECASE)


def protect(
    texts: Sequence[str], glossary: Sequence[tuple[str, str]]
) -> tuple[list[str], list[dict[int, str]]]:
    """Masked texts and, per text, tag id -> target term."""
    pattern = _pattern(glossary)
    targets = {s.lower(): t for s, t in glossary}
    if pattern is None:
        return list(texts), [{} for _ in texts]
    masked, tables = [], []
    for text in texts:
        table: dict[int, str] = {}
        parts: list[str] = []

        def swap(m: re.Match[str], table: dict[int, str] = table) -> str:
            n = FIRST_ID + len(table)
            table[n] = targets[m.group(1).lower()]
            return f"<x{n}/>"

        pos = 0
        for tag in TAG.finditer(text):  # never match inside our own tags
            parts += [pattern.sub(swap, text[pos : tag.start()]), tag.group(0)]
            pos = tag.end()
        parts.append(pattern.sub(swap, text[pos:]))
        masked.append("".join(parts))
        tables.append(table)
    return masked, tables


def restore(texts: Sequence[str], tables: Sequence[dict[int, str]]) -> list[str]:
    out = []
    for text, table in zip(texts, tables, strict=True):
        for n, term in table.items():
            tag = f"<x{n}/>"
            text = text.replace(tag, term, 1) if tag in text else f"{text} {term}"
        out.append(text)
    return out
