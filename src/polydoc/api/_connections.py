"""Connections under limits: header and body deadlines, a cap with room made by idle ones.

uvicorn has no header or body read timeout: a client that opens a connection and sends nothing
(or a Content-Length it never delivers) holds a file descriptor for ever, and 1,100 of them
against a 1,024 open-file limit locked everyone out. `GuardedH11` is uvicorn's own h11 protocol
with three additions:

* a request's headers must arrive within `http_header_timeout` of the connection opening (or of
  the previous response), and its body may not stall longer than `http_body_timeout` (answered
  408 `request_timeout` when nothing was answered yet);
* at most `http_max_connections` connections (also kept below the open-file limit): a new one
  beyond it closes the oldest connection that has not sent a request, so idle sockets cannot
  lock clients out; when every connection is busy the newcomer gets a 503 and is closed;
* repeated accept errors ("Too many open files") are logged once a minute with a count.
"""

from __future__ import annotations

import asyncio
import json
import logging
import resource
import time

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

from polydoc.config import get_settings

log = logging.getLogger("polydoc.api")
_RESERVED_FILES = 64  # descriptors kept for the database, logs, parser pipes


def connection_cap() -> int:
    """`http_max_connections`, lowered to fit under this process's open-file limit."""
    soft, _hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    cap = get_settings().http_max_connections
    if soft != resource.RLIM_INFINITY:
        cap = min(cap, max(16, soft - _RESERVED_FILES))
    return cap


def _error_response(status: str, code: str, message: str, extra: str = "") -> bytes:
    """A whole error response written straight to the socket (no request cycle to answer it)."""
    body = json.dumps({"error": {"code": code, "message": message}}).encode()
    head = (
        f"HTTP/1.1 {status}\r\ncontent-type: application/json\r\n{extra}"
        f"connection: close\r\ncontent-length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def _busy_response() -> bytes:
    return _error_response(
        "503 Service Unavailable", "too_many_connections", "The server is at its connection limit",
        "retry-after: 5\r\n",
    )  # fmt: skip


def _stalled_response(seconds: float) -> bytes:
    return _error_response(
        "408 Request Timeout", "request_timeout", f"The request body stalled for more than {seconds:g} s",
    )  # fmt: skip


class GuardedH11(H11Protocol):
    cap = 900
    header_timeout = 10.0
    body_timeout = 30.0

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self.waiting_since = self.last_data = time.monotonic()
        _Watchdog.of(self.loop, self.connections, self)
        if len(self.connections) > self.cap and not self._make_room():
            transport.write(_busy_response())
            transport.close()

    def data_received(self, data: bytes) -> None:
        self.last_data = time.monotonic()
        super().data_received(data)

    def on_response_complete(self) -> None:
        self.waiting_since = time.monotonic()
        super().on_response_complete()

    @property
    def idle(self) -> bool:
        """No request in progress: waiting for (the rest of) a request's headers."""
        return self.conn.their_state is h11.IDLE and (self.cycle is None or self.cycle.response_complete)

    def _make_room(self) -> bool:
        idle = [c for c in self.connections if c is not self and isinstance(c, GuardedH11) and c.idle]
        if not idle:
            return False
        oldest = min(idle, key=lambda c: c.waiting_since)
        oldest.transport.close()
        return True

    def expired(self, now: float) -> bool:
        if self.idle:
            return now - self.waiting_since > self.header_timeout
        receiving = self.conn.their_state is h11.SEND_BODY
        return receiving and now - self.last_data > self.body_timeout


class _Watchdog:
    """One timer per server: once a second, closes the connections past their deadline."""

    _running: set[int] = set()

    @classmethod
    def of(cls, loop: asyncio.AbstractEventLoop, connections: set, _proto: GuardedH11) -> None:
        if id(connections) in cls._running:
            return
        cls._running.add(id(connections))
        _quiet_accept_errors(loop)
        watchdog = cls()
        watchdog.loop, watchdog.connections = loop, connections
        loop.call_later(1.0, watchdog.tick)

    def tick(self) -> None:
        now = time.monotonic()
        for conn in list(self.connections):
            if isinstance(conn, GuardedH11) and not conn.transport.is_closing() and conn.expired(now):
                if not conn.idle and conn.conn.our_state is h11.SEND_RESPONSE:
                    # a body that stopped coming, and nothing answered yet: say why before closing
                    conn.transport.write(_stalled_response(conn.body_timeout))
                conn.transport.close()
        self.loop.call_later(1.0, self.tick)


def _quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """asyncio logs every failed accept; under a file-descriptor flood that is a log line a
    millisecond. Log the first, then one line a minute with the count."""
    previous = loop.get_exception_handler()
    state = {"last": 0.0, "count": 0}

    def handler(loop: asyncio.AbstractEventLoop, context: dict) -> None:
        if "accept" not in str(context.get("message", "")):
            if previous is not None:
                previous(loop, context)
            else:
                loop.default_exception_handler(context)
            return
        state["count"] += 1
        now = time.monotonic()
        if now - state["last"] >= 60:
            log.error("accepting connections fails (%d times): %s", state["count"], context.get("exception"))
            state["last"], state["count"] = now, 0

    loop.set_exception_handler(handler)


def protocol() -> type[GuardedH11]:
    """The protocol class for `uvicorn.run(http=…)`, with the configured limits."""
    settings = get_settings()
    return type(
        "PolydocH11",
        (GuardedH11,),
        {
            "cap": connection_cap(),
            "header_timeout": settings.http_header_timeout,
            "body_timeout": settings.http_body_timeout,
        },
    )


def uvicorn_options() -> dict[str, object]:
    return {"http": protocol(), "timeout_keep_alive": get_settings().http_keepalive_timeout}
