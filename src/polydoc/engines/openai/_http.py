"""HTTP for the openai engine: one POST with retries, backoff and a per-call retry budget."""

from __future__ import annotations

import email.utils
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from polydoc.errors import EngineBadOutput, EngineError, EngineUnavailable

_RETRY_STATUS = {408, 429}
_BACKOFF_BASE = 0.5
_BACKOFF_CAP = 20.0


class Cancelled(Exception):
    """Another request of the same call gave up, so this one stops too."""


@dataclass
class CallState:
    """Shared by the requests of one translate_batch call.

    The retry budget is spent while the call is failing: from the first failed attempt until the next
    successful response. Once a wait would take the call past it, the call raises EngineUnavailable,
    so a dead endpoint fails in about `budget` seconds plus one request timeout.
    """

    budget: float
    input_tokens: int = 0
    output_tokens: int = 0
    failing_since: float | None = None
    attempts: int = 0  # failed attempts since the last success, for the backoff
    cancel: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_usage(self, body: object) -> None:
        usage = body.get("usage") if isinstance(body, dict) else None
        if not isinstance(usage, dict):
            return  # servers that report no usage count as 0 tokens
        with self.lock:
            self.input_tokens += _int(usage.get("prompt_tokens"))
            self.output_tokens += _int(usage.get("completion_tokens"))

    def succeeded(self) -> None:
        with self.lock:
            self.failing_since = None
            self.attempts = 0

    def wait_before_retry(self, delay: float | None, reason: str) -> None:
        """Sleep before the next attempt: `delay` when the server named one (Retry-After), else a
        jittered backoff clipped to what is left of the budget. Raise when the budget is spent or a
        named delay would overrun it; stop early when another request of the call gave up."""
        now = time.monotonic()
        with self.lock:
            if self.failing_since is None:
                self.failing_since = now
            self.attempts += 1
            spent = now - self.failing_since
            attempts = self.attempts
        left = self.budget - spent
        if delay is None:
            delay = min(left, random.uniform(0, min(_BACKOFF_CAP, _BACKOFF_BASE * 2 ** (attempts - 1))))
        if left <= 0 or delay > left:
            raise EngineUnavailable(
                f"The translation endpoint kept failing for {spent:.1f} s "
                f"(retry budget {self.budget:g} s): {reason}"
            )
        if self.cancel.wait(delay):
            raise Cancelled


def _int(value: object) -> int:
    return value if isinstance(value, int) and value >= 0 else 0


def retry_after(response: httpx.Response) -> float | None:
    """Seconds from a Retry-After header given as seconds or as an HTTP date."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _server_message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:300].strip() or response.reason_phrase
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict) and error.get("message"):
        return str(error["message"])[:300]
    if isinstance(error, str):
        return error[:300]
    return str(body)[:300]


def post_chat(
    client: httpx.Client,
    url: str,
    payload: dict[str, Any],
    call: CallState,
    slots: threading.Semaphore,
) -> dict[str, Any]:
    """POST one chat completion; retry 408/429/5xx and connection errors; return the JSON body."""
    while True:
        if call.cancel.is_set():
            raise Cancelled
        with slots:
            try:
                response = client.post(url, json=payload)
            except httpx.TransportError as exc:
                response, reason = None, f"{type(exc).__name__}: {exc}"
        if response is not None:
            try:
                body: object = response.json()
            except ValueError:
                body = None
            call.add_usage(body)
            if response.is_success:
                if not isinstance(body, dict):
                    raise EngineBadOutput(
                        f"The translation endpoint answered {url} with a body that is not JSON"
                    )
                call.succeeded()
                return body
            reason = f"HTTP {response.status_code}: {_server_message(response)}"
            if response.status_code not in _RETRY_STATUS and response.status_code < 500:
                raise EngineError(f"The translation endpoint refused the request ({reason})")
        call.wait_before_retry(retry_after(response) if response is not None else None, reason)
