"""Apertium, offline and rule-based: warm null-flush pipelines, one per pair per process.

Segments are streamed through the pipe (`_apertium_pipe`) in batches, restarted after N batches
or when idle too long; a process is never spawned per segment. Inside a batch, neighbouring
segments share one NUL-flushed chunk, each closed as a sentence and followed by a separator
superblank, as Apertium's own deformatters join paragraphs: every flush costs each of the
pipeline's dozen processes a round of small reads and writes.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from polydoc.config import get_settings
from polydoc.engines.apertium._pipe import ApertiumPipe, PipeRetired
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
CHUNK_CHARS = 64_000  # a batch is usually one chunk: every flush costs each stage


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
    ahead = 1  # the pipe takes the next batch while one is inside it

    def __init__(self, modes_dir: Path = MODES_DIR) -> None:
        settings = get_settings()
        self.timeout = settings.apertium_timeout
        self.restart_after = settings.apertium_restart_after
        self.max_idle = settings.apertium_idle_seconds
        self.modes = discover_modes(modes_dir)
        self._pipes: dict[tuple[str, str], ApertiumPipe] = {}
        self._pool_lock = threading.Lock()

    def supported_pairs(self) -> set[tuple[str, str]]:
        return set(self.modes)

    def warm(self, pair: LangPair) -> None:
        self._pipe((pair.source, pair.target))

    def _pipe(self, key: tuple[str, str]) -> ApertiumPipe:
        with self._pool_lock:
            pipe = self._pipes.get(key)
            if pipe is not None and not pipe.alive():
                pipe.close(grace=0)  # already stopped or signalled
                pipe = None
            elif pipe is not None and (
                pipe.uses >= self.restart_after or time.monotonic() - pipe.last_used > self.max_idle
            ):
                pipe.retire()  # batches already inside still get their answers
                pipe = None
            if pipe is None:
                if key not in self.modes:
                    raise EngineUnavailable(f"Apertium has no pair {key[0]}→{key[1]} installed")
                try:
                    pipe = ApertiumPipe(self.modes[key])
                except (OSError, subprocess.SubprocessError) as exc:
                    raise EngineUnavailable(f"Apertium could not start: {exc}") from exc
                self._pipes[key] = pipe
            return pipe

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
        try:
            return self._pipe(key).translate(chunks, self.timeout)
        except PipeRetired:  # another thread retired it between our picking and using it
            return self._pipe(key).translate(chunks, self.timeout)

    def _translate_joined(self, key: tuple[str, str], texts: list[str]) -> list[str]:
        """Raw Apertium answers, one per text, from as few chunks as CHUNK_CHARS allows.

        A chunk whose answer does not split back into its segments (a separator or closing dot
        moved) is translated again one segment per chunk, as the segments would be alone.
        """
        streams = [to_stream(t) for t in texts]
        dotted = [not strip_tags(t).rstrip().endswith(SENTENCE_END) for t in texts]
        closed = [s[:-2] + ".[]" if dot else s for s, dot in zip(streams, dotted, strict=True)]
        groups: list[list[int]] = [[]]
        size = 0
        for i, s in enumerate(closed):
            if groups[-1] and size + len(s) > CHUNK_CHARS:
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
            for pipe in self._pipes.values():
                pipe.close()
            self._pipes.clear()


def _keep_edges(source: str, translated: str) -> str:
    """Apertium trims or adds blanks at the edges; keep the source's leading/trailing white space."""
    core = translated.strip()
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    return f"{lead}{core}{trail}"
