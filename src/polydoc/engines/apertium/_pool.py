"""Several warm pipelines for one pair (`POLYDOC_APERTIUM_PIPES`), so a batch uses several cores.

One Apertium pipeline is a dozen processes, but its slowest stage caps it below two cores' worth;
a batch large enough is cut into one part per pipe, the parts go in at once, and the answers are
put back in the batch's order. A small batch goes whole to the least busy pipe. A pipe that dies
under a part (killed, crashed, out of step) is replaced and the part sent once more to the new one,
so no batch is lost or answered twice; a timeout is not retried (the input may be what is slow).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

from polydoc.engines.apertium._pipe import ApertiumPipe, PipeRetired, Ticket
from polydoc.errors import EngineTimeout, EngineUnavailable

_ATTEMPTS = 2  # a part goes to a second pipe if the first died under it, not to a third
_RETIRED_RETRIES = 4  # a pipe retired between picking and using it: take the new one (bounded)


class PipePool:
    def __init__(self, mode: Path, size: int, *, restart_after: int, max_idle: float) -> None:
        self.mode = mode
        self.size = max(1, size)
        self.restart_after = restart_after
        self.max_idle = max_idle
        self._slots: list[ApertiumPipe | None] = [None] * self.size
        self._busy = [0] * self.size  # parts handed to each slot and not yet answered
        self._lock = threading.Lock()
        self._closed = False

    @property
    def pipes(self) -> list[ApertiumPipe]:
        with self._lock:
            return [p for p in self._slots if p is not None]

    def warm(self) -> None:
        with self._lock:
            for slot in range(self.size):
                self._fresh(slot)

    def translate(self, parts: list[list[str]], timeout: float) -> list[list[str]]:
        """Each part's answers, in order; part i goes to slot i (mod the pool's size), a lone part
        to the least busy pipe. Every part is in a pipe before the first answer is awaited."""
        with self._lock:
            if len(parts) == 1:  # a started pipe with nothing inside, else an empty slot, else the least busy
                slots = [min(range(self.size), key=lambda i: (self._busy[i], self._slots[i] is None, i))]
            else:
                slots = [i % self.size for i in range(len(parts))]
            for slot in slots:
                self._busy[slot] += 1
        try:
            sent = [self._send(slot, part) for slot, part in zip(slots, parts, strict=True)]
            return [
                self._collect(part, slot, pipe, ticket, timeout)
                for part, slot, (pipe, ticket) in zip(parts, slots, sent, strict=True)
            ]
        finally:
            with self._lock:
                for slot in slots:
                    self._busy[slot] -= 1

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pipes = [p for p in self._slots if p is not None]
            self._slots = [None] * self.size
        for pipe in pipes:
            pipe.close()

    # -- internals ----------------------------------------------------------------------------
    def _collect(self, part: list[str], slot: int, pipe: ApertiumPipe, ticket: Ticket, timeout: float) -> list[str]:
        """Wait for one part; if its pipe died under it, send it once more to the slot's new pipe."""
        for attempt in range(_ATTEMPTS):
            try:
                return pipe.wait(ticket, timeout)
            except EngineTimeout:
                raise
            except EngineUnavailable:
                if attempt + 1 == _ATTEMPTS or self._closed:
                    raise
            pipe, ticket = self._send(slot, part)
        raise AssertionError("unreachable")

    def _send(self, slot: int, part: list[str]) -> tuple[ApertiumPipe, Ticket]:
        for _ in range(_RETIRED_RETRIES):
            with self._lock:
                if self._closed:
                    raise EngineUnavailable("The Apertium pipelines were shut down")
                pipe = self._fresh(slot)
            try:
                return pipe, pipe.submit(part)
            except PipeRetired:  # another thread retired it between our picking and using it
                continue
        raise EngineUnavailable("The Apertium pipeline kept restarting")

    def _fresh(self, slot: int) -> ApertiumPipe:
        """The slot's pipe, replaced first if it died, served its quota or idled too long."""
        pipe = self._slots[slot]
        if pipe is not None and not pipe.alive():
            pipe.close(grace=0)  # already stopped or signalled
            pipe = None
        elif pipe is not None and (
            pipe.uses >= self.restart_after or time.monotonic() - pipe.last_used > self.max_idle
        ):
            pipe.retire()  # parts already inside still get their answers
            pipe = None
        if pipe is None:
            pipe = ApertiumPipe(self.mode)
            self._slots[slot] = pipe
        return pipe
