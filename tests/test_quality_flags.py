"""Quality flags on a run's segments, through a real `polydoc serve`.

Against the LLM test peer (tests/llm_peer.py, a faithful OpenAI-compatible server translating with
real Apertium) made to misbehave on purpose, each misbehaviour must end as the right flag on the
right segment; against Apertium itself, ordinary text with URLs, prices and dates must not be flagged.
"""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.helpers import Service, start_serve, translate, upload, wait_run
from tests.llm_peer import FakeLLMPeer, PeerBehaviour


@pytest.fixture(scope="module")
def peer() -> Iterator[FakeLLMPeer]:
    with FakeLLMPeer() as p:
        yield p


@pytest.fixture(scope="module")
def llm_service(peer: FakeLLMPeer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    svc = start_serve(tmp_path_factory.mktemp("quality"), peer.service_env())
    svc.key = svc.new_account("quality-user", 1000)
    yield svc
    svc.stop()


def segments_of(client: httpx.Client, run_id: str, **params: object) -> list[dict]:
    """Every segment of the run, following the `Link` pages (bounded)."""
    found: list[dict] = []
    url: str | None = f"/v1/runs/{run_id}/segments"
    query: dict[str, object] | None = {"limit": 3, **params}
    for _page in range(100):
        if url is None:
            return found
        resp = client.get(url, params=query)
        assert resp.status_code == 200, resp.text
        found += resp.json()
        link = resp.headers.get("Link")
        url, query = (link.split(";")[0].strip("<>"), None) if link else (None, None)
    raise AssertionError("more than 100 pages")


MISBEHAVING = [
    "Press <b>Save</b> to keep the changes you made.",  # the peer drops the tags
    "The invoice total is 1250 euros for 3 items.",  # the peer changes a number
    "Read the annual report before the meeting starts.",  # the peer echoes it
    "The weather will be sunny and warm in the north tomorrow.",  # answered in Catalan
    "The house is big and it has a garden.",  # glossary term kept
    "We sold the house to our neighbours last year.",  # glossary term rendered another way
    "The dog sleeps in the garden every afternoon.",  # nothing wrong
]


def test_each_misbehaviour_is_the_right_flag_on_the_right_segment(
    llm_service: Service, peer: FakeLLMPeer
) -> None:
    peer.reset(
        PeerBehaviour(
            drop_tags_in="Save",
            change_numbers_in="invoice",
            echo_in="annual report",
            wrong_language_in="weather",
            ignore_glossary_in="sold",
        )
    )
    html = "<html><body>" + "".join(f"<p>{p}</p>" for p in MISBEHAVING) + "</body></html>"
    with llm_service.client() as c:
        run, out = translate(
            c,
            "flags.html",
            html.encode(),
            engine="openai",
            glossary=[{"source": "house", "target": "vivienda"}],
        )
        segments = segments_of(c, run["id"])
        flagged_only = segments_of(c, run["id"], flagged=True)
        numbers_only = segments_of(c, run["id"], flag="number_changed")

    by_source = {s["source"].split(" ")[0] + " " + s["source"].split(" ")[1]: s for s in segments}
    flags = {key: s["flags"] for key, s in by_source.items()}
    assert flags == {
        "Press <g1>Save</g1>": ["tags_changed"],
        "The invoice": ["number_changed"],
        "Read the": ["untranslated"],
        "The weather": ["wrong_language"],
        "The house": [],
        "We sold": ["glossary_term_missing"],
        "The dog": [],
    }
    assert [s["index"] for s in segments] == list(range(len(MISBEHAVING)))
    # the details say what a reviewer has to look at
    details = {key: s["flag_details"][0]["detail"] for key, s in by_source.items() if s["flags"]}
    assert "1250" in details["The invoice"] and "1251" in details["The invoice"]
    assert "Catalan" in details["The weather"]
    assert "vivienda" in details["We sold"]
    assert "lost <g1>" in details["Press <g1>Save</g1>"]
    # a segment the engine failed on keeps its source; the others are translated
    assert by_source["Read the"]["target"] == by_source["Read the"]["source"]
    assert "vivienda" in by_source["The house"]["target"] and "perro" in by_source["The dog"]["target"]
    assert {s["origin"] for s in segments} == {"engine"}
    # the run: how many segments, by flag, and a warning naming them
    assert run["status"] == "Succeeded" and run["segments_flagged"] == 5
    assert run["flag_counts"] == {
        "tags_changed": 1,
        "number_changed": 1,
        "untranslated": 1,
        "wrong_language": 1,
        "glossary_term_missing": 1,
    }
    assert [s["index"] for s in flagged_only] == [i for i, s in enumerate(segments) if s["flags"]]
    assert [s["source"] for s in numbers_only] == [MISBEHAVING[1]]
    assert "vivienda" in out.decode()


def test_a_document_the_engine_echoes_entirely_fails_untranslated(
    llm_service: Service, peer: FakeLLMPeer
) -> None:
    peer.reset(PeerBehaviour(echo_in=" "))
    text = "The red house is very big.\n\nThe dog sleeps in the garden.\n\nWe expect the sales to grow.\n"
    with llm_service.client() as c:
        before = c.get("/v1/account").json()["balance"]
        f = upload(c, "echo.txt", text.encode())
        created = c.post(
            "/v1/runs", json={"input_file_id": f["id"], "target_language": "es", "engine": "openai"}
        )
        assert created.status_code == 200, created.text
        run = wait_run(c, created.json()["id"])
        segments = segments_of(c, run["id"])
        after = c.get("/v1/account").json()["balance"]
    assert run["status"] == "Failed" and run["error"]["code"] == "untranslated", run
    assert "3 segments" in run["error"]["message"]
    assert run["output_file_id"] is None and after == before  # nothing delivered, nothing paid
    assert [s["flags"] for s in segments] == [["untranslated"]] * 3


def test_segments_are_the_runs_accounts_only(llm_service: Service, peer: FakeLLMPeer) -> None:
    peer.reset()
    with llm_service.client() as c:
        run, _ = translate(c, "mine.txt", b"The cat sleeps on the warm roof.\n", engine="openai")
        assert c.get(f"/v1/runs/{run['id']}/segments").status_code == 200
    other = llm_service.new_account("someone-else", 10)
    with httpx.Client(base_url=llm_service.base_url, headers={"Authorization": f"Bearer {other}"}) as c:
        resp = c.get(f"/v1/runs/{run['id']}/segments")
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "not_found"


# -- against Apertium itself -----------------------------------------------------------------------

CLEAN = [
    "The price is $1,299.99 until 15 March 2024, see https://example.com/offers for details.",
    "On 2024-03-15 we shipped 3,000 units to 12 cities; write to sales@example.com.",
    "Revenue grew by 12.5% in the third quarter.",
    "The zorblax is red.",  # one word Apertium does not know, in a translated sentence
    "zorblaxing frobnicates wibbly",  # nothing Apertium knows: the segment stays English
]


def test_apertium_flags_only_what_stayed_in_the_source_language(service: Service) -> None:
    with service.client() as c:
        run, _ = translate(c, "clean.txt", "\n\n".join(CLEAN).encode())
        segments = segments_of(c, run["id"])
        metrics = c.get("/metrics")
    flags = {s["source"]: s["flags"] for s in segments}
    assert flags == {text: [] for text in CLEAN[:4]} | {CLEAN[4]: ["untranslated"]}
    assert run["segments_flagged"] == 1 and run["flag_counts"] == {"untranslated": 1}
    assert run["status"] == "Succeeded"  # the other segments were translated
    assert metrics.status_code == 200
    counted = [
        line
        for line in metrics.text.splitlines()
        if line.startswith('polydoc_segments_flagged_total{flag="untranslated"}')
    ]
    assert counted and float(counted[0].split()[-1]) >= 1


def test_the_cli_shows_the_summary_and_the_flagged_segments(service: Service) -> None:
    key = service.new_account("cli-flags", 50)
    with service.client(key) as c:
        run, _ = translate(c, "cli.txt", "\n\n".join(CLEAN).encode())
    remote = ("--server", service.base_url, "--api-key", key)
    shown = service.cli("runs", "show", run["id"], *remote)
    assert shown.returncode == 0, shown.stderr
    assert (
        "1 untranslated" in shown.stdout
        and f"polydoc runs segments {run['id'][:8]} --flagged" in shown.stderr
    )
    listed = service.cli("runs", "segments", run["id"][:8], "--flagged", *remote)
    assert listed.returncode == 0, listed.stderr
    assert (
        "zorblaxing" in listed.stdout and "untranslated: the translation is the source text" in listed.stdout
    )
    assert "The price is" not in listed.stdout


def test_deleting_the_document_deletes_its_segments(service: Service) -> None:
    with service.client() as c:
        run, _ = translate(c, "forget.txt", b"The red house is very big.\n")
        assert len(segments_of(c, run["id"])) == 1
        assert c.delete(f"/v1/files/{run['input_file_id']}").status_code == 200
        assert segments_of(c, run["id"]) == []
        assert c.get(f"/v1/runs/{run['id']}").json()["segments_flagged"] == 0
