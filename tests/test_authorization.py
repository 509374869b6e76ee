"""Authorization object by object, admin operations, idempotency keys and rate limits."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.helpers import Service, start_serve, upload, wait_run


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A server with an admin token and a low rate limit."""
    svc = start_serve(
        tmp_path_factory.mktemp("guarded"),
        {"POLYDOC_ADMIN_TOKEN": "admin-secret-token", "POLYDOC_RATE_LIMIT_PER_MINUTE": "40"},
    )
    yield svc
    svc.stop()


def _admin(svc: Service) -> httpx.Client:
    return httpx.Client(base_url=svc.base_url, headers={"Authorization": "Bearer admin-secret-token"})


def test_every_endpoint_hides_other_accounts_objects(service: Service) -> None:
    alice, bob = service.new_account("matrix-a", 50), service.new_account("matrix-b", 50)
    with service.client(alice) as a:
        f = upload(a, "a.txt", b"The house is big.\n")
        run = a.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}).json()
        done = wait_run(a, run["id"])
        key_id = a.get("/v1/keys").json()[0]["id"]
    ids = {"file": f["id"], "output": done["output_file_id"], "run": run["id"], "key": key_id}
    matrix = [
        ("GET", "/v1/files/{file}"),
        ("GET", "/v1/files/{file}/download"),
        ("DELETE", "/v1/files/{file}"),
        ("GET", "/v1/files/{output}"),
        ("GET", "/v1/files/{output}/download"),
        ("DELETE", "/v1/files/{output}"),
        ("GET", "/v1/runs/{run}"),
        ("POST", "/v1/runs/{run}/cancel"),
        ("GET", "/v1/runs/{run}/events"),
        ("DELETE", "/v1/keys/{key}"),
    ]
    with service.client(bob) as b:
        for method, path in matrix:
            resp = b.request(method, path.format(**ids))
            assert resp.status_code == 404, (method, path, resp.text)
            assert "a.txt" not in resp.text and f["account_id"] not in resp.text  # nothing of alice's leaks
        resp = b.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"})
        assert resp.status_code == 404
        assert b.get("/v1/files").json() == [] and b.get("/v1/runs").json() == []
    with service.client(alice) as a:  # nothing of alice's changed
        assert a.get(f"/v1/files/{f['id']}").status_code == 200
        assert a.get("/v1/keys").json()[0]["revoked_at"] is None


def test_keys_are_several_shown_once_and_revocable(service: Service) -> None:
    key = service.new_account("keys", 5)
    with service.client(key) as c:
        created = c.post("/v1/keys").json()
        second = created["api_key"]
        assert second != key and not any("api_key" in k for k in c.get("/v1/keys").json())
        assert len(c.get("/v1/keys").json()) == 2
    with service.client(second) as c2:
        assert c2.get("/v1/account").status_code == 200
        c2.delete(f"/v1/keys/{created['id']}")
        assert c2.get("/v1/account").status_code == 401
    with service.client(key) as c:
        assert c.get("/v1/account").status_code == 200


def test_admin_operations_need_the_admin_token(guarded: Service) -> None:
    assert httpx.post(f"{guarded.base_url}/v1/admin/accounts", json={"name": "x"}).status_code == 401
    user_key = guarded.new_account("not-admin", 1)
    resp = httpx.post(
        f"{guarded.base_url}/v1/admin/accounts",
        json={"name": "x"},
        headers={"Authorization": f"Bearer {user_key}"},
    )
    assert resp.status_code == 401
    with _admin(guarded) as admin:
        made = admin.post("/v1/admin/accounts", json={"name": "via-api", "credits": 7}).json()
        assert made["balance"] == 7
        after = admin.post(f"/v1/admin/accounts/{made['id']}/credits", json={"amount": 5}).json()
        assert after["balance"] == 12
        assert admin.post(f"/v1/admin/accounts/{uuid.uuid4()}/credits", json={"amount": 5}).status_code == 404
    with guarded.client(made["api_key"]) as c:
        assert c.get("/v1/account").json()["balance"] == 12


def test_idempotency_key_returns_the_first_answer(service: Service) -> None:
    key = service.new_account("idem", 20)
    with service.client(key) as c:
        body = b"The house is big.\n"
        first = c.post(
            "/v1/files", files={"data": ("a.txt", body)}, headers={"Idempotency-Key": "up-1"}
        ).json()
        again = c.post(
            "/v1/files", files={"data": ("a.txt", body)}, headers={"Idempotency-Key": "up-1"}
        ).json()
        assert first == again and len(c.get("/v1/files").json()) == 1
        payload = {"input_file_id": first["id"], "target_language": "es"}
        r1 = c.post("/v1/runs", json=payload, headers={"Idempotency-Key": "run-1"}).json()
        r2 = c.post("/v1/runs", json=payload, headers={"Idempotency-Key": "run-1"}).json()
        assert r1["id"] == r2["id"] and len(c.get("/v1/runs").json()) == 1
        other = c.post(
            "/v1/runs", json={**payload, "target_language": "ca"}, headers={"Idempotency-Key": "run-1"}
        )
        assert other.status_code == 409
        wait_run(c, r1["id"])
        assert c.get("/v1/account").json()["balance"] == 19  # charged once


def test_rate_limit_answers_429_with_retry_after(guarded: Service) -> None:
    key = guarded.new_account("chatty", 1)
    statuses = []
    with guarded.client(key) as c:
        for _ in range(60):
            resp = c.get("/v1/account")
            statuses.append(resp.status_code)
            if resp.status_code == 429:
                assert int(resp.headers["retry-after"]) >= 1
                assert resp.json()["error"]["code"] == "rate_limited"
                break
    assert statuses.count(200) == 40 and statuses[-1] == 429


def test_download_never_renders_uploaded_html(service: Service, tmp_path: Path) -> None:
    with service.client() as c:
        f = upload(c, "x.html", b"<html><body><p>The house</p><script>alert(1)</script></body></html>")
        resp = c.get(f"/v1/files/{f['id']}/download")
    assert resp.headers["content-type"] == "application/octet-stream"
    assert resp.headers["x-content-type-options"] == "nosniff"
    assert resp.headers["content-disposition"].startswith("attachment")
