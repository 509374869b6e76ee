"""Checks on one translated segment against its source (in the spirit of Translate Toolkit's pofilter).

Each check answers a `Finding` (a flag from `FLAGS` and a detail a person can act on) or None.
They read the tagged texts the engines exchange (`segments.py`): cheap string work, run on every
segment of every run, so each check starts with the test that settles the common case.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from polydoc.segments import (
    TAG,
    prose,
    protected_spans,
    strip_tags,
    tags_of,
    term_in,
    well_formed,
    without_spans,
)

# flag → what it means, for people (the README's table, the API's detail, the page's legend)
FLAGS = {
    "not_translated": "the engine gave no usable translation; the source text is kept",
    "tags_changed": "inline formatting (bold, links, breaks) lost, added or out of order",
    "placeholders_changed": "a placeholder such as {name} or %s is missing or new",
    "number_changed": "a number of the source is missing from the translation, or a new one appeared",
    "protected_changed": "a URL, e-mail address, path or identifier did not come back as it was",
    "untranslated": "the translation is the source text, or reads as the source language",
    "wrong_language": "the translation reads as another language than the target",
    "length_ratio": "the translation is far shorter or longer than usual for this language pair",
    "glossary_term_missing": "a glossary term of the source is not rendered as the glossary says",
    "inconsistent": "the same source text is translated in different ways in this run",
    "whitespace_changed": "leading or trailing spaces or line breaks differ from the source",
    "punctuation_changed": "the end punctuation differs from the source",
}
# flags that mean the segment is still in the source language
UNTRANSLATED = frozenset({"not_translated", "untranslated"})


@dataclass(frozen=True, slots=True)
class Finding:
    flag: str
    detail: str

    def as_json(self) -> dict[str, str]:
        return {"flag": self.flag, "detail": self.detail}


class Texts:
    """A source and its translation, with the forms the checks read computed once: `plain` without
    tags, `prose` also without URLs, addresses and ids (`segments.prose`)."""

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = source, target

    @cached_property
    def plain_source(self) -> str:
        return strip_tags(self.source)

    @cached_property
    def plain_target(self) -> str:
        return strip_tags(self.target)

    @cached_property
    def source_spans(self) -> list[tuple[int, int]]:
        return protected_spans(self.plain_source)

    @cached_property
    def prose_source(self) -> str:
        return without_spans(self.plain_source, self.source_spans)

    @cached_property
    def prose_target(self) -> str:
        return prose(self.target)


def tags(t: Texts) -> Finding | None:
    source, target = t.source, t.target
    if "<" not in source and "<" not in target:
        return None
    if tags_of(source) != tags_of(target):
        lost = tags_of(source) - tags_of(target)
        added = tags_of(target) - tags_of(source)
        parts = [f"lost {' '.join(_in_order(source, lost))}"] if lost else []
        parts += [f"added {' '.join(_in_order(target, added))}"] if added else []
        return Finding("tags_changed", "; ".join(parts))
    if not well_formed(target):
        return Finding("tags_changed", "inline tags out of order")
    return None


def _in_order(text: str, tags: Counter[str]) -> list[str]:
    """The tags of `tags` as they appear in `text`."""
    left, found = Counter(tags), []
    for m in TAG.finditer(text):
        if left[m.group(0)] > 0:
            left[m.group(0)] -= 1
            found.append(m.group(0))
    return found


# printf (%s, %2$d, %(name)s), brace ({0}, {name}, {{name}}) and shell-style (${var}) placeholders
PLACEHOLDER = re.compile(
    r"\{\{\s*[\w.\-]+\s*\}\}"
    r"|\$\{[\w.\-]+\}"
    r"|\{[\w.\-:]*\}"
    r"|(?<!%)%(?:\(\w+\)|\d+\$)?[-+#0]*\d*(?:\.\d+)?[sdifuxXeEgGc](?![A-Za-z])"
)


def placeholders_of(text: str) -> Counter[str]:
    return Counter(PLACEHOLDER.findall(strip_tags(text)))


def placeholders(t: Texts) -> Finding | None:
    if "{" not in t.source and "%" not in t.source and "{" not in t.target and "%" not in t.target:
        return None
    before, after = placeholders_of(t.source), placeholders_of(t.target)
    if before == after:
        return None
    return Finding("placeholders_changed", _difference(before, after))


# 1,234.56 · 1.234,56 · 1 234,56 · 12'345 (one grouping mark throughout), or plain 12.5 / 12,5
_DIGIT = re.compile(r"\d")
_NUMBER = re.compile(r"\d{1,3}([.,\u00a0\u202f' ’])\d{3}(?:\1\d{3})*(?:[.,]\d+)?|\d+(?:[.,]\d+)?")


def numbers_of(plain: str) -> dict[str, list[str]]:
    """The numbers of a text by their digits (as written): grouping and decimal marks differ
    between locales (1,234.5 in English is 1.234,5 in Spanish), the digits do not. Numbers inside
    URLs, ids and tags are not counted here (their own checks read them)."""
    found: dict[str, list[str]] = {}
    for m in _NUMBER.finditer(plain):
        digits = re.sub(r"\D", "", m.group(0)).lstrip("0") or "0"
        found.setdefault(digits, []).append(m.group(0))
    return found


def numbers(t: Texts) -> Finding | None:
    if not _DIGIT.search(t.source) and not _DIGIT.search(t.target):
        return None
    before, after = numbers_of(t.prose_source), numbers_of(t.prose_target)
    count = {k: len(v) for k, v in before.items()}
    if count == {k: len(v) for k, v in after.items()}:
        return None
    lost = [w for k, v in before.items() for w in v[len(after.get(k, ())) :]]
    added = [w for k, v in after.items() for w in v[len(before.get(k, ())) :]]
    parts = [f"missing {', '.join(lost)}"] if lost else []
    parts += [f"new {', '.join(added)}"] if added else []
    return Finding("number_changed", "; ".join(parts))


def protected(t: Texts) -> Finding | None:
    plain, spans = t.plain_source, t.source_spans
    if not spans:
        return None
    out = t.plain_target
    missing = [plain[a:b] for a, b in spans if plain[a:b] not in out]
    return Finding("protected_changed", "missing " + ", ".join(missing[:3])) if missing else None


_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")


def normalised(text: str) -> str:
    return " ".join(TAG.sub("", text).split()).casefold()


def needs_translating(source: str) -> bool:
    """Two or more words, not all capitalised: a text no language leaves as it is (a single word,
    a number, a name, a product name or an acronym may stay the same in both languages)."""
    words = _WORD.findall(prose(PLACEHOLDER.sub(" ", source)))
    return len(words) > 1 and not all(w[0].isupper() for w in words)


def echoed(source: str, target: str) -> bool:
    """The translation is the source itself, where the source plainly needed translating."""
    return normalised(source) == normalised(target) and needs_translating(source)


def identical(t: Texts) -> Finding | None:
    if echoed(t.source, t.target):
        return Finding("untranslated", "the translation is the source text")
    return None


# expected length of a translation against its source, by script: (lowest, highest) ratio
_DENSE = {"zh", "ja", "ko"}  # a character carries a word or a syllable
_BANDS = {
    (False, False): (0.45, 2.3),
    (False, True): (0.12, 1.1),
    (True, False): (0.9, 7.0),
    (True, True): (0.5, 2.0),
}
_MIN_LENGTH = 30  # shorter segments vary too much to judge ("OK" → "De acuerdo")


def length(t: Texts, source_language: str, target_language: str) -> Finding | None:
    before, after = len(" ".join(t.prose_source.split())), len(" ".join(t.prose_target.split()))
    if before < _MIN_LENGTH or after == 0:
        return None
    low, high = _BANDS[(source_language.split("-")[0] in _DENSE, target_language.split("-")[0] in _DENSE)]
    ratio = after / before
    if low <= ratio <= high:
        return None
    return Finding("length_ratio", f"{ratio:.2f}× the source's length (usual for this pair: {low}–{high}×)")


def glossary_terms(t: Texts, glossary: Sequence[tuple[str, str]]) -> Finding | None:
    if not glossary:
        return None
    plain, out = t.plain_source, t.plain_target
    missing = [f"{s!r} → {t!r}" for s, t in glossary if term_in(s, plain) and not term_in(t, out)]
    return Finding("glossary_term_missing", "; ".join(missing)) if missing else None


def _edge_space(text: str) -> tuple[str, str]:
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def whitespace(t: Texts) -> Finding | None:
    source, target = t.source, t.target
    if not (source[:1].isspace() or source[-1:].isspace() or target[:1].isspace() or target[-1:].isspace()):
        return None
    (lead, trail), (lead2, trail2) = _edge_space(source), _edge_space(target)
    if lead != lead2:
        return Finding("whitespace_changed", f"starts with {lead2!r} instead of {lead!r}")
    if trail != trail2:
        return Finding("whitespace_changed", f"ends with {trail2!r} instead of {trail!r}")
    return None


# end punctuation by what it does, whatever the script writes it with
_END = {".": ".", "。": ".", "।": ".", "۔": ".", "?": "?", "？": "?", "؟": "?", "!": "!", "！": "!"}
_END.update({":": ":", "：": ":", ";": ";", "；": ";", "؛": ";", "…": "…"})
_CLOSERS = "\"'»”’)]}》」』"


def _end_mark(plain: str) -> str | None:
    plain = plain.rstrip().rstrip(_CLOSERS).rstrip()
    if plain.endswith("..."):
        return "…"
    return _END.get(plain[-1:]) if plain else None


def punctuation(t: Texts) -> Finding | None:
    before, after = _end_mark(t.plain_source), _end_mark(t.plain_target)
    if before == after:
        return None
    said = {None: "no end punctuation"}
    return Finding(
        "punctuation_changed",
        f"ends with {said.get(after, repr(after))} instead of {said.get(before, repr(before))}",
    )


def _difference(before: Counter[str], after: Counter[str]) -> str:
    lost, added = before - after, after - before
    parts = [f"missing {', '.join(sorted(lost))}"] if lost else []
    parts += [f"new {', '.join(sorted(added))}"] if added else []
    return "; ".join(parts)
