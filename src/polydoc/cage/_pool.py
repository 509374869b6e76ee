"""A warm pool of parser processes, each under a memory ceiling, a CPU budget and a deadline.

A thread cannot stop a C loop (pdfminer resolving a reference to itself, qpdf inflating a bomb);
a process can be killed. The processes start once and serve many documents, so a one-paragraph
document pays a pipe round trip, not an interpreter's start-up. A process that dies (its memory
limit, its CPU budget) or misses its deadline is killed and replaced; the document fails with
`too_complex`. One that grew large or served many documents is retired after its answer.
"""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from collections.abc import Mapping
from multiprocessing.connection import Connection
from socket import socketpair

from polydoc import errors
from polydoc.errors import PolydocError

log = logging.getLogger("polydoc.cage")
_START_SECONDS = 120.0  # an interpreter importing every parser, on a loaded machine
_MAX_USES = 500


class TooComplex(errors.FormatError):
    code = "too_complex"
    default_message = "The document is too complex to read within the limits"


class CageBusy(PolydocError):
    code = "busy"
    http_status = 503
    default_message = "Every document reader is busy; try again in a few seconds"


def _error(name: str, code: str, message: str) -> PolydocError:
    cls = getattr(errors, name, None)
    if code == "too_complex":
        return TooComplex(message)
    if isinstance(cls, type) and issubclass(cls, PolydocError):
        return cls(message, code=code)
    return errors.FormatError(message, code=code)


class _Proc:
    """One parser process and our end of its socket."""

    def __init__(self, memory: int, cpu_seconds: int) -> None:
        ours, theirs = socketpair()
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "polydoc.cage._child",
                str(theirs.fileno()),
                str(memory),
                str(cpu_seconds),
            ],
            pass_fds=(theirs.fileno(),),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
        theirs.close()
        self.conn = Connection(ours.detach())
        self.ready = False
        self.uses = 0

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.conn.poll(_START_SECONDS):
            raise TimeoutError("a parser process did not start")
        self.conn.recv()
        self.ready = True

    def kill(self) -> None:
        self.proc.kill()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # pragma: no cover - a process the kernel cannot reap
            log.error("parser process %s did not exit", self.proc.pid)
        self.conn.close()


class Cage:
    """`call(op, args, seconds=…)` runs one op of `_ops` in a free process of the pool."""

    def __init__(self, size: int, *, memory_bytes: int, wait_seconds: float, max_seconds: float) -> None:
        self.size, self.memory, self.wait = max(1, size), memory_bytes, wait_seconds
        self.cpu = int(max_seconds) + 2
        self._idle: list[_Proc] = []
        self._free = threading.Semaphore(self.size)
        self._lock = threading.Lock()
        self._started = 0

    def prewarm(self) -> None:
        """Start every process now (they import their parsers in parallel with whatever follows)."""
        with self._lock:
            while self._started < self.size:
                self._idle.append(_Proc(self.memory, self.cpu))
                self._started += 1

    def _take(self) -> _Proc:
        if not self._free.acquire(timeout=self.wait):
            raise CageBusy()
        with self._lock:
            if self._idle:
                return self._idle.pop()
            self._started += 1
        try:
            return _Proc(self.memory, self.cpu)
        except BaseException:
            self._give_back(None)
            raise

    def _give_back(self, proc: _Proc | None) -> None:
        with self._lock:
            if proc is None:
                self._started -= 1
            else:
                self._idle.append(proc)
        self._free.release()

    def call(self, op: str, args: tuple, *, seconds: float, table: Mapping[str, str] | None = None) -> object:
        """The op's answer; its error as the PolydocError it raised; TooComplex when the process
        ran out of memory, CPU or `seconds` of its own time (time spent waiting for `table`'s
        answers, which may wait for the engine, is not counted)."""
        proc = self._take()
        healthy = False
        try:
            proc.wait_ready()
            proc.conn.send((op, args))
            answer = self._converse(proc, seconds, table)
            healthy = True
        except (EOFError, OSError, TimeoutError) as exc:
            log.warning("parser process %s stopped during %s: %s", proc.proc.pid, op, exc or "killed")
            raise TooComplex(
                f"Reading the document went beyond the limits ({seconds:g} s, "
                f"{self.memory // (1024 * 1024)} MB): it is too complex or hostile"
            ) from None
        finally:
            if healthy:
                proc.uses += 1
                retire = proc.uses >= _MAX_USES or answer[-1] > self.memory // 2
                if retire:
                    proc.kill()
                self._give_back(None if retire else proc)
            else:
                proc.kill()
                self._give_back(None)
        if answer[0] == "ok":
            return answer[1]
        raise _error(*answer[1:4])

    def _converse(self, proc: _Proc, seconds: float, table: Mapping[str, str] | None) -> tuple:
        budget = seconds
        while True:
            started = time.monotonic()
            if not proc.conn.poll(max(0.0, budget)):
                raise TimeoutError(f"no answer in {seconds:g} s")
            message = proc.conn.recv()
            budget -= time.monotonic() - started
            if message[0] == "get" and table is not None:
                proc.conn.send(table.get(message[1]))
            elif message[0] == "keys" and table is not None:
                proc.conn.send(list(table))
            else:
                return message

    def close(self) -> None:
        with self._lock:
            idle, self._idle = self._idle, []
            self._started -= len(idle)
        for proc in idle:
            proc.kill()
