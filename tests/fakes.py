"""In-memory fakes of Polydoc's interfaces, named as such (STYLE §3.8)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import ClassVar

from polydoc.engines.base import BatchContext, BatchResult, Engine, LangPair
from polydoc.formats.base import FormatHandler, RebuildReport
from polydoc.segments import TAG, Segment
from polydoc.storage.base import BlobStore

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


class MemoryBlobStore(BlobStore):
    """Fake blob store: blobs in a dict (the BlobStore interface, no disk, no network)."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put_file(self, key: str, path: Path) -> None:
        self.blobs[key] = path.read_bytes()

    def get_file(self, key: str, dest: Path) -> None:
        dest.write_bytes(self.blobs[key])

    def iter_bytes(self, key: str, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        data = self.blobs[key]
        for i in range(0, len(data), chunk_size):
            yield data[i : i + chunk_size]

    def delete(self, key: str) -> None:
        self.blobs.pop(key, None)

    def exists(self, key: str) -> bool:
        return key in self.blobs


class FakeFormatHandler(FormatHandler):
    """Fake format: every non-blank line of a UTF-8 text file is one segment, `line<N>` (N counts
    from 1). `rebuild` writes each line's translation in its place (or the source line when there is
    none); in "bilingual" mode, `source | translation`. It records its calls and returns
    `warnings` in its RebuildReport."""

    name: ClassVar[str] = "fake"
    extensions: ClassVar[tuple[str, ...]] = ("fake",)
    media_type: ClassVar[str] = "text/x-polydoc-fake"

    def __init__(self, warnings: Sequence[str] = ()) -> None:
        self.warnings = list(warnings)
        self.extracted: list[Path] = []
        self.rebuilt: list[dict] = []  # one per rebuild: translations seen, target, mode

    def _lines(self, src: Path) -> list[str]:
        return src.read_text(encoding="utf-8").splitlines()

    def extract(self, src: Path) -> Iterator[Segment]:
        self.extracted.append(src)
        for n, line in enumerate(self._lines(src), 1):
            if line.strip():
                yield Segment(f"line{n}", line)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        seen: dict[str, str] = {}
        out = []
        for n, line in enumerate(self._lines(src), 1):
            found = translations.get(f"line{n}") if line.strip() else None
            if found is None:
                out.append(line)
                continue
            seen[f"line{n}"] = found
            out.append(f"{line} | {found}" if output_mode == "bilingual" else found)
        dst.write_text("\n".join(out) + "\n", encoding="utf-8")
        self.rebuilt.append({"translations": seen, "target_language": target_language, "mode": output_mode})
        return RebuildReport(list(self.warnings))


class InProcessCage:
    """The cage's operations (`polydoc.cage._ops`) run in the test's own process, without the
    limited parser processes: for tests that register a handler or patch one in this process only."""

    def call(self, op: str, args: tuple, *, seconds: float, table: object = None) -> object:
        from polydoc.cage._ops import OPS

        return OPS[op](*args, table=table) if table is not None else OPS[op](*args)

    def prewarm(self) -> None:
        pass
