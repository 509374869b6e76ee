"""The Apertium engine against the real eng-spa pipeline: joined chunks, batches in flight, several
pipes per pair, failures."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator

import pytest

from polydoc.engines import Route, translate_batches
from polydoc.engines.apertium import engine as apertium
from polydoc.engines.apertium._stream import to_stream
from polydoc.engines.apertium.engine import ApertiumEngine
from polydoc.engines.base import LangPair
from polydoc.errors import EngineTimeout, EngineUnavailable

EN_ES = LangPair("en", "es")
# what a document throws at the engine: spans, tags, reserved characters, edges, no final stop
AWKWARD = [
    "The red house",
    "The <g1>red</g1> house is big.",
    "Note:",
    "Is the dog black?",
    "Hello [world] \\ back {x} $5 ^up^ a/b @home #tag",
    "",
    "  padded text  ",
    'He said "hello"',
    "Line one\nline two",
    "the cat <x1/> sleeps",
    "<g2>Bold start</g2> and the end",
    "The house (big)",
    "Wait...",
    "[polydoc:next] is our separator",
]


@pytest.fixture
def engine() -> Iterator[ApertiumEngine]:
    eng = ApertiumEngine(pipes=1)
    yield eng
    eng.close()


@pytest.fixture
def engine2() -> Iterator[ApertiumEngine]:
    eng = ApertiumEngine(pipes=2)
    yield eng
    eng.close()


def pipes_of(engine: ApertiumEngine) -> list:
    return engine._pools[("en", "es")].pipes


def alone(engine: ApertiumEngine, texts: list[str]) -> list[str]:
    return [engine.translate_batch(EN_ES, [t]).texts[0] for t in texts]


def test_segments_sharing_a_chunk_translate_as_they_would_alone(engine: ApertiumEngine) -> None:
    joined = engine.translate_batch(EN_ES, AWKWARD).texts
    assert joined == alone(engine, AWKWARD)
    assert joined[0] == "La casa roja"  # no full stop added to a heading
    assert joined[1] == "La casa <g1>roja</g1> es grande."
    assert joined[2] == "Nota:"
    assert joined[5] == ""
    assert joined[6].startswith("  ") and joined[6].endswith("  ")
    assert "[world]" not in joined[4] and "\\" in joined[4] and "{x}" in joined[4]
    assert "<x1/>" in joined[9] and "gato" in joined[9]
    assert joined[10].startswith("<g2>") and "</g2>" in joined[10]


def test_a_long_batch_spans_many_chunks_without_mixing_segments(
    engine: ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(apertium, "CHUNK_CHARS", 500)  # about 12 segments a chunk
    texts = [f"Paragraph {n} is about the house" for n in range(400)]
    out = engine.translate_batch(EN_ES, texts).texts
    assert len(out) == 400
    for n, text in enumerate(out):
        assert text.count("casa") == 1 and f" {n} " in f" {text} " and not text.endswith(".")


def test_batches_from_several_threads_are_in_flight_together(engine: ApertiumEngine) -> None:
    batches = [[f"The dog number {b}{n} is black" for n in range(150)] for b in range(4)]
    expected = [engine.translate_batch(EN_ES, batch).texts for batch in batches]
    got: dict[int, list[str]] = {}

    def work(i: int) -> None:
        got[i] = engine.translate_batch(EN_ES, batches[i]).texts

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert [got[i] for i in range(4)] == expected
    assert len(pipes_of(engine)) == 1  # one warm pipeline served them all


def test_translate_batches_keeps_order_with_batches_ahead(engine: ApertiumEngine) -> None:
    from polydoc.engines import register_engine

    register_engine("apertium-test", engine)
    route = Route("apertium-test", (EN_ES,))
    batches = [[f"The house {b}-{n}" for n in range(50)] for b in range(6)]
    results = [r.texts for r, _seconds in translate_batches(route, ((b, None) for b in batches))]
    assert results == [engine.translate_batch(EN_ES, b).texts for b in batches]


def test_a_timeout_fails_the_batch_and_the_next_one_gets_a_new_pipe(engine: ApertiumEngine) -> None:
    engine.translate_batch(EN_ES, ["warm"])
    engine.timeout = 0.001
    with pytest.raises(EngineTimeout):
        engine.translate_batch(EN_ES, [f"The house number {n}" for n in range(2000)])
    engine.timeout = 60
    assert engine.translate_batch(EN_ES, ["The black dog"]).texts == ["El perro negro"]


def _kill_when_busy(pipe, thread: threading.Thread) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + 30
    while not pipe._waiting and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.001)
    os.killpg(pipe.proc.pid, signal.SIGKILL)


def test_a_pipeline_killed_under_a_batch_is_replaced_and_the_batch_sent_again(engine: ApertiumEngine) -> None:
    texts = [f"The house number {n} is red" for n in range(3000)]
    expected = engine.translate_batch(EN_ES, texts).texts
    pipe = pipes_of(engine)[0]
    got: list[list[str]] = []
    t = threading.Thread(target=lambda: got.append(engine.translate_batch(EN_ES, texts).texts))
    t.start()
    _kill_when_busy(pipe, t)
    t.join(60)
    assert not t.is_alive() and got == [expected]  # nothing lost, nothing twice
    assert pipes_of(engine)[0] is not pipe and pipes_of(engine)[0].alive()


def test_a_batch_whose_second_pipe_dies_too_fails_clearly_then_the_engine_recovers(
    engine: ApertiumEngine,
) -> None:
    engine.translate_batch(EN_ES, ["warm"])
    errors: list[Exception] = []

    def work() -> None:
        try:
            engine.translate_batch(EN_ES, [f"The house number {n} is red" for n in range(3000)])
        except EngineUnavailable as exc:
            errors.append(exc)

    t = threading.Thread(target=work)
    t.start()
    killed: set[int] = set()
    deadline = time.monotonic() + 30
    while t.is_alive() and time.monotonic() < deadline:  # kill every pipe that takes the batch
        for pipe in pipes_of(engine):
            if pipe.proc.pid not in killed and pipe._waiting:
                killed.add(pipe.proc.pid)
                os.killpg(pipe.proc.pid, signal.SIGKILL)
        time.sleep(0.001)
    t.join(30)
    assert not t.is_alive() and len(errors) == 1 and errors[0].code == "engine_unavailable"
    assert len(killed) == 2  # the first pipe and its replacement; no third attempt
    assert engine.translate_batch(EN_ES, ["The black dog"]).texts == ["El perro negro"]


def test_two_pipes_share_a_batch_and_answer_as_one_pipe_does(
    engine: ApertiumEngine, engine2: ApertiumEngine
) -> None:
    texts = AWKWARD + [f"The teacher number {n} reads a long letter" for n in range(400)]
    assert engine2.translate_batch(EN_ES, texts).texts == engine.translate_batch(EN_ES, texts).texts
    assert [p.uses for p in pipes_of(engine2)] == [1, 1]  # each pipe took one part
    assert engine2.translate_batch(EN_ES, ["The black dog"]).texts == ["El perro negro"]
    assert sorted(p.uses for p in pipes_of(engine2)) == [1, 2]  # a small batch goes whole to one pipe


def test_a_documents_batches_spread_over_the_pipes_in_order(
    engine: ApertiumEngine, engine2: ApertiumEngine
) -> None:
    from polydoc.engines import register_engine

    register_engine("apertium-two-pipes", engine2)
    route = Route("apertium-two-pipes", (EN_ES,))
    batches = [[f"The doctor {b}-{n} visits the village" for n in range(120)] for b in range(8)]
    results = [r.texts for r, _seconds in translate_batches(route, ((b, None) for b in batches))]
    assert results == [engine.translate_batch(EN_ES, b).texts for b in batches]
    assert all(p.uses == 8 for p in pipes_of(engine2))


def test_no_batch_is_lost_or_doubled_when_one_of_two_pipes_dies_under_many(engine2: ApertiumEngine) -> None:
    batches = [[f"The farmer {b}-{n} sells an old car" for n in range(300)] for b in range(6)]
    expected = [engine2.translate_batch(EN_ES, b).texts for b in batches]
    victim = pipes_of(engine2)[1]
    got: dict[int, list[str]] = {}

    def work(i: int) -> None:
        got[i] = engine2.translate_batch(EN_ES, batches[i]).texts

    threads = [threading.Thread(target=work, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    _kill_when_busy(victim, threads[0])
    for t in threads:
        t.join(60)
    assert [got[i] for i in range(6)] == expected
    pool = engine2._pools[("en", "es")]
    assert victim not in pool.pipes and len(pool.pipes) == 2 and pool._busy == [0, 0]


def test_a_retired_pipe_answers_the_batches_already_inside(engine: ApertiumEngine) -> None:
    engine.restart_after = 1  # every batch retires the pipe it used
    got: dict[int, list[str]] = {}

    def work(i: int) -> None:
        got[i] = engine.translate_batch(EN_ES, [f"The cat {i}-{n} sleeps" for n in range(300)]).texts

    threads = [threading.Thread(target=work, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert sorted(got) == [0, 1, 2]
    assert all(len(v) == 300 and all("gato" in x for x in v) for v in got.values())


def test_a_chunk_that_does_not_split_back_is_translated_one_segment_at_a_time(
    engine: ApertiumEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = ["The red house", "The black dog.", "The cat sleeps"]
    expected = alone(engine, texts)
    sent: list[list[str]] = []
    real_send = engine._send

    def send(key: tuple[str, str], chunks: list[str]) -> list[str]:
        sent.append(chunks)
        answers = real_send(key, chunks)
        # the first joined chunk comes back with a separator lost, as a moved blank would do
        return [a.replace(apertium.SEPARATOR, " ", 1) for a in answers] if len(sent) == 1 else answers

    monkeypatch.setattr(engine, "_send", send)
    assert engine.translate_batch(EN_ES, texts).texts == expected
    assert len(sent) == 2 and sent[1] == [to_stream(t) for t in texts]  # then one per chunk
