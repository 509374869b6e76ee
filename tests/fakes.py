"""In-memory fakes of Polydoc's interfaces, named as such (STYLE §3.8)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from polydoc.engines.base import BatchContext, BatchResult, Engine, LangPair
from polydoc.formats._tags import TAG

_WORD = re.compile(r"[A-Za-z]+")


def mark_words(text: str) -> str:
    """A visible, deterministic 'translation': every word outside tags gets an 'es:' prefix
    and is reversed in case, so tests can tell translated text from source text."""
    out, pos = [], 0
    for m in TAG.finditer(text):
        out.append(_WORD.sub(lambda w: "es" + w.group(0).upper(), text[pos : m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(_WORD.sub(lambda w: "es" + w.group(0).upper(), text[pos:]))
    return "".join(out)


class FakeEngine(Engine):
    """Fake engine: applies a plain function to each text; counts words as tokens."""

    name = "fake"
    batch_size = 50

    def __init__(self, fn: Callable[[str], str] = mark_words, pairs: set[tuple[str, str]] | None = None):
        self.fn = fn
        self.pairs = pairs or {("en", "es"), ("en", "ca"), ("es", "en")}
        self.calls: list[list[str]] = []

    def supported_pairs(self) -> set[tuple[str, str]]:
        return self.pairs

    def translate_batch(
        self, pair: LangPair, texts: Sequence[str], *, context: BatchContext | None = None
    ) -> BatchResult:
        self.calls.append(list(texts))
        out = [self.fn(t) for t in texts]
        return BatchResult(
            out,
            input_tokens=sum(len(_WORD.findall(t)) for t in texts),
            output_tokens=sum(len(_WORD.findall(t)) for t in out),
        )


def identity(text: str) -> str:
    return text
