"""Runs with engine "openai" through the service, against the fake OpenAI-compatible peer.

The peer (tests/llm_peer.py) answers like a real server with real Apertium translations and
misbehaves on demand; the service runs in its own processes and only knows its URL.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.helpers import Service, start_serve, translate, upload, wait_run
from tests.llm_peer import FakeLLMPeer, PeerBehaviour

HTML = (
    b"<html><body><p>The <b>red</b> house is very big.</p>"
    b"<p>Hello {name}, you have %d new messages.</p><p>The dog sleeps in the garden.</p></body></html>"
)


@pytest.fixture(scope="module")
def peer() -> Iterator[FakeLLMPeer]:
    with FakeLLMPeer() as p:
        yield p


@pytest.fixture(scope="module")
def llm_service(peer: FakeLLMPeer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_serve(tmp_path_factory.mktemp("llm"), peer.service_env())
    svc.key = svc.new_account("llm-user", 1000)
    yield svc
    svc.stop()


def test_languages_lists_the_llm_engine(llm_service: Service) -> None:
    listing = llm_service.client().get("/v1/languages").json()
    assert "openai" in listing["engines"]
    assert {"source": "*", "target": "*", "engine": "openai", "via": []} in listing["pairs"]


def test_run_tokens_are_exactly_what_the_server_reported(llm_service: Service, peer: FakeLLMPeer) -> None:
    peer.reset()
    with llm_service.client() as c:
        run, out = translate(c, "page.html", HTML, engine="openai")
    prompt, completion = peer.usage_sums()
    assert prompt > 0 and (run["input_tokens"], run["output_tokens"]) == (prompt, completion)
    text = out.decode()
    assert "<b>roja</b>" in text and "{name}" in text and "%d" in text and "perro" in text
    assert run["engine"] == "openai" and run["segments_failed"] == 0
    # the same document again: every segment from the memory, no request, no tokens
    before = len(peer.records)
    with llm_service.client() as c:
        again, _ = translate(c, "page.html", HTML, engine="openai")
    assert len(peer.records) == before and again["input_tokens"] == 0 and again["segments_cached"] == 3


def test_rate_limits_and_errors_are_retried(llm_service: Service, peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(status_429=2, retry_after="1", status_500=1))
    start = time.monotonic()
    with llm_service.client() as c:
        run, out = translate(c, "r.html", HTML.replace(b"red", b"blue"), engine="openai")
    statuses = [r.status for r in peer.records]
    assert statuses[:3] == [429, 429, 500] and statuses[-1] == 200
    assert time.monotonic() - start >= 2  # Retry-After was honoured
    assert (run["input_tokens"], run["output_tokens"]) == peer.usage_sums()
    assert "azul" in out.decode()


def test_a_segment_that_keeps_failing_is_marked_not_hidden(llm_service: Service, peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(echo_in="orchard"))
    doc = HTML.replace(b"big", b"small").replace(b"garden", b"orchard")  # nothing from the memory
    with llm_service.client() as c:
        run, out = translate(c, "e.html", doc, engine="openai")
    assert run["segments_failed"] == 1
    assert any("orchard" in w for w in run["warnings"])
    assert "pequeña" in out.decode()  # the other segments were translated


def test_glossary_is_enforced_by_the_llm(llm_service: Service, peer: FakeLLMPeer) -> None:
    peer.reset()
    with llm_service.client() as c:
        _run, out = translate(
            c,
            "g.html",
            HTML.replace(b"big", b"tall"),
            engine="openai",
            glossary=[{"source": "house", "target": "hogar"}],
        )
    assert "hogar" in out.decode()
    sent = [r.request for r in peer.records]
    assert any("hogar" in str(req["messages"]) for req in sent)  # the prompt carried the term


def test_urls_addresses_and_ids_never_reach_the_llm(llm_service: Service, peer: FakeLLMPeer) -> None:
    peer.reset()
    page = (
        b"<html><body><p>Order the books at www.amazon.com before the summer.</p>"
        b"<p>Write to ray@oreilly.com about the parcel 3OQX89CUTAV1X and its index.cfm page.</p></body></html>"
    )
    with llm_service.client() as c:
        _run, out = translate(c, "tokens.html", page, engine="openai")
    text = out.decode()
    for token in ("www.amazon.com", "ray@oreilly.com", "3OQX89CUTAV1X", "index.cfm"):
        assert token in text
        assert not any(token in str(r.request["messages"]) for r in peer.records)  # a placeholder went
    assert "libros" in text


def test_a_dead_endpoint_fails_the_run_in_bounded_time(llm_service: Service, peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(dead=True))
    with llm_service.client() as c:
        f = upload(c, "d.html", HTML.replace(b"red", b"green"))
        before = c.get("/v1/account").json()["balance"]
        start = time.monotonic()
        run = c.post(
            "/v1/runs", json={"input_file_id": f["id"], "target_language": "es", "engine": "openai"}
        ).json()
        done = wait_run(c, run["id"], timeout=60)
        assert time.monotonic() - start < 30
        assert done["status"] == "Failed" and done["error"]["code"] == "engine_unavailable"
        assert c.get("/v1/account").json()["balance"] == before  # the hold was released
    peer.reset()
