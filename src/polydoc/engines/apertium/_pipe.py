"""One warm `apertium-wblank-mode -z` pipeline with several batches in flight, answered in order.

Mechanics after apertium-apy: a nonce chunk after each batch proves the pipe is in step and a
timeout marks it stuck. Unlike APY's lock held for a whole request, a writer thread and a reader
thread let the next batch enter the pipeline while the previous one is still inside it: the
pipeline's stages are separate processes, and they would otherwise drain between batches.
"""

from __future__ import annotations

import os
import queue
import secrets
import signal
import subprocess
import threading
import time
from collections import deque
from pathlib import Path

from polydoc.errors import EngineTimeout, EngineUnavailable, PolydocError


class PipeRetired(EngineUnavailable):
    """The pipe stopped taking batches (it is being replaced); the caller takes the new one."""


class Ticket:
    """One batch written to the pipe: its answers arrive in the order the chunks were written."""

    __slots__ = ("done", "error", "expected", "nonce", "outputs")

    def __init__(self, expected: int, nonce: str) -> None:
        self.expected = expected
        self.nonce = nonce
        self.outputs: list[str] = []
        self.done = threading.Event()
        self.error: PolydocError | None = None


class ApertiumPipe:
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
            start_new_session=True,  # its own process group: one signal stops every stage
        )
        self.uses = 0
        self.last_used = time.monotonic()
        self.stuck = False
        self._retiring = False
        self._lock = threading.RLock()  # guards the waiting queue and the write order
        self._waiting: deque[Ticket] = deque()
        self._writes: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        threading.Thread(target=self._write_loop, name="apertium-writer", daemon=True).start()
        threading.Thread(target=self._read_loop, name="apertium-reader", daemon=True).start()

    def alive(self) -> bool:
        return self.proc.poll() is None and not self.stuck and not self._retiring

    def translate(self, chunks: list[str], timeout: float) -> list[str]:
        """Send NUL-separated chunks; return their answers. Other threads may have batches in flight."""
        return self.wait(self.submit(chunks), timeout)

    def submit(self, chunks: list[str]) -> Ticket:
        """Queue the chunks for the pipeline and return at once: `wait` collects the answers, so one
        caller can have parts of a batch inside several pipes at the same time."""
        nonce = f"polydoc-{secrets.token_hex(6)}"
        ticket = Ticket(len(chunks) + 1, nonce)
        payload = b"".join(c.encode() + b"\0" for c in chunks) + f"[{nonce}]\0".encode()
        with self._lock:
            if self._retiring:
                raise PipeRetired("The Apertium pipeline is restarting")
            if self.stuck or self.proc.poll() is not None:
                raise EngineUnavailable("The Apertium pipeline stopped unexpectedly")
            self._waiting.append(ticket)
            self._writes.put(payload)
            self.uses += 1
        return ticket

    def wait(self, ticket: Ticket, timeout: float) -> list[str]:
        if not ticket.done.wait(timeout):
            self._fail(EngineTimeout(f"Apertium did not answer within {timeout:.0f} s"))
        if ticket.error is not None:
            raise ticket.error
        self.last_used = time.monotonic()
        return ticket.outputs[:-1]

    def retire(self) -> None:
        """Take no new batches; the ones in flight finish, then the pipeline exits on end of input."""
        with self._lock:
            self._retiring = True
            self._writes.put(None)

    def close(self, grace: float = 2.0) -> None:
        """Stop: end of input lets every stage finish and be reaped; after `grace` seconds the
        processes are killed and batches still waiting fail with `engine_unavailable`."""
        self.retire()
        try:
            self.proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            self._fail(EngineUnavailable("The Apertium pipeline was shut down"))
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self._signal(signal.SIGKILL)

    def _write_loop(self) -> None:
        stdin = self.proc.stdin
        assert stdin is not None
        while (payload := self._writes.get()) is not None:
            try:
                stdin.write(payload)
                stdin.flush()
            except (OSError, ValueError):
                self._fail(EngineUnavailable("The Apertium pipeline stopped unexpectedly"))
                return
        try:
            stdin.close()
        except OSError:
            pass

    def _read_loop(self) -> None:
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        pending = b""
        while True:
            try:
                data = os.read(fd, 1 << 16)
            except OSError:
                data = b""
            if not data:
                with self._lock:
                    finished = self._retiring and not self._waiting  # it ended as asked
                if not finished:
                    self._fail(EngineUnavailable("The Apertium pipeline stopped unexpectedly"))
                self.proc.wait()
                return
            *answers, pending = (pending + data).split(b"\0")
            for answer in answers:
                if not self._deliver(answer.decode("utf-8", "replace")):
                    self._fail(EngineUnavailable("The Apertium pipeline fell out of step"))
                    return

    def _deliver(self, answer: str) -> bool:
        with self._lock:
            if not self._waiting:  # stages flush an empty answer at end of input
                return self._retiring
            ticket = self._waiting[0]
            ticket.outputs.append(answer)
            if len(ticket.outputs) < ticket.expected:
                return True
            if ticket.nonce not in answer:
                return False
            self._waiting.popleft()
        ticket.done.set()
        return True

    def _fail(self, error: PolydocError) -> None:
        """Mark the pipe unusable, fail every batch still waiting and stop the processes."""
        with self._lock:
            self.stuck = True
            waiting = list(self._waiting)
            self._waiting.clear()
        for ticket in waiting:
            if not ticket.done.is_set():
                ticket.error = error
                ticket.done.set()
        self._signal(signal.SIGTERM)
        self._writes.put(None)

    def _signal(self, sig: int) -> None:
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
