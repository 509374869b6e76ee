"""Apertium, offline and rule-based: warm null-flush pipelines, one per pair per process.

Mechanics after apertium-apy: a lock per pipe, a sentinel chunk after each batch so the
reader knows the pipe is in step, a read timeout that marks the pipe stuck, and restarts
after N batches or when idle too long. Segments are streamed through the pipe in batches;
a process is never spawned per segment.
"""

from __future__ import annotations

import os
import re
import secrets
import select
import subprocess
import threading
import time
from collections.abc import Sequence
from pathlib import Path

from polydoc.config import get_settings
from polydoc.engines._apertium_stream import from_stream, to_stream
from polydoc.engines.base import BatchContext, BatchResult, Engine, LangPair
from polydoc.errors import EngineTimeout, EngineUnavailable
from polydoc.formats._tags import strip_tags
from polydoc.languages import normalise

MODES_DIR = Path("/usr/share/apertium/modes")
_WORD = re.compile(r"\w+")
# Apertium marks words it could not generate (#) or transfer (@) even with -n
_MARKS = re.compile(r"(?<![\w\\])[#@](?=\w)")


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


class _Pipe:
    def __init__(self, mode: Path) -> None:
        script = subprocess.run(
            ["apertium-wblank-mode", "-z", str(mode)], capture_output=True, text=True, timeout=30, check=True
        ).stdout
        # $1 = lt-proc generation option (-n: no unknown-word marks), $2 = extra tagger option
        self.proc = subprocess.Popen(
            ["bash", "-c", script, "apertium", "-n", ""],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.lock = threading.Lock()
        self.uses = 0
        self.last_used = time.monotonic()
        self.stuck = False
        self._buf = b""

    def alive(self) -> bool:
        return self.proc.poll() is None and not self.stuck

    def translate(self, chunks: list[str], timeout: float) -> list[str]:
        nonce = f"polydoc-{secrets.token_hex(6)}"
        payload = b"".join(c.encode() + b"\0" for c in chunks) + f"[{nonce}]\0".encode()
        error: list[BaseException] = []

        def write() -> None:
            try:
                assert self.proc.stdin is not None
                self.proc.stdin.write(payload)
                self.proc.stdin.flush()
            except (BrokenPipeError, OSError) as exc:
                error.append(exc)

        writer = threading.Thread(target=write, daemon=True)  # avoid pipe-buffer deadlock
        writer.start()
        outputs: list[str] = []
        deadline = time.monotonic() + timeout
        fd = self.proc.stdout.fileno()  # type: ignore[union-attr]
        while len(outputs) < len(chunks) + 1:
            while b"\0" in self._buf and len(outputs) < len(chunks) + 1:
                out, self._buf = self._buf.split(b"\0", 1)
                outputs.append(out.decode("utf-8", "replace"))
            if len(outputs) >= len(chunks) + 1:
                break
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                self.stuck = True
                raise EngineTimeout(f"Apertium did not answer within {timeout:.0f} s")
            ready, _, _ = select.select([fd], [], [], min(remaining, 1.0))
            if ready:
                data = os.read(fd, 1 << 16)
                if not data:
                    self.stuck = True
                    raise EngineUnavailable("The Apertium pipeline stopped unexpectedly")
                self._buf += data
        writer.join(timeout=1)
        if error or nonce not in outputs[-1]:
            self.stuck = True
            raise EngineUnavailable("The Apertium pipeline fell out of step")
        self.uses += 1
        self.last_used = time.monotonic()
        return outputs[:-1]

    def close(self) -> None:
        try:
            if self.proc.stdin:
                self.proc.stdin.close()
            self.proc.terminate()
            self.proc.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


class ApertiumEngine(Engine):
    name = "apertium"
    batch_size = 200
    keeps_tags = True

    def __init__(self, modes_dir: Path = MODES_DIR) -> None:
        settings = get_settings()
        self.timeout = settings.apertium_timeout
        self.restart_after = settings.apertium_restart_after
        self.max_idle = settings.apertium_idle_seconds
        self.modes = discover_modes(modes_dir)
        self._pipes: dict[tuple[str, str], _Pipe] = {}
        self._pool_lock = threading.Lock()

    def supported_pairs(self) -> set[tuple[str, str]]:
        return set(self.modes)

    def _pipe(self, key: tuple[str, str]) -> _Pipe:
        with self._pool_lock:
            pipe = self._pipes.get(key)
            stale = pipe is not None and (
                not pipe.alive()
                or pipe.uses >= self.restart_after
                or time.monotonic() - pipe.last_used > self.max_idle
            )
            if pipe is None or stale:
                if pipe is not None:
                    pipe.close()
                if key not in self.modes:
                    raise EngineUnavailable(f"Apertium has no pair {key[0]}→{key[1]} installed")
                try:
                    pipe = _Pipe(self.modes[key])
                except (OSError, subprocess.SubprocessError) as exc:
                    raise EngineUnavailable(f"Apertium could not start: {exc}") from exc
                self._pipes[key] = pipe
            return pipe

    def translate_batch(
        self, pair: LangPair, texts: Sequence[str], *, context: BatchContext | None = None
    ) -> BatchResult:
        if not texts:
            return BatchResult([])
        pipe = self._pipe((pair.source, pair.target))
        with pipe.lock:
            raw = pipe.translate([to_stream(t) for t in texts], self.timeout)
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
