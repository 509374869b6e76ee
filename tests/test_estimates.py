"""Estimates and the price of a run (issue 15), against a real `polydoc serve` with Apertium.

The estimate is computed the way the run is billed, so for Apertium the final credits equal it;
what the translation memory serves is not billed again (or at POLYDOC_MEMORY_PRICE_SHARE).
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from polydoc.db.models import File, utcnow
from tests.helpers import Service, start_serve, upload, wait_run

CHARS_PER_PAGE = 1800


def prose(n: int, topic: str = "house") -> bytes:
    """`n` distinct English paragraphs (about 60 characters each)."""
    return "".join(
        f"Sentence number {i} is about the red {topic} and the black dog.\n\n" for i in range(n)
    ).encode()


def docx_bytes(tmp: Path) -> bytes:
    from tests.builders.docx import build_docx

    return build_docx(tmp).read_bytes()


def pdf_bytes(tmp: Path) -> bytes:
    from tests.builders.pdf import build_report

    return build_report(tmp).read_bytes()


def estimate(c: httpx.Client, file_id: str, target: str = "es", **extra: object) -> dict:
    resp = c.post("/v1/estimates", json={"input_file_id": file_id, "target_language": target, **extra})
    assert resp.status_code == 200, resp.text
    return resp.json()


def run_to_end(c: httpx.Client, file_id: str, target: str = "es", **extra: object) -> dict:
    resp = c.post("/v1/runs", json={"input_file_id": file_id, "target_language": target, **extra})
    assert resp.status_code == 200, resp.text
    assert resp.json()["credits"] is not None  # a running run shows its hold, then its estimate
    run = wait_run(c, resp.json()["id"])
    assert run["status"] == "Succeeded", run
    return run


def books(c: httpx.Client) -> tuple[int, int, int]:
    account = c.get("/v1/account").json()
    return account["balance"], account["held"], account["spent"]


@pytest.mark.parametrize(
    ("name", "make"),
    [
        ("story.txt", lambda _tmp: prose(100)),
        ("report.docx", docx_bytes),
        ("report.pdf", pdf_bytes),
    ],
    ids=["txt", "docx", "pdf"],
)
def test_estimate_equals_the_final_credits_and_holds_nothing(
    service: Service, tmp_path: Path, name: str, make: object
) -> None:
    key = service.new_account(f"estimate-{name}", credits=1000)
    with service.client(key) as c:
        f = upload(c, name, make(tmp_path))  # type: ignore[operator]
        before = books(c)
        priced = estimate(c, f["id"])
        assert books(c) == before == (1000, 0, 0)  # the estimate holds nothing
        assert priced["engine"] == "apertium" and priced["route"] == "apertium"
        assert priced["source_language"] == "en" and priced["pages"] == f["num_pages"]
        assert priced["balance"] == 1000 and priced["balance_after"] == 1000 - priced["credits"]
        assert priced["credits"] >= 1 and priced["characters"] > 0 and priced["warnings"] == []
        run = run_to_end(c, f["id"])
        assert run["credits"] == priced["credits"]
        assert run["segments_total"] == priced["segments"]
        assert run["segments_cached"] == priced["segments_cached"]
        assert run["characters"] == priced["characters"] and run["characters_cached"] == 0
        assert books(c) == (1000 - run["credits"], 0, run["credits"])
    if name == "story.txt":  # flowing text: standard pages of the characters, rounded up
        assert priced["credits"] == math.ceil(priced["characters"] / CHARS_PER_PAGE) >= 3
    if name == "report.pdf":  # paged: a document translated afresh costs its pages
        assert priced["credits"] == f["num_pages"] == 3


def test_a_second_identical_run_costs_nothing_and_its_ledger_entry_says_why(
    service: Service, tmp_path: Path
) -> None:
    key = service.new_account("memory-free", credits=100)
    body = prose(80, topic="car")
    with service.client(key) as c:
        first = run_to_end(c, upload(c, "a.txt", body)["id"])
        assert first["credits"] == math.ceil(first["characters"] / CHARS_PER_PAGE) >= 2
        again = upload(c, "b.txt", body)
        priced = estimate(c, again["id"])
        assert priced["credits"] == 0 and priced["segments_cached"] == priced["segments"]
        assert priced["characters_cached"] == priced["characters"] == first["characters"]
        assert priced["pages_cached"] == round(first["characters"] / CHARS_PER_PAGE, 2)
        second = run_to_end(c, again["id"])
        assert second["credits"] == 0 and second["input_tokens"] == 0
        assert books(c) == (100 - first["credits"], 0, first["credits"])
        ledger = c.get("/v1/account/ledger", params={"run_id": second["id"]}).json()
        first_ledger = c.get("/v1/account/ledger", params={"run_id": first["id"]}).json()
    charge = next(e for e in ledger if e["kind"] == "charge")
    pages = f"{first['characters'] / CHARS_PER_PAGE:.2f} pages"
    assert charge["amount"] == 0
    assert charge["note"].startswith(f"0.00 pages translated, {pages} from memory (not billed)")
    assert {e["kind"] for e in ledger} == {"hold", "release", "charge"}
    first_charge = next(e for e in first_ledger if e["kind"] == "charge")
    assert first_charge["amount"] == -first["credits"]
    assert first_charge["note"].startswith(f"{pages} translated, 0.00 pages from memory")


def test_account_explains_the_rule(service: Service) -> None:
    with service.client() as c:
        pricing = c.get("/v1/account").json()["pricing"]
    assert pricing["credits_per_page"] == 1 and pricing["chars_per_page"] == CHARS_PER_PAGE
    assert pricing["memory_price_share"] == 0.0 and "memory" in pricing["rule"]


@pytest.fixture(scope="module")
def half_price(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A second service that charges half the price for text served from memory."""
    svc = start_serve(tmp_path_factory.mktemp("half"), {"POLYDOC_MEMORY_PRICE_SHARE": "0.5"})
    yield svc
    svc.stop()


def test_memory_price_share_halves_the_price_of_memory(half_price: Service) -> None:
    key = half_price.new_account("half", credits=100)
    body = prose(150)  # about 5 standard pages
    with half_price.client(key) as c:
        assert c.get("/v1/account").json()["pricing"]["memory_price_share"] == 0.5
        first = run_to_end(c, upload(c, "a.txt", body)["id"])
        pages = first["characters"] / CHARS_PER_PAGE
        assert first["credits"] == math.ceil(pages) >= 4
        again = upload(c, "b.txt", body)
        priced = estimate(c, again["id"])
        second = run_to_end(c, again["id"])
        ledger = c.get("/v1/account/ledger", params={"run_id": second["id"]}).json()
    # half of the pages from memory, rounded up once
    assert priced["credits"] == second["credits"] == math.ceil(pages / 2) < first["credits"]
    charge = next(e for e in ledger if e["kind"] == "charge")
    assert charge["amount"] == -second["credits"] and "from memory (billed at 50%)" in charge["note"]


def test_max_credits_below_the_estimate_is_402_and_nothing_is_held(service: Service) -> None:
    key = service.new_account("capped", credits=100)
    with service.client(key) as c:
        f = upload(c, "capped.txt", prose(100, topic="boat"))
        priced = estimate(c, f["id"], max_credits=1)
        assert priced["credits"] >= 3 and "max_credits" in priced["warnings"][0]
        before = books(c)
        refused = c.post(
            "/v1/runs",
            json={"input_file_id": f["id"], "target_language": "es", "max_credits": priced["credits"] - 1},
        )
        assert refused.status_code == 402 and refused.json()["error"]["code"] == "over_max_credits"
        assert books(c) == before == (100, 0, 0) and c.get("/v1/runs").json() == []
        # at the estimate: accepted, and the hold is the estimate, not the upper bound
        made = c.post(
            "/v1/runs",
            json={"input_file_id": f["id"], "target_language": "es", "max_credits": priced["credits"]},
        )
        assert made.status_code == 200, made.text
        assert made.json()["hold_credits"] == priced["credits"]
        run = wait_run(c, made.json()["id"])
    assert run["status"] == "Succeeded" and run["credits"] == priced["credits"]


def test_estimate_answers_the_errors_runs_create_answers(service: Service) -> None:
    key = service.new_account("estimate-errors", credits=10)
    with service.client(key) as c:
        f = upload(c, "e.txt", b"The house is big.\n")
        cases = {
            "unknown file": ({"input_file_id": str(uuid.uuid4()), "target_language": "es"}, 404, "not_found"),
            "bad language": (
                {"input_file_id": f["id"], "target_language": "xx-nope"},
                422,
                "unsupported_language",
            ),
            "no pair": ({"input_file_id": f["id"], "target_language": "de"}, 422, "unsupported_language"),
            "output mode": (
                {"input_file_id": f["id"], "target_language": "es", "output_mode": "bilingual"},
                400,
                "invalid_option",
            ),
            "negative cap": (
                {"input_file_id": f["id"], "target_language": "es", "max_credits": -1},
                422,
                None,
            ),
        }
        for what, (body, status, code) in cases.items():
            for path in ("/v1/estimates", "/v1/runs"):
                resp = c.post(path, json=body)
                assert resp.status_code == status, (what, path, resp.text)
                assert code is None or resp.json()["error"]["code"] == code, (what, path, resp.text)
        with service.db() as db:  # an expired file: 410 from both
            db.get(File, uuid.UUID(f["id"])).expires_at = utcnow() - timedelta(seconds=1)
            db.commit()
        for path in ("/v1/estimates", "/v1/runs"):
            resp = c.post(path, json={"input_file_id": f["id"], "target_language": "es"})
            assert resp.status_code == 410, resp.text
        assert books(c) == (10, 0, 0)
    with service.client("pd_wrong") as c:
        assert (
            c.post("/v1/estimates", json={"input_file_id": f["id"], "target_language": "es"}).status_code
            == 401
        )


# -- the rule on its own (billing.Basis), no service ------------------------------------------------


@pytest.fixture
def price_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    from polydoc.config import get_settings

    def configure(share: float = 0.0, per_page: int = 1) -> None:
        monkeypatch.setenv("POLYDOC_MEMORY_PRICE_SHARE", str(share))
        monkeypatch.setenv("POLYDOC_CREDITS_PER_PAGE", str(per_page))
        get_settings.cache_clear()

    configure()
    yield configure
    monkeypatch.undo()
    get_settings.cache_clear()


def test_the_price_rule(price_settings) -> None:  # noqa: ANN001
    from polydoc.billing import Basis

    page = "x" * CHARS_PER_PAGE
    flowing = Basis.of([page, "<g1>y</g1>"], [], paged=False, pages=2)
    assert (
        flowing.characters == CHARS_PER_PAGE + 1 and flowing.credits() == 2
    )  # tags do not count; rounded up
    assert Basis.of(["tiny"], [], paged=False, pages=1).credits() == 1  # at least one when anything is sent
    served = Basis.of([page, "y" * 900], [page], paged=False, pages=2)
    assert served.credits() == 1 and served.credits(sent=0) == 0  # memory is free; failed segments too
    assert Basis.of([page], [page], paged=False, pages=1).credits() == 0
    assert "1.00 page from memory (not billed)" in Basis.of([page], [page], paged=False, pages=1).note()
    # paged: a page is a real page, pro rata to the unique segments' characters
    deck = ["a" * 100, "b" * 100, "c" * 100]
    assert Basis.of(deck, [], paged=True, pages=3).credits() == 3
    assert Basis.of(deck, deck[:1], paged=True, pages=3).credits() == 2
    assert Basis.of(deck, deck, paged=True, pages=3).credits() == 0
    price_settings(share=0.5)
    assert Basis.of(deck, deck, paged=True, pages=3).credits() == 2  # 1.5 pages, rounded up once
    assert Basis.of([page], [page], paged=False, pages=1).credits() == 1  # half a page, rounded up
    assert "billed at 50%" in Basis.of(deck, deck, paged=True, pages=3).note()
    price_settings(share=0.0, per_page=3)
    assert Basis.of(["y" * 900], [], paged=False, pages=1).credits() == 2  # 3 × ½ page, rounded up once
    price_settings(per_page=0)
    assert Basis.of(["tiny"], [], paged=False, pages=1).credits() == 0  # a free server charges nothing
