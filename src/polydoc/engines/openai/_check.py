"""Checks on one LLM translation against its source segment: a reply that fails one is asked again
(alone), then kept in the source language with the reason as the segment's quality flag."""

from __future__ import annotations

import re
from collections.abc import Sequence

from polydoc.quality import Finding, echoed
from polydoc.quality import checks as qa
from polydoc.segments import strip_tags

_MAX_GROWTH, _GROWTH_SLACK = 3, 40  # a translation longer than 3 × source + 40 characters ran on
_LETTER = re.compile(r"[^\W\d_]")


def problem(
    source: str, translated: str, glossary: Sequence[tuple[str, str]], *, same_language: bool = False
) -> Finding | None:
    """Why `translated` is not an acceptable translation of `source`, or None when it is."""
    plain = strip_tags(translated)
    if not plain.strip():
        return Finding("not_translated", "empty translation")
    if _LETTER.search(strip_tags(source)) and not _LETTER.search(plain):
        return Finding("not_translated", "no words in the translation")
    if len(plain) > _MAX_GROWTH * len(strip_tags(source)) + _GROWTH_SLACK:
        return Finding("length_ratio", "translation far longer than the source (the model ran on)")
    texts = qa.Texts(source, translated)
    for check in (qa.tags, qa.placeholders):
        found = check(texts)
        if found is not None:
            return found
    if not same_language and echoed(source, translated):
        return Finding("untranslated", "the translation is the source text")
    return qa.glossary_terms(texts, glossary)
