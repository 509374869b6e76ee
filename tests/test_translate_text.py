"""`POST /v1/translate` against a real `polydoc serve` and real Apertium: short texts translated while
the caller waits, billed by the runs' rule, served from the translation memory the second time."""

from __future__ import annotations

import httpx

from tests.helpers import Service


def account(service: Service, name: str, credits: int) -> httpx.Client:
    return service.client(service.new_account(name, credits=credits))


def balance(client: httpx.Client) -> int:
    return client.get("/v1/account").json()["balance"]


def test_translates_bills_and_then_serves_from_memory_for_free(service: Service) -> None:
    with account(service, "text-user", 5) as client:
        body = {
            "texts": ["The red house is very old.", "The dog is black.\nThe cat is white."],
            "target_language": "es",
        }
        first = client.post("/v1/translate", json=body)
        assert first.status_code == 200, first.text
        got = first.json()
        house, animals = got["translations"]
        assert "casa" in house and "house" not in house
        assert animals.count("\n") == 1 and "perro" in animals.split("\n")[0]  # the line break kept
        assert got["source_language"] == "en" and got["route"] == "apertium"  # detected offline
        assert got["credits"] == 1 and got["input_tokens"] > 0 and got["output_tokens"] > 0
        assert balance(client) == 4
        charge = client.get("/v1/account/ledger").json()[0]
        assert charge["kind"] == "charge" and charge["amount"] == -1 and charge["run_id"] is None
        assert charge["note"].startswith("text translation: 0.03 pages translated, 0.00 pages from memory")

        again = client.post("/v1/translate", json=body).json()
        assert again["translations"] == got["translations"]
        assert again["credits"] == 0 and again["input_tokens"] == 0
        assert again["characters_cached"] == again["characters"] == got["characters"]
        assert balance(client) == 4  # memory is free (POLYDOC_MEMORY_PRICE_SHARE 0)


def test_a_repeated_request_with_its_idempotency_key_is_charged_once(service: Service) -> None:
    with account(service, "text-once", 5) as client:
        body, key = (
            {"text": "The small cat sleeps in the house.", "target_language": "ca"},
            {"Idempotency-Key": "k1"},
        )
        first = client.post("/v1/translate", json=body, headers=key).json()
        again = client.post("/v1/translate", json=body, headers=key).json()
        assert again == first and first["credits"] == 1  # the first answer, replayed
        assert balance(client) == 4
        other = client.post("/v1/translate", json={**body, "target_language": "es"}, headers=key)
        assert other.status_code == 409 and other.json()["error"]["code"] == "idempotency_key_reused"


def test_one_text_as_html_keeps_its_tags_and_links(service: Service) -> None:
    html = '<p>The <b>big</b> house is old. Read <a href="https://example.com/guide">the guide</a>.</p>'
    with account(service, "text-html", 5) as client:
        resp = client.post(
            "/v1/translate",
            json={"text": html, "target_language": "es", "source_language": "en", "format": "html"},
        )
        assert resp.status_code == 200, resp.text
        (out,) = resp.json()["translations"]
        assert out.startswith("<p>") and out.endswith("</p>") and "<b>" in out and "</b>" in out
        assert 'href="https://example.com/guide"' in out and "casa" in out and "house" not in out


def test_a_glossary_decides_the_terms(service: Service) -> None:
    with account(service, "text-glossary", 5) as client:
        body = {
            "text": "The house is big.",
            "target_language": "es",
            "glossary": [{"source": "house", "target": "vivienda"}],
        }
        (out,) = client.post("/v1/translate", json=body).json()["translations"]
        assert "vivienda" in out and "casa" not in out


def test_oversize_input_is_refused_and_costs_nothing(service: Service) -> None:
    with account(service, "text-big", 50) as client:
        resp = client.post(
            "/v1/translate", json={"texts": ["The dog. " * 2000, "x" * 3000], "target_language": "es"}
        )
        assert resp.status_code == 413 and resp.json()["error"]["code"] == "text_too_large"
        assert "at most 20,000" in resp.json()["error"]["message"]
        assert balance(client) == 50


def test_a_short_balance_is_402_and_nothing_is_translated(service: Service) -> None:
    with account(service, "text-poor", 0) as client:
        resp = client.post("/v1/translate", json={"text": "The black cat sleeps.", "target_language": "es"})
        assert resp.status_code == 402 and resp.json()["error"]["code"] == "insufficient_credits"
        assert client.get("/v1/account/ledger").json() == []  # nothing charged, nothing held


def test_bad_requests_say_why(service: Service) -> None:
    with account(service, "text-bad", 5) as client:
        for body, status, code in (
            ({"target_language": "es"}, 422, "invalid_request"),
            ({"text": "Hi there", "texts": ["Hi"], "target_language": "es"}, 422, "invalid_request"),
            ({"text": "The dog is black.", "target_language": "xx-nope"}, 422, "unsupported_language"),
            ({"text": "The dog is black.", "target_language": "en"}, 422, "same_language"),
            ({"text": "The dog\u0000 is black.", "target_language": "es"}, 400, "invalid_text"),
            ({"text": "A <x3/> tag of our own.", "target_language": "es"}, 422, "malformed"),
            ({"text": "The dog is black.", "target_language": "es", "format": "pdf"}, 422, "invalid_request"),
        ):
            resp = client.post("/v1/translate", json=body)
            assert (resp.status_code, resp.json()["error"]["code"]) == (status, code), (body, resp.text)
        assert balance(client) == 5
