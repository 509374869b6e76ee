"""Quality checks on a run's translations: every doubtful segment gets a flag, the run a summary.

`check_translations` runs the per-segment checks (`checks.py`, `language.py`) once per distinct
source text (a document's repeats share their translation) and the one check that reads the run
as a whole: the same source text translated two ways. `Summary` counts the document's segments.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from polydoc.quality import checks
from polydoc.quality.checks import FLAGS, UNTRANSLATED, Finding, echoed
from polydoc.quality.language import written_in

__all__ = ["FLAGS", "Finding", "Pair", "Summary", "check_translations", "describe", "echoed", "summarise"]


@dataclass(frozen=True, slots=True)
class Pair:
    """What the checks need to know of a run."""

    source_language: str
    target_language: str
    glossary: Sequence[tuple[str, str]] = ()
    any_language: bool = False  # the engine can answer in any language (an LLM): identify every segment


def check_segment(source: str, target: str, pair: Pair) -> list[Finding]:
    t = checks.Texts(source, target)
    found = [
        checks.tags(t),
        checks.placeholders(t),
        checks.numbers(t),
        checks.protected(t),
        checks.identical(t),
        checks.length(t, pair.source_language, pair.target_language),
        checks.glossary_terms(t, pair.glossary),
        checks.whitespace(t),
        checks.punctuation(t),
    ]
    flags = [f for f in found if f is not None]
    if not any(f.flag == "untranslated" for f in flags):
        language = written_in(t, pair.source_language, pair.target_language, any_language=pair.any_language)
        if language is not None:
            flags.append(language)
    return flags


def check_translations(
    translations: Mapping[str, str],
    pair: Pair,
    *,
    failures: Mapping[str, Finding] | None = None,
    checked: Mapping[str, list[Finding]] | None = None,
) -> dict[str, list[Finding]]:
    """Source text → its findings (only the texts with any). A text the engine failed on carries
    the engine's reason alone: its "translation" is the source kept, the other checks say nothing more.
    `checked` holds `check_segment`'s findings already made (a run checks each batch as it comes)."""
    failures, checked = failures or {}, checked or {}
    found: dict[str, list[Finding]] = {}
    for source, target in translations.items():
        if source in failures:
            flags = [failures[source]]
        elif source in checked:
            flags = list(checked[source])
        else:
            flags = check_segment(source, target, pair)
        if flags:
            found[source] = flags
    for source, finding in _inconsistent(translations, failures):
        found.setdefault(source, []).append(finding)
    return found


def _inconsistent(
    translations: Mapping[str, str], failures: Mapping[str, Finding]
) -> Iterable[tuple[str, Finding]]:
    """Sources that differ only in tags, case or spacing, translated differently."""
    groups: dict[str, list[str]] = {}
    for source in translations:
        if source not in failures:
            groups.setdefault(checks.normalised(source), []).append(source)
    for sources in groups.values():
        if len(sources) < 2:
            continue
        ways = {checks.normalised(translations[s]) for s in sources}
        if len(ways) > 1:
            detail = f"translated {len(ways)} ways in this run"
            for source in sources:
                yield source, Finding("inconsistent", detail)


@dataclass
class Summary:
    segments_flagged: int = 0
    counts: Counter[str] = field(default_factory=Counter)  # flag → segments carrying it
    translated: int = 0  # segments whose text changed

    @property
    def nothing_translated(self) -> bool:
        """No segment changed and some were meant to: the run did not translate anything."""
        return self.translated == 0 and any(self.counts[f] for f in UNTRANSLATED)


def summarise(
    texts: Iterable[str], translations: Mapping[str, str], found: Mapping[str, list[Finding]]
) -> Summary:
    """Counts over the document's segments (`texts`, repeats included)."""
    summary = Summary()
    for text in texts:
        flags = found.get(text)
        if flags:
            summary.segments_flagged += 1
            summary.counts.update({f.flag for f in flags})
        if translations.get(text, text) != text:
            summary.translated += 1
    return summary


def describe(counts: Mapping[str, int]) -> str:
    """ "2 number_changed, 1 untranslated": the most frequent first."""
    return ", ".join(f"{n:,} {flag}" for flag, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
