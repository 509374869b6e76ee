"""The parser process: reads untrusted documents under limits it cannot lift.

Started by `_pool` as `python -m polydoc.cage._child <fd> <memory bytes> <cpu seconds>` with one
end of a socket pair. It imports the parsers, then caps its address space (RLIMIT_AS) at what they
take plus `memory` (what one document may use), then serves requests one at a time: before each, its CPU budget (RLIMIT_CPU) is set to what it has used
plus one document's share, so a C loop that never returns is ended by the kernel (SIGXCPU, then
the default action of SIGXCPU). The wall-clock deadline is the parent's: it kills this process.

Messages are pickled tuples. Requests: (op, args). Answers: ("ok", value, rss growth) or
("error", error class name, code, message, rss growth). During a rebuild the child asks for translations with
("get", segment_id) and ("keys",), answered by the parent with the value.
"""

from __future__ import annotations

import os
import resource
import sys
from collections.abc import Iterator, Mapping
from multiprocessing.connection import Connection
from pathlib import Path

from polydoc.cage._ops import OPS, failure


class RemoteTable(Mapping[str, str]):
    """The run's translations, looked up in the parent (which may wait for the engine)."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._known: dict[str, str | None] = {}

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        if key not in self._known:
            self.conn.send(("get", key))
            self._known[key] = self.conn.recv()
        found = self._known[key]
        return default if found is None else found

    def __getitem__(self, key: str) -> str:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self.get(key) is not None

    def _keys(self) -> list[str]:
        self.conn.send(("keys",))
        return self.conn.recv()

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


_BASE_RSS = 0


def _rss() -> int:
    try:
        return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _budget(cpu_seconds: int) -> None:
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = int(used.ru_utime + used.ru_stime) + 1
    # the soft limit only: a hard limit, once set, could never be raised for the next document
    resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu_seconds, resource.RLIM_INFINITY))


def serve(conn: Connection, cpu_seconds: int) -> None:
    while True:
        try:
            op, args = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        _budget(cpu_seconds)
        try:
            value = OPS[op](*args, table=RemoteTable(conn)) if op == "rebuild" else OPS[op](*args)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, none kills the loop
            conn.send(("error", *failure(exc), _rss() - _BASE_RSS))
        else:
            conn.send(("ok", value, _rss() - _BASE_RSS))


def _vm_size() -> int:
    try:
        return int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def main() -> None:
    fd, memory, cpu_seconds = (int(a) for a in sys.argv[1:4])
    from polydoc.cage import _ops

    _ops.warm()  # trusted imports first: the ceiling is what one document may add to them
    if memory > 0 and (size := _vm_size()):
        resource.setrlimit(resource.RLIMIT_AS, (size + memory, size + memory))
    global _BASE_RSS
    _BASE_RSS = _rss()
    conn = Connection(fd)
    conn.send(("ready", os.getpid()))
    serve(conn, cpu_seconds)


if __name__ == "__main__":
    main()
