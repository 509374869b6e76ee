"""Checks on one LLM translation against its source segment."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from polydoc.engines.openai._prompt import term_in
from polydoc.segments import TAG, same_tags, strip_tags, well_formed

# printf (%s, %2$d, %(name)s), brace ({0}, {name}, {{name}}) and shell-style (${var}) placeholders
PLACEHOLDER = re.compile(
    r"\{\{\s*[\w.\-]+\s*\}\}"
    r"|\$\{[\w.\-]+\}"
    r"|\{[\w.\-:]*\}"
    r"|(?<!%)%(?:\(\w+\)|\d+\$)?[-+#0]*\d*(?:\.\d+)?[sdifuxXeEgGc](?![A-Za-z])"
)
_MAX_GROWTH, _GROWTH_SLACK = 3, 40  # a translation longer than 3 × source + 40 characters ran on
_URL = re.compile(r"\b(?:https?://|www\.)\S+|\S+@\S+\.\w+")
_LETTER = re.compile(r"[^\W\d_]")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def placeholders(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(strip_tags(text)))


def problem(
    source: str, translated: str, glossary: Sequence[tuple[str, str]], *, same_language: bool = False
) -> str | None:
    """Why `translated` is not an acceptable translation of `source`, or None when it is."""
    if not strip_tags(translated).strip():
        return "empty translation"
    if _LETTER.search(strip_tags(source)) and not _LETTER.search(strip_tags(translated)):
        return "no words in the translation"
    if len(strip_tags(translated)) > _MAX_GROWTH * len(strip_tags(source)) + _GROWTH_SLACK:
        return "translation far longer than the source (the model ran on)"
    if not same_tags(source, translated):
        return "inline tags changed"
    if not well_formed(translated):
        return "inline tags out of order"
    if placeholders(source) != placeholders(translated):
        return "placeholders changed"
    if not same_language and _echoed(source, translated):
        return "source text returned untranslated"
    for src_term, tgt_term in glossary:
        if term_in(src_term, strip_tags(source)) and not term_in(tgt_term, strip_tags(translated)):
            return f"glossary term {src_term!r} not translated as {tgt_term!r}"
    return None


def _echoed(source: str, translated: str) -> bool:
    """The reply is the source itself, where the source plainly needed translating."""
    if _normal(source) != _normal(translated):
        return False
    words = _WORD.findall(_URL.sub(" ", PLACEHOLDER.sub(" ", strip_tags(source))))
    if len(words) <= 1:
        return False  # a single word, number or symbol: often the same in both languages
    # names, product names and acronyms (every word capitalised) may stay as they are
    return not all(w[0].isupper() for w in words)


def _normal(text: str) -> str:
    return " ".join(TAG.sub(" ", text).split()).casefold()
