"""Routes said up front (issue 15): the listing, an estimate and a run agree on how a text goes.

A target that is the source in another region or script (en→en-US) is refused rather than sent
through a pivot and back; a pivot run says its route and warns from its creation on; the listing
keeps direct pairs and pivot routes apart, within POLYDOC_MAX_PIVOTS. Real `polydoc serve`, real
Apertium.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Service, start_serve, upload, wait_run

ENGLISH = b"The house is very big and the dog is small.\n\nThe cat sleeps in the garden.\n"
PORTUGUESE = "A casa é muito grande e o cão é pequeno. O gato dorme no jardim.\n".encode()


def _routes(listing: dict, engine: str = "apertium") -> dict:
    return next(r for r in listing["routes"] if r["engine"] == engine)


def _pivot_from(listing: dict, source: str) -> dict:
    """The first pivot route the listing offers from `source` (which pairs exist is the machine's)."""
    return next(r for r in _routes(listing)["pivot"] if r["source"] == source)


def test_a_region_variant_of_the_source_is_refused_on_runs_and_estimates(service: Service) -> None:
    with service.client() as c:
        english = upload(c, "r2.txt", ENGLISH)
        portuguese = upload(c, "pt.txt", PORTUGUESE)
        assert (english["language"], portuguese["language"]) == ("en", "pt")
        balance = c.get("/v1/account").json()["balance"]
        for f, target in ((english, "en-US"), (english, "en-GB"), (portuguese, "pt-BR")):
            for path in ("/v1/runs", "/v1/estimates"):
                resp = c.post(path, json={"input_file_id": f["id"], "target_language": target})
                assert resp.status_code == 422, (path, target, resp.text)
                error = resp.json()["error"]
                assert error["code"] == "same_language"
                assert "only in region or script" in error["message"] and target in error["message"]
        assert c.get("/v1/account").json()["balance"] == balance  # nothing held
        assert [r for r in c.get("/v1/runs").json() if r["input_file_id"] == english["id"]] == []
        # a different language into a region is still a direct pair: Spanish → English (US)
        spanish = upload(c, "es.txt", b"La casa es muy grande y el perro es negro.\n")
        priced = c.post("/v1/estimates", json={"input_file_id": spanish["id"], "target_language": "en-US"})
        assert priced.status_code == 200 and priced.json()["route"] == "apertium"


def test_a_pivot_run_says_its_route_and_warns_from_creation_on(service: Service) -> None:
    with service.client() as c:
        listing = c.get("/v1/languages").json()
        route = _pivot_from(listing, "en")
        names = {lang["code"]: lang["name"] for lang in listing["languages"]}
        f = upload(c, "pivot.txt", ENGLISH)
        body = {"input_file_id": f["id"], "target_language": route["target"]}
        priced = c.post("/v1/estimates", json=body).json()
        created = c.post("/v1/runs", json=body).json()
        assert priced["route"] == created["route"] == route["route"]  # as listed, before it runs
        warning = next(w for w in created["warnings"] if names[route["via"][0]] in w)
        assert (
            "quality may be lower" in warning and "→".join(["en", *route["via"], route["target"]]) in warning
        )
        assert warning in priced["warnings"]  # the estimate says the same
        done = wait_run(c, created["id"])
        assert done["status"] == "Succeeded" and done["route"] == route["route"]
        assert warning in done["warnings"]  # still said once the run has finished
        direct = c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}).json()
        assert direct["route"] == "apertium" and direct["warnings"] == []


def test_languages_keeps_direct_pairs_and_pivot_routes_apart(service: Service) -> None:
    with service.client() as c:
        listing = c.get("/v1/languages").json()
        apertium = _routes(listing)
        assert listing["max_pivots"] == 1 and apertium["any_pair"] is False
        direct = {(r["source"], r["target"]): r for r in apertium["direct"]}
        pivot = {(r["source"], r["target"]): r for r in apertium["pivot"]}
        assert direct[("en", "es")] == {
            "source": "en",
            "target": "es",
            "via": [],
            "quality": "direct",
            "route": "apertium",
        }
        for (source, target), r in pivot.items():
            (middle,) = r["via"]  # one pivot at most by default
            assert r["quality"] == "pivot" and r["route"] == f"apertium ({source}→{middle}→{target})"
            assert (
                (source, middle) in direct and (middle, target) in direct and (source, target) not in direct
            )
        # every target one pivot away is offered, but never a variant of the source (en→…→en-US)
        graph: dict[str, set[str]] = {}
        for source, target in direct:
            graph.setdefault(source, set()).add(target)
        for source, targets in graph.items():
            near = {t2 for t in targets for t2 in graph.get(t, ())} - targets - {source}
            variants = {t for t in near if t.split("-")[0] == source.split("-")[0]}
            assert {t for s, t in pivot if s == source} == near - variants, source
            assert not any((source, v) in pivot for v in variants)
        assert ("en", "en-US") not in pivot and ("pt", "pt-BR") not in pivot
        # the flat listing the SDK, the page and the CLI read is still there, with the same routes
        flat = {(p["source"], p["target"]): p["via"] for p in listing["pairs"] if p["engine"] == "apertium"}
        assert flat == {**{k: [] for k in direct}, **{k: r["via"] for k, r in pivot.items()}}

        # what is listed from English is what an estimate accepts, by the same route
        f = upload(c, "listed.txt", ENGLISH)
        for (source, target), r in sorted({**direct, **pivot}.items()):
            if source != "en":
                continue
            priced = c.post("/v1/estimates", json={"input_file_id": f["id"], "target_language": target})
            assert priced.status_code == 200 and priced.json()["route"] == r["route"], (target, priced.text)


def test_local_translate_refuses_a_region_variant_with_the_reason(service: Service, tmp_path: Path) -> None:
    src = tmp_path / "r2.txt"
    src.write_bytes(ENGLISH)
    done = service.cli("translate", str(src), "--to", "en-US", "--data-dir", str(tmp_path / "data"))
    assert done.returncode == 1
    said = " ".join(done.stderr.split())
    assert "same_language" in said and "only in region or script" in said, said
    assert "Catalan" not in said and not list(tmp_path.glob("r2.en*"))  # no detour, no output


@pytest.fixture(scope="module")
def direct_only(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A server with POLYDOC_MAX_PIVOTS=0 (only direct pairs) and an LLM engine configured."""
    svc = start_serve(
        tmp_path_factory.mktemp("direct-only"),
        {
            "POLYDOC_MAX_PIVOTS": "0",
            # never called: estimates do not reach the engine; a loopback port nothing listens on
            "POLYDOC_OPENAI_BASE_URL": "http://127.0.0.1:9/v1",
            "POLYDOC_OPENAI_MODEL": "none",
        },
    )
    try:
        svc.key = svc.new_account("direct-only", 1000)
        yield svc
    finally:
        svc.stop()


def test_max_pivots_zero_offers_direct_pairs_only(direct_only: Service, service: Service) -> None:
    with service.client() as c:
        target = _pivot_from(c.get("/v1/languages").json(), "en")["target"]  # a pivot by default
    with direct_only.client() as c:
        listing = c.get("/v1/languages").json()
        assert listing["max_pivots"] == 0
        assert _routes(listing)["pivot"] == [] and _routes(listing)["direct"]
        assert [p for p in listing["pairs"] if p["via"]] == []
        f = upload(c, "pivot.txt", ENGLISH)
        for path in ("/v1/runs", "/v1/estimates"):
            resp = c.post(path, json={"input_file_id": f["id"], "target_language": target})
            assert resp.status_code == 422 and resp.json()["error"]["code"] == "unsupported_language"
            assert "POLYDOC_MAX_PIVOTS is 0" in resp.json()["error"]["message"]
        assert (
            c.post("/v1/estimates", json={"input_file_id": f["id"], "target_language": "es"}).status_code
            == 200
        )


def test_an_engine_that_takes_any_pair_may_translate_into_a_region_variant(direct_only: Service) -> None:
    with direct_only.client() as c:
        listing = c.get("/v1/languages").json()
        assert _routes(listing, "openai")["any_pair"] is True
        f = upload(c, "r2.txt", ENGLISH)
        body = {"input_file_id": f["id"], "target_language": "en-US"}
        assert c.post("/v1/estimates", json=body).json()["error"]["code"] == "same_language"  # Apertium
        priced = c.post("/v1/estimates", json={**body, "engine": "openai"})
        assert priced.status_code == 200, priced.text
        assert priced.json()["route"] == "openai" and priced.json()["warnings"] == []


def test_the_cli_lists_quality_and_the_pivot_limit(direct_only: Service) -> None:
    done = direct_only.cli("languages")
    assert done.returncode == 0, done.stderr
    assert re.search(r"│\s*direct\s*│", done.stdout) and not re.search(r"│\s*pivot\s*│", done.stdout)
    assert "at most 0 other language" in " ".join(done.stdout.split())
