"""Translating while rebuilding: the driver a run and `polydoc translate` share.

Extraction, translation and rebuild overlap: the handler's `rebuild` runs in a thread over a
`StreamedTranslations`, and each lookup waits for that segment's translation. A rebuild reads
segments in document order, as they are translated, so the output is written while the engine
works rather than after it; a lookup out of order only waits longer. `translate_while_rebuilding`
owns that thread; `send_batches` keeps the engine's read-ahead batches in order. What differs
(the run's memory, lease and progress; the local CLI's de-duplication as it reads) is the caller's.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from polydoc.engines import BatchContext, BatchResult, Route, translate_batches

if TYPE_CHECKING:
    from polydoc.formats.base import RebuildReport, Segment


class TranslationAbandoned(Exception):
    """The translation failed; the rebuild reading from it stops."""


class StreamedTranslations(Mapping[str, str]):
    """Segment id → translation. Lookups block until the answer is known."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._text_of: dict[str, str] = {}  # segment id -> its source text
        self._done: dict[str, str] = {}  # source text -> translation
        self._complete = False
        self._failed = False

    def add_segment(self, segment_id: str, text: str) -> None:
        with self._changed:  # no wake-up: a reader only waits for translations
            self._text_of[segment_id] = text

    def add_translations(self, pairs: Iterable[tuple[str, str]]) -> None:
        with self._changed:
            self._done.update(pairs)
            self._changed.notify_all()

    def complete(self) -> None:
        """Every segment is known and every translation that will come has come."""
        with self._changed:
            self._complete = True
            self._changed.notify_all()

    def abandon(self) -> None:
        with self._changed:
            self._failed = True
            self._changed.notify_all()

    def by_source(self) -> dict[str, str]:
        """Source text → translation, as far as they have come."""
        with self._changed:
            return dict(self._done)

    def _lookup(self, segment_id: str) -> str | None:
        with self._changed:
            while True:
                if self._failed:
                    raise TranslationAbandoned
                text = self._text_of.get(segment_id)
                if text is not None and text in self._done:
                    return self._done[text]
                if self._complete:
                    return None  # not a segment, or one the engine did not translate
                self._changed.wait()

    def _settled(self) -> dict[str, str]:
        with self._changed:
            self._changed.wait_for(lambda: self._complete or self._failed)
            if self._failed:
                raise TranslationAbandoned
            return {k: self._done[t] for k, t in self._text_of.items() if t in self._done}

    def __getitem__(self, segment_id: str) -> str:
        found = self._lookup(segment_id)
        if found is None:
            raise KeyError(segment_id)
        return found

    def get(self, segment_id: str, default: str | None = None) -> str | None:  # type: ignore[override]
        found = self._lookup(segment_id)
        return default if found is None else found

    def __contains__(self, segment_id: object) -> bool:
        return isinstance(segment_id, str) and self._lookup(segment_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._settled())

    def __len__(self) -> int:
        return len(self._settled())


def translate_while_rebuilding(
    rebuild: Callable[[StreamedTranslations], RebuildReport],
    translate: Callable[[StreamedTranslations, Callable[[], bool]], None],
    *,
    segments: Iterable[Segment] = (),
    translated: Callable[[], None] = lambda: None,
) -> RebuildReport:
    """Run `rebuild(table)` in a thread while `translate(table, stop)` hands it translations.

    `segments` already known are in the table before the rebuild starts. `stop()` turns true when
    the rebuild failed: no more batches are worth sending, and its error is the one to report.
    `translated()` runs once every translation is in, while the rebuild finishes. On any failure
    the table is abandoned, so the rebuild stops at its next lookup."""
    table = StreamedTranslations()
    for seg in segments:
        table.add_segment(seg.id, seg.text)
    with ThreadPoolExecutor(1, thread_name_prefix="rebuild") as pool:
        rebuilt = pool.submit(rebuild, table)
        try:
            translate(table, lambda: rebuilt.done() and rebuilt.exception() is not None)
            table.complete()
            translated()
        except BaseException:
            table.abandon()  # the rebuild stops at its next lookup
            raise
    return rebuilt.result()  # the thread has ended: its output is complete or left alone


def send_batches(
    route: Route,
    requests: Iterable[tuple[list[str], BatchContext]],
    *,
    into: StreamedTranslations,
    stop: Callable[[], bool],
) -> Iterator[tuple[list[str], BatchResult, float]]:
    """(batch, result, seconds waited) per batch, in order, its translations already handed to
    `into`; the engine has its read-ahead batches while the caller handles one (`translate_batches`).
    No batch is sent once `stop()` is true."""
    sent: deque[list[str]] = deque()  # batches inside translate_batches, oldest first

    def tracked() -> Iterator[tuple[list[str], BatchContext]]:
        for batch, context in requests:
            if stop():
                return
            sent.append(batch)
            yield batch, context

    for result, seconds in translate_batches(route, tracked()):
        batch = sent.popleft()
        into.add_translations(zip(batch, result.texts, strict=True))
        yield batch, result, seconds
