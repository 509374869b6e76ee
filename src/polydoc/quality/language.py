"""Is a translation written in the target language? Offline language identification (py3langid).

Identification costs ~60 µs a segment and loads a model on first use, so it runs where it can
find something: on every segment for engines that can answer in any language (LLMs), and for
rule-based engines (Apertium writes only its target language, or leaves words it does not know
as they are) only on segments that kept most of their source's words.
"""

from __future__ import annotations

import re

from polydoc import languages
from polydoc.quality.checks import Finding, Texts

_WORD = re.compile(r"[^\W\d_]{2,}")
_MIN_WORDS, _MIN_LETTERS = 4, 25  # below that, identification guesses between close languages
_SURE, _UNLIKELY = 0.9, 0.01  # the reading is this sure, and the target this unlikely
_KEPT_WORDS = 0.6  # share of the translation's words found in its source: maybe left untranslated


def _base(code: str) -> str:
    return code.split("-")[0].lower()


def written_in(t: Texts, source_language: str, target_language: str, *, any_language: bool) -> Finding | None:
    """`untranslated` when the translation reads as the source language, `wrong_language` when it
    reads as a third one (only for engines that can answer in any language)."""
    src, tgt = _base(source_language), _base(target_language)
    if src == tgt:
        return None
    text = t.prose_target
    words = _WORD.findall(text)
    if len(words) < _MIN_WORDS or sum(len(w) for w in words) < _MIN_LETTERS:
        return None
    if not any_language:
        source_words = {w.casefold() for w in _WORD.findall(t.prose_source)}
        kept = sum(1 for w in words if w.casefold() in source_words)
        if kept < _KEPT_WORDS * len(words):
            return None
    reading, sure, odds = languages.reading(text, (tgt,))
    if odds[tgt] >= _UNLIKELY or sure < _SURE:
        return None
    name = languages.display_name(reading)
    if reading == src:
        return Finding("untranslated", f"the translation reads as {name}, the source language")
    if any_language:
        return Finding(
            "wrong_language", f"the translation reads as {name}, not {languages.display_name(tgt)}"
        )
    return None
