"""Fuzzy matches through a real `polydoc serve` and the LLM peer: a document one word away from a
memorised one gets `match` on its segments, and the LLM prompt carries the earlier translation."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.helpers import Service, start_serve, translate
from tests.llm_peer import FakeLLMPeer

SENTENCES = [
    "The red house at the end of the street is very big and has a beautiful garden.",
    "Every morning the old dog sleeps for hours under the tall tree near the river.",
    "Please send the signed contract to our office in the city before next Friday.",
]
CHANGED = [s.replace("big", "small").replace("tall", "green").replace("Friday", "Monday") for s in SENTENCES]


def _html(sentences: list[str]) -> bytes:
    return ("<html><body>" + "".join(f"<p>{s}</p>" for s in sentences) + "</body></html>").encode()


@pytest.fixture(scope="module")
def peer() -> Iterator[FakeLLMPeer]:
    with FakeLLMPeer() as p:
        yield p


@pytest.fixture(scope="module")
def svc(peer: FakeLLMPeer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    s = start_serve(
        tmp_path_factory.mktemp("fuzzy"), {**peer.service_env(), "POLYDOC_FUZZY_THRESHOLD": "0.75"}
    )
    s.key = s.new_account("fuzzy", 1000)
    yield s
    s.stop()


def test_one_word_away_is_a_fuzzy_match_and_an_example_in_the_prompt(svc: Service, peer: FakeLLMPeer) -> None:
    with svc.client() as c:
        first, _ = translate(c, "first.html", _html(SENTENCES), engine="openai")
        assert all(s["match"] is None for s in c.get(f"/v1/runs/{first['id']}/segments").json())
        peer.reset()
        run, out = translate(c, "second.html", _html(CHANGED), engine="openai")
        segments = c.get(f"/v1/runs/{run['id']}/segments").json()
    assert [s["source"] for s in segments] == CHANGED
    assert all(s["match"] >= 0.85 and s["match"] < 1 and s["origin"] == "engine" for s in segments)
    assert "pequeña" in out.decode()  # translated by the engine, not copied from the memory
    tasks = [json.loads(r.request["messages"][-1]["content"]) for r in peer.records]
    examples = [e for t in tasks for e in t.get("similar_earlier_translations", [])]
    assert {e["source"] for e in examples} == set(SENTENCES)
    assert all(e["match"] >= 0.85 and e["target"] for e in examples)
    assert "translation memory" in peer.records[0].request["messages"][0]["content"]
