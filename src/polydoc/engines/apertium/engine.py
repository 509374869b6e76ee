"""Apertium, offline and rule-based: warm null-flush pipelines, `POLYDOC_APERTIUM_PIPES` per pair.

Segments are streamed through the pipes (`_pipe`, pooled in `_pool`) in batches, each pipe
restarted after N batches or when idle too long; a process is never spawned per segment. Inside a
batch, neighbouring segments share one NUL-flushed chunk, each closed as a sentence and followed by
a separator superblank, as Apertium's own deformatters join paragraphs: every flush costs each of
the pipeline's dozen processes a round of small reads and writes. A batch big enough is cut into
one chunk per pipe, so a document's batches use every pipe at once.
"""

from __future__ import annotations

import math
import re
import subprocess
import threading
from collections.abc import Sequence
from pathlib import Path

from polydoc.config import get_settings
from polydoc.engines.apertium._pool import PipePool
from polydoc.engines.apertium._stream import from_stream, to_stream
from polydoc.engines.base import BatchContext, BatchResult, Engine, LangPair
from polydoc.errors import EngineUnavailable
from polydoc.languages import normalise
from polydoc.segments import strip_tags

MODES_DIR = Path("/usr/share/apertium/modes")
_WORD = re.compile(r"\w+")
# Apertium marks words it could not generate (#) or transfer (@) even with -n
_MARKS = re.compile(r"(?<![\w\\])[#@](?=\w)")
# between two segments of one chunk; to_stream escapes every "[" of the text, so it is unambiguous
SEPARATOR = "[polydoc:next]"
SENTENCE_END = (".", ":", ";", "?", "!")  # Apertium tags these <sent>: no rule reaches across them
CHUNK_CHARS = 64_000  # a batch is usually one chunk per pipe: every flush costs each stage
MIN_PART_CHARS = 2_000  # below this a batch is not worth cutting for a second pipe


def word_tokens(text: str) -> int:
    return len(_WORD.findall(strip_tags(text)))


def discover_modes(modes_dir: Path = MODES_DIR) -> dict[tuple[str, str], Path]:
    """(source, target) -> mode file, for every installed mode whose codes we understand."""
    pairs: dict[tuple[str, str], Path] = {}
    if not modes_dir.is_dir():
        return pairs
    for mode in sorted(modes_dir.glob("*.mode"), key=lambda p: (p.stem.count("_"), p.stem)):
        parts = mode.stem.split("-")
        if len(parts) != 2 or "_" in parts[0]:
            continue
        src, tgt = parts
        if "_" in tgt and tgt.split("_", 1)[1] not in {"BR", "US", "GB", "PT"}:
            continue  # orthographic variants (valencia, iec2017…) are not language tags
        try:
            pair = (normalise(src), normalise(tgt.replace("_", "-")))
        except Exception:
            continue
        pairs.setdefault(pair, mode)
    return pairs


class ApertiumEngine(Engine):
    name = "apertium"
    batch_size = 200
    ahead = 1  # the pipes take the next batch while one is inside them

    def __init__(self, modes_dir: Path = MODES_DIR, *, pipes: int | None = None) -> None:
        settings = get_settings()
        self.timeout = settings.apertium_timeout
        self.restart_after = settings.apertium_restart_after
        self.max_idle = settings.apertium_idle_seconds
        self.pipes = max(1, pipes or settings.apertium_pipes)
        self.modes = discover_modes(modes_dir)
        self._pools: dict[tuple[str, str], PipePool] = {}
        self._pool_lock = threading.Lock()

    def supported_pairs(self) -> set[tuple[str, str]]:
        return set(self.modes)

    def warm(self, pair: LangPair) -> None:
        pool = self._pool((pair.source, pair.target))
        try:
            pool.warm()
        except (OSError, subprocess.SubprocessError) as exc:
            raise EngineUnavailable(f"Apertium could not start: {exc}") from exc

    def _pool(self, key: tuple[str, str]) -> PipePool:
        with self._pool_lock:
            pool = self._pools.get(key)
            if pool is None:
                if key not in self.modes:
                    raise EngineUnavailable(f"Apertium has no pair {key[0]}→{key[1]} installed")
                pool = PipePool(
                    self.modes[key], self.pipes, restart_after=self.restart_after, max_idle=self.max_idle
                )
                self._pools[key] = pool
            return pool

    def translate_batch(
        self, pair: LangPair, texts: Sequence[str], *, context: BatchContext | None = None
    ) -> BatchResult:
        if not texts:
            return BatchResult([])
        raw = self._translate_joined((pair.source, pair.target), list(texts))
        out = []
        for src, text in zip(texts, raw, strict=True):
            text = from_stream(text)
            if "#" not in src and "@" not in src:
                text = _MARKS.sub("", text)
            out.append(_keep_edges(src, text))
        return BatchResult(
            out,
            input_tokens=sum(word_tokens(t) for t in texts),
            output_tokens=sum(word_tokens(t) for t in out),
        )

    def _send(self, key: tuple[str, str], chunks: list[str]) -> list[str]:
        """One answer per chunk; the chunks are dealt out over the pair's pipes and go in at once."""
        pool = self._pool(key)
        n = min(pool.size, len(chunks))
        try:
            answers = pool.translate([chunks[j::n] for j in range(n)], self.timeout)
        except (OSError, subprocess.SubprocessError) as exc:
            raise EngineUnavailable(f"Apertium could not start: {exc}") from exc
        out = [""] * len(chunks)
        for j, part in enumerate(answers):
            out[j::n] = part
        return out

    def _translate_joined(self, key: tuple[str, str], texts: list[str]) -> list[str]:
        """Raw Apertium answers, one per text, from as few chunks as CHUNK_CHARS allows.

        A chunk whose answer does not split back into its segments (a separator or closing dot
        moved) is translated again one segment per chunk, as the segments would be alone.
        """
        streams = [to_stream(t) for t in texts]
        dotted = [not strip_tags(t).rstrip().endswith(SENTENCE_END) for t in texts]
        closed = [s[:-2] + ".[]" if dot else s for s, dot in zip(streams, dotted, strict=True)]
        # one chunk per pipe when the batch is worth cutting, never more than CHUNK_CHARS a chunk
        total = sum(len(s) + len(SEPARATOR) for s in closed)
        limit = min(CHUNK_CHARS, max(MIN_PART_CHARS, math.ceil(total / self.pipes)))
        groups: list[list[int]] = [[]]
        size = 0
        for i, s in enumerate(closed):
            if groups[-1] and size + len(s) > limit:
                groups.append([])
                size = 0
            groups[-1].append(i)
            size += len(s) + len(SEPARATOR)
        answers = self._send(key, [SEPARATOR.join(closed[i] for i in g) for g in groups])
        raw: list[str | None] = [None] * len(texts)
        retry: list[int] = []
        for group, answer in zip(groups, answers, strict=True):
            pieces = answer.split(SEPARATOR)
            if len(pieces) != len(group):
                retry.extend(group)
                continue
            for i, piece in zip(group, pieces, strict=True):
                if not dotted[i]:
                    raw[i] = piece
                elif piece.endswith(".[]"):
                    raw[i] = piece[:-3] + "[]"  # the dot we added
                else:
                    retry.append(i)
        if retry:
            for i, answer in zip(retry, self._send(key, [streams[i] for i in retry]), strict=True):
                raw[i] = answer
        return [r or "" for r in raw]

    def close(self) -> None:
        with self._pool_lock:
            pools = list(self._pools.values())
            self._pools.clear()
        for pool in pools:
            pool.close()


def _keep_edges(source: str, translated: str) -> str:
    """Apertium trims or adds blanks at the edges; keep the source's leading/trailing white space."""
    core = translated.strip()
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    return f"{lead}{core}{trail}"
