"""Parsing in a cage: every parse of untrusted bytes runs in a limited process (issue 16).

Upload inspection and estimates in the API, extraction and rebuild in the worker all call the
handlers through these functions, never directly. Each process of the pool (`_pool`) has a
memory ceiling (`cage_memory_mb`, RLIMIT_AS), a CPU budget and a wall-clock deadline per
document (`cage_inspect_seconds` in the API, `cage_seconds` in the worker); beyond them the
document fails with `too_complex`. A rebuild runs in the cage too and asks the caller's table
for each translation as it needs it, so it still overlaps the engine.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from pathlib import Path

from polydoc.cage._pool import Cage, CageBusy, TooComplex
from polydoc.config import get_settings
from polydoc.formats.base import RebuildReport
from polydoc.segments import Segment

__all__ = ["CageBusy", "TooComplex", "extract", "get_cage", "inspect", "prewarm", "rebuild"]

_LOCK = threading.Lock()
_CAGE: Cage | None = None


def get_cage() -> Cage:
    """This process's pool, started on first use."""
    global _CAGE
    with _LOCK:
        if _CAGE is None:
            s = get_settings()
            _CAGE = Cage(
                max(s.cage_processes, s.worker_concurrency),
                memory_bytes=s.cage_memory_mb * 1024 * 1024,
                wait_seconds=s.cage_wait_seconds,
                max_seconds=max(s.cage_seconds, s.cage_inspect_seconds),
            )
        return _CAGE


def prewarm() -> None:
    get_cage().prewarm()


def inspect(path: Path, filename: str) -> tuple[str, int, list[str]]:
    """(format, pages, a sample of its prose) of an upload, or the FormatError that refuses it."""
    seconds = get_settings().cage_inspect_seconds
    return get_cage().call("inspect", (str(path), filename), seconds=seconds)  # type: ignore[return-value]


def extract(fmt: str, src: Path, *, seconds: float | None = None) -> list[Segment]:
    seconds = seconds or get_settings().cage_seconds
    return get_cage().call("extract", (fmt, str(src)), seconds=seconds)  # type: ignore[return-value]


def rebuild(
    fmt: str,
    src: Path,
    dst: Path,
    translations: Mapping[str, str],
    *,
    target_language: str,
    output_mode: str = "translated",
) -> RebuildReport:
    """The handler's rebuild, in the cage; `translations` is read as the rebuild needs it (time
    spent waiting for its answers does not count against the deadline)."""
    warnings = get_cage().call(
        "rebuild",
        (fmt, str(src), str(dst), target_language, output_mode),
        seconds=get_settings().cage_seconds,
        table=translations,
    )
    return RebuildReport(list(warnings))  # type: ignore[call-overload]
