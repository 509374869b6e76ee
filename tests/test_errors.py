"""Bad input gets a clear error and changes nothing."""

from __future__ import annotations

import os
import socket

import httpx
import pytest

from tests.helpers import Service, upload


def _error(resp: httpx.Response, status: int) -> dict:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error"} and body["error"]["code"] and body["error"]["message"]
    return body["error"]


@pytest.mark.parametrize("header", [None, "Bearer wrong-key", "Basic abc", "Bearer"])
def test_missing_or_wrong_key_is_401(service: Service, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    for method, path in (
        ("GET", "/v1/files"),
        ("GET", "/v1/runs"),
        ("POST", "/v1/runs"),
        ("GET", "/v1/account"),
    ):
        _error(httpx.request(method, service.base_url + path, headers=headers, json={}), 401)


def test_another_accounts_objects_are_404(service: Service) -> None:
    alice, bob = service.new_account("alice", 10), service.new_account("bob", 10)
    with service.client(alice) as a:
        f = upload(a, "a.txt", b"The house is big.\n")
        run = a.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}).json()
    with service.client(bob) as b:
        for path in (f"/v1/files/{f['id']}", f"/v1/files/{f['id']}/download", f"/v1/runs/{run['id']}"):
            _error(b.get(path), 404)
        _error(b.delete(f"/v1/files/{f['id']}"), 404)
        _error(b.post(f"/v1/runs/{run['id']}/cancel"), 404)
        _error(b.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}), 404)
        assert b.get("/v1/files").json() == [] and b.get("/v1/runs").json() == []
        _error(b.get("/v1/runs/not-a-uuid"), 404)


@pytest.mark.parametrize("target", ["xx", "klingon", "", "de"])
def test_unknown_or_unsupported_language_is_422(service: Service, target: str) -> None:
    with service.client() as c:
        f = upload(c, "a.txt", b"The house is big.\n")
        before = c.get("/v1/account").json()["balance"]
        err = _error(c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": target}), 422)
        assert c.get("/v1/account").json()["balance"] == before
    if target == "de":
        assert "es" in err["message"] and "ca" in err["message"]  # names the supported targets


def test_empty_file_and_binary_junk(service: Service) -> None:
    with service.client() as c:
        assert _error(c.post("/v1/files", files={"data": ("empty.txt", b"")}), 422)["code"] == "empty_file"
        junk = os.urandom(4096)
        err = _error(c.post("/v1/files", files={"data": ("notes.txt", junk)}), 415)
        assert "binary" in err["message"]
        assert _error(c.post("/v1/files", files={"data": ("x.docx", b"The house.")}), 415)
        assert c.get("/v1/files").status_code == 200


def test_oversize_upload_is_413_without_buffering(service: Service) -> None:
    limit = 5 * 1024 * 1024
    sent = 0

    def body():  # a chunked body with no Content-Length, far over the limit
        nonlocal sent
        yield b'--b\r\nContent-Disposition: form-data; name="data"; filename="big.txt"\r\n\r\n'
        for _ in range(400):
            sent += 65536
            yield b"the house " * 6553 + b"abcdef"
        yield b"\r\n--b--\r\n"

    headers = {"Authorization": f"Bearer {service.key}", "Content-Type": "multipart/form-data; boundary=b"}
    try:
        resp = httpx.post(service.base_url + "/v1/files", content=body(), headers=headers, timeout=60)
        _error(resp, 413)
    except httpx.HTTPError:
        pass  # the server may close the connection while we are still sending: also a refusal
    # declared too large: answered 413 after the headers, before any of the body is sent
    host, port = service.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(
            f"POST /v1/files HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {service.key}\r\n"
            f"Content-Type: multipart/form-data; boundary=b\r\nContent-Length: {limit * 3}\r\n\r\n".encode()
        )
        assert sock.recv(4096).startswith(b"HTTP/1.1 413")
    assert service.client().get("/healthz").status_code == 200


def test_insufficient_credits_is_402_and_changes_nothing(service: Service) -> None:
    key = service.new_account("poor", credits=1)
    with service.client(key) as c:
        big = ("The house is big and the dog is small. " * 60 + "\n\n").encode() * 5  # 2+ pages
        f = upload(c, "big.txt", big)
        assert f["num_pages"] >= 2
        before = c.get("/v1/account").json()
        _error(c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}), 402)
        assert c.get("/v1/account").json() == before
        assert c.get("/v1/runs").json() == []


def test_cancel_releases_the_hold(service: Service) -> None:
    key = service.new_account("canceller", credits=500)
    with service.client(key) as c:
        text = "".join(f"Sentence number {i} about the red house and the dog.\n\n" for i in range(6000))
        f = upload(c, "long.txt", text.encode())
        run = c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}).json()
        assert c.get("/v1/account").json()["held"] == f["num_pages"]
        cancelled = c.post(f"/v1/runs/{run['id']}/cancel").json()
        assert cancelled["status"] == "Failed" and cancelled["error"]["code"] == "cancelled"
        _error(c.post(f"/v1/runs/{run['id']}/cancel"), 409)
        account = c.get("/v1/account").json()
        assert account["held"] == 0 and account["balance"] == 500
        import time

        time.sleep(1.5)
        assert c.get(f"/v1/runs/{run['id']}").json()["status"] == "Failed"  # the worker did not revive it
        assert c.get("/v1/account").json()["balance"] == 500
