"""OpenAIEngine against FakeLLMPeer: a local OpenAI-compatible server that translates with Apertium."""

from __future__ import annotations

import email.utils
import json
import logging
import socket
import threading
import time
from collections.abc import Iterator

import pytest

from polydoc.config import Settings
from polydoc.engines.base import BatchContext, LangPair
from polydoc.engines.openai._check import problem
from polydoc.engines.openai.engine import OpenAIEngine, OpenAIProfile, load_profiles
from polydoc.errors import EngineError, EngineUnavailable
from polydoc.segments import same_tags, strip_tags, well_formed
from tests.llm_peer import MODEL, FakeLLMPeer, PeerBehaviour

EN_ES = LangPair("en", "es")
TEXTS = [
    "Press <g1>the red button</g1> to save your work.",
    "The <g1>quick <g2>brown</g2> fox</g1> jumps over the lazy dog.<x3/>",
    "Hello {name}, you have %s new messages.",
    "Open the settings window and choose a new colour.",
]


@pytest.fixture(scope="module")
def shared_peer() -> Iterator[FakeLLMPeer]:
    with FakeLLMPeer() as peer:
        yield peer


@pytest.fixture
def peer(shared_peer: FakeLLMPeer) -> FakeLLMPeer:
    shared_peer.reset()
    return shared_peer


def engine_for(peer: FakeLLMPeer, **fields: object) -> OpenAIEngine:
    return OpenAIEngine(OpenAIProfile(base_url=peer.url, model=MODEL, **fields))  # type: ignore[arg-type]


def segment_counts(peer: FakeLLMPeer) -> list[int]:
    return sorted(r.segments for r in peer.records if r.status == 200)


def user_message(record_request: dict[str, object]) -> dict[str, object]:
    return json.loads(record_request["messages"][-1]["content"])  # type: ignore[index]


def test_tags_and_placeholders_survive(peer: FakeLLMPeer) -> None:
    result = engine_for(peer).translate_batch(EN_ES, TEXTS)

    assert result.failed == []
    for source, out in zip(TEXTS, result.texts, strict=True):
        assert same_tags(source, out) and well_formed(out), out
        assert strip_tags(out) != strip_tags(source)
    assert "{name}" in result.texts[2] and "%s" in result.texts[2]
    assert "botón" in result.texts[0]  # real Apertium Spanish came back


def test_token_sums_equal_the_peers_usage_through_retries_and_splits(peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(status_500=1, retry_after=None, wrong_count_over=2))
    result = engine_for(peer).translate_batch(EN_ES, TEXTS)

    statuses = sorted(r.status for r in peer.records)
    assert statuses.count(500) == 1 and statuses.count(200) >= 3
    prompt, completion = peer.usage_sums()
    assert prompt > 0 and completion > 0
    assert (result.input_tokens, result.output_tokens) == (prompt, completion)


def test_a_server_without_usage_counts_zero_tokens(peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(report_usage=False))
    result = engine_for(peer).translate_batch(EN_ES, TEXTS[:2])
    assert result.failed == [] and (result.input_tokens, result.output_tokens) == (0, 0)


def test_429_waits_for_retry_after_seconds(peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(status_429=1, retry_after="1"))
    start = time.monotonic()
    result = engine_for(peer).translate_batch(EN_ES, TEXTS[:1])
    elapsed = time.monotonic() - start

    assert elapsed >= 1.0
    assert [r.status for r in peer.records] == [429, 200]
    assert result.failed == [] and "botón" in result.texts[0]


def test_429_waits_for_retry_after_http_date(peer: FakeLLMPeer) -> None:
    when = email.utils.formatdate(time.time() + 2, usegmt=True)  # whole seconds: waits 1–2 s
    peer.reset(PeerBehaviour(status_429=1, retry_after=when))
    start = time.monotonic()
    engine_for(peer).translate_batch(EN_ES, TEXTS[:1])
    assert time.monotonic() - start >= 1.0
    assert [r.status for r in peer.records] == [429, 200]


def test_retry_after_beyond_the_budget_fails_at_once(peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(status_429=1, retry_after="30"))
    start = time.monotonic()
    with pytest.raises(EngineUnavailable, match="429") as info:
        engine_for(peer, retry_budget_seconds=5).translate_batch(EN_ES, TEXTS[:1])
    assert time.monotonic() - start < 2.0
    assert info.value.code == "engine_unavailable"


def test_500_then_success(peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(status_500=2))
    result = engine_for(peer).translate_batch(EN_ES, TEXTS)
    assert [r.status for r in peer.records] == [500, 500, 200]
    assert result.failed == [] and all(same_tags(s, t) for s, t in zip(TEXTS, result.texts, strict=True))


@pytest.mark.parametrize("fault", ["wrong_count_over", "truncate_over"])
def test_bad_replies_are_split_down_to_single_segments(peer: FakeLLMPeer, fault: str) -> None:
    # the peer answers badly whenever a request holds more than one segment
    peer.reset(PeerBehaviour(**{fault: 1}))
    result = engine_for(peer).translate_batch(EN_ES, TEXTS)

    assert result.failed == []
    assert segment_counts(peer) == [1, 1, 1, 1, 2, 2, 4]
    assert all(strip_tags(t) != strip_tags(s) for s, t in zip(TEXTS, result.texts, strict=True))


def test_a_segment_that_always_loses_its_tags_keeps_its_source(
    peer: FakeLLMPeer, caplog: pytest.LogCaptureFixture
) -> None:
    peer.reset(PeerBehaviour(drop_tags_in="quick"))
    with caplog.at_level(logging.WARNING, logger="polydoc.engines.openai.engine"):
        result = engine_for(peer).translate_batch(EN_ES, TEXTS)

    assert result.failed == [1]
    assert result.texts[1] == TEXTS[1]
    assert all(strip_tags(result.texts[i]) != strip_tags(TEXTS[i]) for i in (0, 2, 3))
    assert result.why[1].flag == "tags_changed" and result.why[1].detail.startswith("lost <g1>")
    assert "segment 1" in caplog.text and "tags_changed" in caplog.text
    # the first reply was partly good: only the bad segment was asked again, alone
    assert segment_counts(peer) == [1, 4]


def test_an_echoed_sentence_is_a_failure_but_a_name_is_not(peer: FakeLLMPeer) -> None:
    texts = ["Read the annual report before the meeting.", "Polydoc", "Ada Lovelace", "2024"]
    peer.reset(PeerBehaviour(echo_in="report"))
    result = engine_for(peer).translate_batch(EN_ES, texts)
    assert result.failed == [0] and result.texts[0] == texts[0]
    assert result.why[0].flag == "untranslated"


def test_glossary_terms_are_sent_and_enforced(peer: FakeLLMPeer) -> None:
    texts = ["Save the file before you close it.", "The window is open.", "Delete the old file."]
    context = BatchContext(glossary=(("file", "fichero"), ("printer", "impresora")))
    result = engine_for(peer).translate_batch(EN_ES, texts, context=context)

    assert result.failed == []
    assert "fichero" in result.texts[0] and "fichero" in result.texts[2]
    # only the terms that occur in the request are in the prompt
    sent = user_message(peer.records[0].request)["glossary"]
    assert sent == [{"source": "file", "target": "fichero"}]


def test_a_model_ignoring_the_glossary_gets_failed_marks(peer: FakeLLMPeer) -> None:
    texts = ["Save the file before you close it.", "The window is open.", "Delete the old file."]
    context = BatchContext(glossary=(("file", "fichero"),))
    peer.reset(PeerBehaviour(ignore_glossary=True))
    result = engine_for(peer).translate_batch(EN_ES, texts, context=context)

    assert result.failed == [0, 2]
    assert result.texts[0] == texts[0] and result.texts[2] == texts[2]
    assert "ventana" in result.texts[1]
    assert segment_counts(peer) == [1, 1, 3]


def test_context_title_and_preceding_segments_are_in_the_prompt(peer: FakeLLMPeer) -> None:
    before = tuple(f"Earlier sentence {i}." for i in range(6))
    engine_for(peer).translate_batch(
        EN_ES, TEXTS[:1], context=BatchContext(title="User guide", before=before)
    )
    request = peer.records[0].request
    sent = user_message(request)
    assert sent["title"] == "User guide"
    assert sent["preceding_text"] == list(before[-3:])
    assert sent["segments"] == [{"id": 1, "text": TEXTS[0]}]
    system = request["messages"][0]["content"]
    assert "English" in system and "Spanish" in system
    assert request["response_format"] == {"type": "json_object"}


def test_chatty_replies_with_code_fences_are_parsed(peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(chatty=True))
    result = engine_for(peer).translate_batch(EN_ES, TEXTS)
    assert result.failed == [] and len(peer.records) == 1


def test_dead_endpoint_raises_engine_unavailable_within_the_budget(peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(dead=True))
    budget = 1.5
    start = time.monotonic()
    with pytest.raises(EngineUnavailable, match="503"):
        engine_for(peer, retry_budget_seconds=budget).translate_batch(EN_ES, TEXTS * 10)
    assert budget <= time.monotonic() - start < budget + 1.0
    assert len(peer.records) >= 2  # it did retry


def test_refused_connections_raise_engine_unavailable_within_the_budget() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # closed again below: nothing listens there
    engine = OpenAIEngine(OpenAIProfile(base_url=f"http://127.0.0.1:{port}/v1", retry_budget_seconds=1.0))
    start = time.monotonic()
    with pytest.raises(EngineUnavailable, match="ConnectError"):
        engine.translate_batch(EN_ES, TEXTS)
    assert time.monotonic() - start < 2.0


def test_client_errors_are_not_retried_and_carry_the_servers_message(peer: FakeLLMPeer) -> None:
    engine = OpenAIEngine(OpenAIProfile(base_url=peer.url, model="no-such-model"))
    with pytest.raises(EngineError, match="does not exist") as info:
        engine.translate_batch(EN_ES, TEXTS)
    assert not isinstance(info.value, EngineUnavailable)
    assert [r.status for r in peer.records] == [404]


def test_api_key_and_extra_headers_are_sent(peer: FakeLLMPeer) -> None:
    peer.reset(api_key="sk-test")
    engine = engine_for(peer, api_key="sk-test", headers={"X-Team": "docs"})
    assert engine.translate_batch(EN_ES, TEXTS[:1]).failed == []
    assert peer.records[0].headers["x-team"] == "docs"

    with pytest.raises(EngineError, match="Incorrect API key"):
        engine_for(peer, api_key="sk-wrong").translate_batch(EN_ES, TEXTS[:1])


def test_requests_of_one_batch_run_concurrently(peer: FakeLLMPeer) -> None:
    texts = [f"This is sentence number {i} about the weather." for i in range(8)]
    engine = engine_for(peer, max_segments=1, max_concurrency=8)
    engine.translate_batch(EN_ES, texts)  # Apertium's pipes warm up outside the measurement
    peer.reset(PeerBehaviour(latency=0.2))

    start = time.monotonic()
    result = engine.translate_batch(EN_ES, texts)
    elapsed = time.monotonic() - start

    assert result.failed == [] and len(peer.records) == 8
    assert elapsed < 4 * 0.2  # serial would take 8 × 0.2 s
    assert peer.max_in_flight > 1


def test_the_concurrency_limit_holds_across_calls_sharing_an_engine(peer: FakeLLMPeer) -> None:
    peer.reset(PeerBehaviour(latency=0.05))
    engine = engine_for(peer, max_segments=1, max_concurrency=2)
    texts = [f"Sentence {i} is about the weather in the city." for i in range(6)]
    errors: list[BaseException] = []

    def run() -> None:
        try:
            assert engine.translate_batch(EN_ES, texts).failed == []
        except BaseException as exc:  # surfaced by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(peer.records) == 18 and peer.max_in_flight <= 2


def test_batches_are_split_by_max_segments_and_tokens(peer: FakeLLMPeer) -> None:
    texts = [f"Sentence {i} is about the weather in the city." for i in range(45)]
    engine_for(peer, max_segments=20).translate_batch(EN_ES, texts)
    assert segment_counts(peer) == [5, 20, 20]

    peer.reset()
    engine_for(peer, max_segments=20, max_tokens=100).translate_batch(EN_ES, texts[:10])
    assert max(segment_counts(peer)) < 10 and sum(segment_counts(peer)) == 10


def test_more_requests_than_slots_are_spread_over_whole_waves(peer: FakeLLMPeer) -> None:
    texts = [f"Sentence {i} is about the weather in the city." for i in range(45)]
    result = engine_for(peer, max_segments=5, max_concurrency=4).translate_batch(EN_ES, texts)
    counts = segment_counts(peer)
    # 9 requests of 5 would leave the third wave of 4 slots with one request; 12 fill three waves
    assert len(counts) == 12 and max(counts) <= 5 and sum(counts) == 45
    assert result.failed == []


@pytest.mark.parametrize(
    ("source", "translated", "flag", "detail"),
    [
        (
            "Hello {name}, you have %s messages.",
            "Hola, tienes %s mensajes.",
            "placeholders_changed",
            "{name}",
        ),
        (
            "Hello {name}, you have %s messages.",
            "Hola {name}, tienes %d mensajes.",
            "placeholders_changed",
            "%d",
        ),
        ("Hello {name}, you have %s messages.", "Hola {name}, tienes %s mensajes.", None, None),
        ("Press <g1>Save</g1> now.", "Pulsa <g1>Guardar</g1> ahora.", None, None),
        ("Press <g1>Save</g1> now.", "Pulsa </g1>Guardar<g1> ahora.", "tags_changed", "out of order"),
        ("Press <g1>Save</g1> now.", "Pulsa Guardar ahora.", "tags_changed", "lost <g1> </g1>"),
        ("Read the report now.", "read the  report now.", "untranslated", "the source text"),
        ("Ada Lovelace", "Ada Lovelace", None, None),
        ("50 % <x1/>", "50 % <x1/>", None, None),
        ("Good morning.", " ", "not_translated", "empty translation"),
        ("Good morning.", "...", "not_translated", "no words"),
        ("Good morning.", "Buenos días. " * 10, "length_ratio", "ran on"),
        ("Save the file.", "Guarda el archivo.", "glossary_term_missing", "'file' → 'fichero'"),
        ("Save the file.", "Guarda el Fichero.", None, None),
    ],
)
def test_reply_checks(source: str, translated: str, flag: str | None, detail: str | None) -> None:
    found = problem(source, translated, [("file", "fichero")])
    assert (found.flag if found else None) == flag
    assert found is None or detail in found.detail


def test_an_echo_is_fine_between_variants_of_one_language() -> None:
    assert problem("Read the report now.", "Read the report now.", [], same_language=True) is None


def test_profiles_from_settings() -> None:
    settings = Settings(
        openai_base_url="http://127.0.0.1:9/v1",
        openai_model="gpt-x",
        openai_api_key="sk-default",
        openai_max_concurrency=4,
        openai_profiles={"local": {"base_url": "http://127.0.0.1:8080/v1", "model": "qwen"}},
    )
    profiles = load_profiles(settings)
    assert profiles["default"].model == "gpt-x" and profiles["default"].max_concurrency == 4
    local = profiles["local"]
    assert (local.base_url, local.model) == ("http://127.0.0.1:8080/v1", "qwen")
    assert local.api_key == "sk-default" and local.max_concurrency == 4  # inherited
    assert "sk-default" not in repr(local)


def test_any_pair_and_no_base_url() -> None:
    engine = OpenAIEngine(OpenAIProfile())
    assert engine.supported_pairs() == set() and OpenAIEngine.any_pair
    with pytest.raises(EngineUnavailable):
        engine.translate_batch(EN_ES, TEXTS)
