"""FakeLLMPeer: a local OpenAI-compatible chat server for tests, translating with real Apertium.

It serves POST /v1/chat/completions and GET /v1/models on 127.0.0.1 (a free port, a background thread)
and answers like a real server: `choices[0].message.content`, `finish_reason`, `usage` counted as
ceil(characters / 4), `{"error": {...}}` bodies and Retry-After headers. It reads the JSON user
message the openai engine sends (`source_language`, `target_language`, `glossary`, `segments`) and
replies `{"translations": [{"id", "text"}]}` where each text is the translation of Polydoc's
ApertiumEngine (warm pipes, inline tags carried through word reordering); placeholders and glossary
terms are masked as extra `<xN/>` tags that Apertium keeps in place, and restored afterwards.
Misbehaviour on demand through `PeerBehaviour`, changeable while it runs.
"""

from __future__ import annotations

import json
import math
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from polydoc.engines.apertium.engine import ApertiumEngine
from polydoc.engines.base import LangPair
from polydoc.segments import TAG

MODEL = "fake-apertium"
_PLACEHOLDER = re.compile(r"\{\{?[\w.\-:]*\}\}?|\$\{[\w.\-]+\}|%(?:\(\w+\)|\d+\$)?[sdif]")
_MASK_BASE = 9000  # <x9000/>, <x9001/>… stand for masked placeholders and glossary terms
_MASK = re.compile(r"<x9\d{3}/>")


@dataclass
class PeerBehaviour:
    """What the peer does wrong. Counters (`status_429`, `status_500`) count down per request."""

    latency: float = 0.0  # seconds from a chat request to its answer (at least)
    status_429: int = 0  # the next N chat requests get 429
    retry_after: str | None = "1"  # Retry-After sent with 429 (seconds or an HTTP date)
    status_500: int = 0  # then the next N chat requests get 500
    dead: bool = False  # every request gets 503, without Retry-After
    truncate_over: int | None = None  # replies for more than N segments are cut mid-JSON
    wrong_count_over: int | None = None  # replies for more than N segments miss their last entry
    drop_tags_in: str | None = None  # segments containing this text lose their inline tags
    echo_in: str | None = None  # segments containing this text come back untranslated
    ignore_glossary: bool = False
    ignore_glossary_in: str | None = None  # segments containing this text get the engine's own term
    change_numbers_in: str | None = None  # segments containing this text get their first number + 1
    wrong_language_in: str | None = None  # segments containing this text are answered in `wrong_language`
    wrong_language: str = "ca"
    report_usage: bool = True
    chatty: bool = False  # wrap the JSON in prose and a ```json fence, as small models do
    # answer from this table (source text -> translation) instead of Apertium, for targets
    # Apertium has no pair for (Arabic, Hebrew, Chinese, Japanese); unknown texts come back as sent
    phrasebook: dict[str, str] | None = None


@dataclass
class PeerRecord:
    status: int
    request: dict[str, Any]
    headers: dict[str, str]
    segments: int
    prompt_tokens: int = 0
    completion_tokens: int = 0


@dataclass
class _Stats:
    records: list[PeerRecord] = field(default_factory=list)
    in_flight: int = 0
    max_in_flight: int = 0


class ApertiumTranslator:
    """Segment text → target language with Polydoc's ApertiumEngine (warm pipes, tags kept).

    Placeholders and glossary terms are masked as extra `<xN/>` tags, which Apertium keeps in
    place, and restored afterwards (a glossary term comes back as its target term). Results are
    memoised, so a repeated request costs no Apertium time (the benchmark relies on that).
    """

    def __init__(self) -> None:
        self.engine = ApertiumEngine()
        self.memo: dict[tuple[LangPair, str, tuple[tuple[str, str], ...]], str] = {}

    def translate(self, pair: LangPair, texts: list[str], glossary: list[tuple[str, str]]) -> list[str]:
        keys = [(pair, t, tuple(glossary)) for t in texts]
        todo = list(dict.fromkeys(k for k in keys if k not in self.memo))
        if todo:
            masked = [_mask(k[1], glossary) for k in todo]
            out = self.engine.translate_batch(pair, [m for m, _ in masked]).texts
            for key, (_, masks), text in zip(todo, masked, out, strict=True):
                self.memo[key] = _MASK.sub(lambda m, masks=masks: masks.get(m[0], ""), text)
        return [self.memo[k] for k in keys]

    def close(self) -> None:
        self.engine.close()


def _mask(text: str, glossary: list[tuple[str, str]]) -> tuple[str, dict[str, str]]:
    terms = sorted(glossary, key=lambda st: -len(st[0]))
    # our own tags first, so that nothing inside a tag is masked
    alternatives = [TAG.pattern, _PLACEHOLDER.pattern] + [rf"(?<!\w){re.escape(s)}(?!\w)" for s, _ in terms]
    lookup = {s.casefold(): t for s, t in terms}
    masks: dict[str, str] = {}

    def one(m: re.Match[str]) -> str:
        if TAG.fullmatch(m[0]):
            return m[0]
        tag = f"<x{_MASK_BASE + len(masks)}/>"
        masks[tag] = lookup.get(m[0].casefold(), m[0])
        return tag

    return re.sub("|".join(f"(?:{a})" for a in alternatives), one, text, flags=re.IGNORECASE), masks


def _tokens(text: str) -> int:
    return math.ceil(len(text) / 4)


class FakeLLMPeer:
    """Context manager: `with FakeLLMPeer() as peer: OpenAIProfile(base_url=peer.url, model=MODEL)`."""

    def __init__(self, behaviour: PeerBehaviour | None = None, *, api_key: str | None = None) -> None:
        self.behaviour = behaviour or PeerBehaviour()
        self.api_key = api_key
        self.translator = ApertiumTranslator()
        self.stats = _Stats()
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, name="fake-llm-peer", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    @property
    def records(self) -> list[PeerRecord]:
        with self.lock:
            return list(self.stats.records)

    @property
    def max_in_flight(self) -> int:
        """The most chat requests the peer was handling at one time."""
        return self.stats.max_in_flight

    def stats_summary(self) -> dict[str, Any]:
        prompt, completion = self.usage_sums()
        return {
            "requests": len(self.records),
            "statuses": [r.status for r in self.records],
            "prompt_tokens": prompt,
            "completion_tokens": completion,
            "max_in_flight": self.max_in_flight,
        }

    def usage_sums(self) -> tuple[int, int]:
        """(prompt_tokens, completion_tokens) over every response the peer sent."""
        recs = self.records
        return sum(r.prompt_tokens for r in recs), sum(r.completion_tokens for r in recs)

    def reset(self, behaviour: PeerBehaviour | None = None, *, api_key: str | None = None) -> None:
        """Forget the records and take a new behaviour (one peer can serve a whole test module)."""
        with self.lock:
            self.behaviour = behaviour or PeerBehaviour()
            self.api_key = api_key
            self.stats = _Stats()

    def service_env(self) -> dict[str, str]:
        """The settings of a Polydoc service whose `openai` engine talks to this peer."""
        return {
            "POLYDOC_OPENAI_BASE_URL": self.url,
            "POLYDOC_OPENAI_MODEL": MODEL,
            "POLYDOC_OPENAI_RETRY_BUDGET_SECONDS": "4",
            "POLYDOC_OPENAI_TIMEOUT": "10",
        }

    def __enter__(self) -> FakeLLMPeer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.translator.close()

    def _next_failure(self) -> tuple[int, str, dict[str, str]] | None:
        b = self.behaviour
        with self.lock:
            if b.dead:
                return 503, "The server is overloaded or not ready yet.", {}
            if b.status_429 > 0:
                b.status_429 -= 1
                return 429, "Rate limit reached for requests", {"Retry-After": b.retry_after or ""}
            if b.status_500 > 0:
                b.status_500 -= 1
                return 500, "The server had an error while processing your request.", {}
        return None

    def chat(
        self, request: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """Answer one chat completion request: (status, JSON body, extra headers)."""
        with self.lock:
            self.stats.in_flight += 1
            self.stats.max_in_flight = max(self.stats.max_in_flight, self.stats.in_flight)
        # a fixed latency: the answer leaves `latency` seconds after the request came, however long
        # the translation took (the memo makes repeated requests cost almost nothing)
        ready_at = time.monotonic() + self.behaviour.latency
        try:
            status, body, extra, segments = self._answer(request, headers)
            time.sleep(max(0.0, ready_at - time.monotonic()))
        finally:
            with self.lock:
                self.stats.in_flight -= 1
        usage = body.get("usage", {})
        record = PeerRecord(
            status,
            request,
            headers,
            segments,
            usage.get("prompt_tokens", 0),
            usage.get("completion_tokens", 0),
        )
        with self.lock:
            self.stats.records.append(record)
        return status, body, extra

    def _answer(
        self, request: dict[str, Any], headers: dict[str, str]
    ) -> tuple[int, dict[str, Any], dict[str, str], int]:
        if self.api_key and headers.get("authorization") != f"Bearer {self.api_key}":
            return 401, _error("Incorrect API key provided.", "invalid_request_error"), {}, 0
        if request.get("model") != MODEL:
            return (
                404,
                _error(f"The model `{request.get('model')}` does not exist.", "invalid_request_error"),
                {},
                0,
            )
        failure = self._next_failure()
        if failure:
            status, message, extra = failure
            return status, _error(message, "server_error"), {k: v for k, v in extra.items() if v}, 0
        try:
            task = json.loads(request["messages"][-1]["content"])
            segments = task["segments"]
        except (KeyError, IndexError, TypeError, ValueError):
            return 400, _error("The fake peer only understands the openai engine's prompt.", "invalid"), {}, 0
        content, finish = self._translate(task)
        prompt = "".join(str(m.get("content", "")) for m in request["messages"])
        body: dict[str, Any] = {
            "id": f"chatcmpl-{time.monotonic_ns()}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": MODEL,
            "choices": [
                {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": finish}
            ],
        }
        if self.behaviour.report_usage:
            p, c = _tokens(prompt), _tokens(content)
            body["usage"] = {"prompt_tokens": p, "completion_tokens": c, "total_tokens": p + c}
        return 200, body, {}, len(segments)

    def _translate(self, task: dict[str, Any]) -> tuple[str, str]:
        b = self.behaviour
        glossary = [] if b.ignore_glossary else [(g["source"], g["target"]) for g in task.get("glossary", [])]
        sources = [seg["text"] for seg in task["segments"]]
        pair = LangPair(task["source_language"], task["target_language"])
        if b.phrasebook is not None:
            translated = [b.phrasebook.get(source, source) for source in sources]
        else:
            translated = self.translator.translate(pair, sources, glossary)
        if b.ignore_glossary_in or b.wrong_language_in:
            translated = [
                self._misread(pair, source, out, glossary)
                for source, out in zip(sources, translated, strict=True)
            ]
        items = []
        for seg, source, out in zip(task["segments"], sources, translated, strict=True):
            if b.change_numbers_in and b.change_numbers_in in source:
                out = re.sub(r"\d+", lambda m: str(int(m[0]) + 1), out, count=1)
            if b.echo_in and b.echo_in in source:
                out = source
            if b.drop_tags_in and b.drop_tags_in in source:
                out = TAG.sub("", out)
            items.append({"id": seg["id"], "text": out})
        n = len(items)
        if b.wrong_count_over is not None and n > b.wrong_count_over:
            items.pop()
        content = json.dumps({"translations": items}, ensure_ascii=False)
        if b.truncate_over is not None and n > b.truncate_over:
            return content[: len(content) // 2], "length"
        if b.chatty:
            content = (
                f"Sure! Here are the translations:\n```json\n{content}\n```\nLet me know if you need more."
            )
        return content, "stop"

    def _misread(self, pair: LangPair, source: str, out: str, glossary: list[tuple[str, str]]) -> str:
        """The segment again without the glossary, or into the wrong language, where asked."""
        b = self.behaviour
        if b.wrong_language_in and b.wrong_language_in in source:
            return self.translator.translate(LangPair(pair.source, b.wrong_language), [source], glossary)[0]
        if b.ignore_glossary_in and b.ignore_glossary_in in source:
            return self.translator.translate(pair, [source], [])[0]
        return out


def _error(message: str, kind: str) -> dict[str, Any]:
    return {"error": {"message": message, "type": kind, "param": None, "code": None}}


def _handler_for(peer: FakeLLMPeer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True  # headers and body go out in two writes: no 40 ms ACK wait

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
            pass

        def _send(self, status: int, body: dict[str, Any], extra: dict[str, str] | None = None) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (extra or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            if self.path == "/_peer/stats":  # control endpoint, for a peer in another process
                self._send(200, peer.stats_summary())
            elif self.path.rstrip("/") == "/v1/models":
                self._send(
                    200, {"object": "list", "data": [{"id": MODEL, "object": "model", "owned_by": "tests"}]}
                )
            else:
                self._send(404, _error("Not found", "invalid_request_error"))

        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if self.path == "/_peer/reset":  # control endpoint: body = PeerBehaviour fields
                peer.reset(PeerBehaviour(**json.loads(raw or b"{}")))
                self._send(200, {})
                return
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, _error("Not found", "invalid_request_error"))
                return
            try:
                request = json.loads(raw)
            except ValueError:
                self._send(400, _error("The body is not valid JSON.", "invalid_request_error"))
                return
            headers = {k.lower(): v for k, v in self.headers.items()}
            self._send(*peer.chat(request, headers))

    return Handler


def main() -> None:
    """Serve until interrupted, as a separate process: prints the base URL on its first line."""
    import argparse
    import signal

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    peer = FakeLLMPeer(PeerBehaviour(latency=args.latency))
    signal.signal(signal.SIGTERM, signal.default_int_handler)  # SIGTERM ends it like Ctrl-C
    print(peer.url, flush=True)
    try:
        peer.server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        peer.server.server_close()
        peer.translator.close()


if __name__ == "__main__":
    main()
