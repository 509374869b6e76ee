"""In-memory fakes of Polydoc's interfaces, named as such (STYLE §3.8)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from polydoc.engines.base import BatchContext, BatchResult, Engine, LangPair
from polydoc.segments import TAG

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


class MemoryBlobStore:
    """Fake blob store: blobs in a dict (the BlobStore interface, no disk, no network)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put_file(self, key: str, path) -> None:  # noqa: ANN001
        self.blobs[key] = path.read_bytes()

    def get_file(self, key: str, dest) -> None:  # noqa: ANN001
        dest.write_bytes(self.blobs[key])

    def iter_bytes(self, key: str, chunk_size: int = 1 << 16):  # noqa: ANN201
        data = self.blobs[key]
        for i in range(0, len(data), chunk_size):
            yield data[i : i + chunk_size]

    def delete(self, key: str) -> None:
        self.blobs.pop(key, None)

    def exists(self, key: str) -> bool:
        return key in self.blobs
