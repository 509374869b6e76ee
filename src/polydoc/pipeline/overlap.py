"""Translations a handler can read while the engine is still producing them.

`polydoc translate` extracts, translates and rebuilds at once: the handler's `rebuild` runs in a
thread over a `StreamedTranslations`, and each lookup waits for that segment's translation. A
rebuild reads segments in document order, as they are translated, so the output is written while
the engine works rather than after it; a lookup out of order only waits longer.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Mapping


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
