"""Webhooks against a real `polydoc serve`: signed deliveries after the run ends, retries with one
delivery id, and no way into the server's own network (SSRF).

The only fakes: a loopback HTTP receiver, a resolver stub (a name mapped to an address) and a socket
guard (`tests.netguard`) that refuses and logs any non-loopback connect — installed in the service's
processes and in this one — so no test here can send a packet off the machine, even if the code is wrong.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from polydoc.config import get_settings
from polydoc.services.webhook_delivery import Outgoing, post
from tests import netguard
from tests.helpers import Service, start_serve, translate, upload

ADMIN = "test-admin-token"
STORY = b"The red house is very old and the dog is black.\n"
FORBIDDEN = [
    "http://169.254.169.254/latest/meta-data/",
    "http://10.0.0.1/hook",
    "http://[::1]/hook",
    "http://[::ffff:127.0.0.1]/hook",
    "http://0.0.0.0/hook",
    "http://localhost:9/hook",  # a name that resolves to a loopback address (/etc/hosts)
]


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float


@dataclass
class Receiver:
    """A loopback HTTP server that records each request and answers from `answers` (then 200)."""

    answers: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    hits: list[Hit] = field(default_factory=list)
    port: int = 0

    def url(self, path: str = "/hook") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def wait(self, count: int, timeout: float = 10) -> list[Hit]:
        deadline = time.monotonic() + timeout
        while len(self.hits) < count and time.monotonic() < deadline:
            time.sleep(0.02)
        assert len(self.hits) >= count, f"{len(self.hits)} of {count} requests arrived"
        return self.hits


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    rec = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            rec.hits.append(Hit(self.path, dict(self.headers), body, time.time()))
            status, headers = rec.answers.pop(0) if rec.answers else (200, {})
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    rec.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def guard_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("netguard") / "refused.log"


@pytest.fixture(scope="module")
def hooked(tmp_path_factory: pytest.TempPathFactory, guard_log: Path) -> Iterator[Service]:
    """A service whose processes refuse non-loopback connects; 127.0.0.1 allowed as a webhook host."""
    path = netguard.sitecustomize(tmp_path_factory.mktemp("site"), guard_log)
    svc = start_serve(
        tmp_path_factory.mktemp("hooks"),
        {
            "PYTHONPATH": path,
            "POLYDOC_WEBHOOK_ALLOW_HOSTS": "127.0.0.1",
            "POLYDOC_WEBHOOK_BACKOFF_SECONDS": "0.2",
            "POLYDOC_WEBHOOK_MAX_ATTEMPTS": "4",
            "POLYDOC_WEBHOOK_POLL_SECONDS": "0.1",
            "POLYDOC_WEBHOOK_TIMEOUT_SECONDS": "2",
            "POLYDOC_ADMIN_TOKEN": ADMIN,
        },
    )
    yield svc
    svc.stop()
    assert not guard_log.exists(), f"non-loopback connects were attempted: {guard_log.read_text()}"


def new_account(svc: Service, name: str, credits: int) -> str:
    """An account made through the admin API (no CLI process per test); returns its key."""
    resp = httpx.post(
        f"{svc.base_url}/v1/admin/accounts",
        json={"name": name, "credits": credits},
        headers={"Authorization": f"Bearer {ADMIN}"},
        timeout=30,
    )
    assert resp.status_code == 200, resp.text
    return resp.json()["api_key"]


def verify(secret: str, hit: Hit, tolerance: float = 300) -> dict:
    """Check `Polydoc-Signature` as a receiver would (Stripe's scheme); returns the event."""
    parts = dict(p.split("=", 1) for p in hit.headers["Polydoc-Signature"].split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + hit.body, hashlib.sha256).hexdigest()
    assert hmac.compare_digest(expected, parts["v1"]), "bad signature"
    assert abs(time.time() - int(parts["t"])) < tolerance
    return json.loads(hit.body)


def deliveries(client: httpx.Client, hook_id: str) -> list[dict]:
    resp = client.get(f"/v1/webhooks/{hook_id}/deliveries")
    assert resp.status_code == 200, resp.text
    return resp.json()


def wait_delivery(client: httpx.Client, hook_id: str, status: str, timeout: float = 15) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = deliveries(client, hook_id)
        if found and found[0]["status"] == status:
            return found[0]
        time.sleep(0.1)
    raise AssertionError(f"no {status} delivery: {deliveries(client, hook_id)}")


def register(
    client: httpx.Client, url: str, events: tuple[str, ...] = ("run.succeeded", "run.failed")
) -> dict:
    resp = client.post("/v1/webhooks", json={"url": url, "events": list(events)})
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_receiver_gets_run_succeeded_signed_within_two_seconds(hooked: Service, receiver: Receiver) -> None:
    with hooked.client(new_account(hooked, "hook-ok", credits=10)) as client:
        hook = register(client, receiver.url(), ("run.succeeded",))
        assert hook["secret"].startswith("whsec_") and hook["events"] == ["run.succeeded"]
        assert "secret" not in client.get(f"/v1/webhooks/{hook['id']}").json()  # shown once
        assert [h["id"] for h in client.get("/v1/webhooks").json()] == [hook["id"]]

        run, _ = translate(client, "story.txt", STORY)
        hit = receiver.wait(1)[0]
        ended = datetime.fromisoformat(run["finished_at"]).timestamp()
        assert hit.at - ended < 2.0, f"delivered {hit.at - ended:.2f} s after the run ended"
        event = verify(hook["secret"], hit)
        assert event["type"] == "run.succeeded" and hit.headers["Polydoc-Event"] == "run.succeeded"
        assert event["id"] == hit.headers["Polydoc-Delivery"]
        assert event["data"]["id"] == run["id"] and event["data"]["status"] == "Succeeded"
        assert event["data"]["output_file_id"] == run["output_file_id"] and event["data"]["credits"] == 1
        assert hit.headers["Content-Type"] == "application/json" and hit.path == "/hook"

        done = wait_delivery(client, hook["id"], "succeeded")
        assert done["id"] == event["id"] and done["attempts"] == 1 and done["last_status_code"] == 200
        assert done["run_id"] == run["id"] and done["last_error"] is None
        assert client.delete(f"/v1/webhooks/{hook['id']}").status_code == 200
        assert client.get(f"/v1/webhooks/{hook['id']}").status_code == 404


def test_500_twice_then_delivered_on_the_third_attempt_with_the_same_id(
    hooked: Service, receiver: Receiver
) -> None:
    receiver.answers = [(500, {}), (500, {})]
    with hooked.client(new_account(hooked, "hook-retry", credits=10)) as client:
        hook = register(client, receiver.url())
        run, _ = translate(client, "story.txt", STORY)
        hits = receiver.wait(3)
        assert len({h.headers["Polydoc-Delivery"] for h in hits}) == 1  # receivers can drop repeats
        assert len({h.body for h in hits}) == 1  # the same event every time, freshly signed
        assert all(verify(hook["secret"], h)["data"]["id"] == run["id"] for h in hits)
        assert hits[1].at - hits[0].at >= 0.15  # backed off, not hammered
        done = wait_delivery(client, hook["id"], "succeeded")
        assert done["attempts"] == 3 and done["last_status_code"] == 200
        time.sleep(0.5)
        assert len(receiver.hits) == 3  # nothing more once delivered


def test_a_run_carries_its_own_webhook_url(hooked: Service, receiver: Receiver) -> None:
    with hooked.client(new_account(hooked, "hook-run", credits=10)) as client:
        f = upload(client, "story.txt", STORY)
        resp = client.post(
            "/v1/runs",
            json={"input_file_id": f["id"], "target_language": "es", "webhook_url": receiver.url("/r")},
        )
        assert resp.status_code == 200, resp.text
        created = resp.json()
        secret = created["webhook_secret"]
        assert secret.startswith("whsec_") and created["webhook_url"] == receiver.url("/r")
        hit = receiver.wait(1)[0]
        event = verify(secret, hit)
        assert event["type"] == "run.succeeded" and event["data"]["id"] == created["id"]
        assert secret not in hit.body.decode() and event["data"]["webhook_secret"] is None
        assert client.get(f"/v1/runs/{created['id']}").json()["webhook_secret"] is None  # shown once


def test_a_cancelled_run_sends_run_failed(hooked: Service, receiver: Receiver) -> None:
    long = b"".join(b"Line %d of the red house and the black dog.\n\n" % i for i in range(3000))
    with hooked.client(new_account(hooked, "hook-cancel", credits=100)) as client:
        hook = register(client, receiver.url(), ("run.failed",))
        f = upload(client, "long.txt", long)
        run = client.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}).json()
        assert client.post(f"/v1/runs/{run['id']}/cancel").status_code == 200
        event = verify(hook["secret"], receiver.wait(1)[0])
        assert event["type"] == "run.failed" and event["data"]["error"]["code"] == "cancelled"


def test_a_receiver_that_is_down_never_slows_or_fails_the_run(hooked: Service) -> None:
    with socket.socket() as s:  # a loopback port nobody listens on
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/hook"
    with hooked.client(new_account(hooked, "hook-down", credits=10)) as client:
        hook = register(client, dead)
        started = time.monotonic()
        run, _ = translate(client, "story.txt", STORY)
        assert run["status"] == "Succeeded" and time.monotonic() - started < 10
        failed = wait_delivery(client, hook["id"], "failed")
        assert failed["attempts"] == 4 and failed["last_status_code"] is None
        assert "Connect" in failed["last_error"]


@pytest.mark.parametrize("url", FORBIDDEN)
def test_private_loopback_and_metadata_urls_are_refused(hooked: Service, url: str) -> None:
    # no credits: should the check be missing, the run is refused (402) before it could ever deliver
    with hooked.client(new_account(hooked, "hook-ssrf", credits=0)) as client:
        resp = client.post("/v1/webhooks", json={"url": url, "events": ["run.succeeded"]})
        if resp.status_code == 200:
            client.delete(f"/v1/webhooks/{resp.json()['id']}")
        assert resp.status_code == 422 and resp.json()["error"]["code"] == "webhook_url_forbidden", resp.text
        f = upload(client, "story.txt", STORY)
        resp = client.post(
            "/v1/runs", json={"input_file_id": f["id"], "target_language": "es", "webhook_url": url}
        )
        assert resp.status_code == 422 and resp.json()["error"]["code"] == "webhook_url_forbidden", resp.text
        assert client.get("/v1/webhooks").json() == [] and client.get("/v1/runs").json() == []


def test_bad_webhook_requests_say_why(hooked: Service) -> None:
    with hooked.client(new_account(hooked, "hook-bad", credits=0)) as client:
        for body, code in (
            ({"url": "ftp://127.0.0.1/x", "events": ["run.succeeded"]}, "webhook_url_invalid"),
            ({"url": "http://user:pw@127.0.0.1/x", "events": ["run.succeeded"]}, "webhook_url_invalid"),
            ({"url": "http://127.0.0.1/x", "events": ["run.exploded"]}, "invalid_request"),
            ({"url": "http://127.0.0.1/x", "events": []}, "invalid_request"),
        ):
            resp = client.post("/v1/webhooks", json=body)
            assert resp.status_code == 422 and resp.json()["error"]["code"] == code, (body, resp.text)
        other = hooked.client(new_account(hooked, "hook-other", credits=0))
        hook = register(other, "http://127.0.0.1:9/x")
        for path in (f"/v1/webhooks/{hook['id']}", f"/v1/webhooks/{hook['id']}/deliveries"):
            assert client.get(path).status_code == 404  # not yours
        other.close()


def test_a_redirect_is_not_followed(hooked: Service, receiver: Receiver) -> None:
    # it points back at loopback: were it followed, the request would still not leave the machine
    target = f"http://127.0.0.1:{receiver.port}/stolen"
    receiver.answers = [(302, {"Location": target})] * 4
    with hooked.client(new_account(hooked, "hook-redirect", credits=10)) as client:
        hook = register(client, receiver.url())
        translate(client, "story.txt", STORY)
        failed = wait_delivery(client, hook["id"], "failed")
        assert failed["attempts"] == 4 and failed["last_status_code"] == 302
        assert "redirect" in failed["last_error"]
        assert [h.path for h in receiver.hits] == ["/hook"] * 4  # never /stolen


# -- the delivery-time check, in this process: a resolver stub and the socket guard ---------------------


@dataclass
class Guarded:
    log: Path
    monkeypatch: pytest.MonkeyPatch
    names: dict[str, list[str]] = field(default_factory=dict)  # name -> answers of successive look-ups
    lookups: list[str] = field(default_factory=list)

    def allow(self, hosts: str) -> None:
        self.monkeypatch.setenv("POLYDOC_WEBHOOK_ALLOW_HOSTS", hosts)
        get_settings.cache_clear()


@pytest.fixture
def guarded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Guarded]:
    """This process's sockets refuse non-loopback connects, and names resolve through the stub."""
    guard = Guarded(tmp_path / "refused.log", monkeypatch)
    real = socket.getaddrinfo

    def stub(host: str, port: object, *args: object, **kwargs: object) -> list:
        if host == "127.0.0.1":  # the socket layer's own call for the address it was given
            return real(host, port, *args, **kwargs)
        guard.lookups.append(host)
        answers = guard.names.get(host)
        if not answers:
            raise socket.gaierror(socket.EAI_NONAME, "stub: unknown name")
        ip = answers.pop(0) if len(answers) > 1 else answers[0]
        family = socket.AF_INET6 if ":" in ip else socket.AF_INET
        return [(family, socket.SOCK_STREAM, 6, "", (ip, port))]

    monkeypatch.setattr(socket, "getaddrinfo", stub)
    monkeypatch.delenv("POLYDOC_WEBHOOK_ALLOW_HOSTS", raising=False)
    get_settings.cache_clear()
    netguard.install(guard.log)
    try:
        yield guard
    finally:
        netguard.uninstall()
        get_settings.cache_clear()
    assert not guard.log.exists(), f"non-loopback connects were attempted: {guard.log.read_text()}"


def outgoing(url: str) -> Outgoing:
    return Outgoing(id=uuid.uuid4(), event="run.succeeded", url=url, secret="whsec_test", body=b"{}")


@pytest.mark.parametrize("address", ["10.1.2.3", "169.254.169.254", "127.0.0.1", "::1", "fd00:ec2::254"])
def test_a_name_that_now_resolves_to_a_private_address_is_not_sent_to(guarded: Guarded, address: str) -> None:
    guarded.names["hooks.example.test"] = [address]
    code, error = post(outgoing("http://hooks.example.test/hook"))
    assert code is None and address in error and "POLYDOC_WEBHOOK_ALLOW_HOSTS" in error
    assert guarded.lookups == ["hooks.example.test"]


def test_the_address_checked_is_the_one_connected_to(guarded: Guarded, receiver: Receiver) -> None:
    guarded.allow("hooks.example.test")
    guarded.names["hooks.example.test"] = ["127.0.0.1", "10.9.9.9"]  # a second look-up would be rebound
    code, error = post(outgoing(f"http://hooks.example.test:{receiver.port}/hook"))
    assert (code, error) == (200, None)
    assert guarded.lookups == ["hooks.example.test"]  # resolved once
    assert receiver.hits[0].headers["Host"] == f"hooks.example.test:{receiver.port}"


def test_a_redirect_to_the_metadata_address_is_not_followed(guarded: Guarded, receiver: Receiver) -> None:
    guarded.allow("127.0.0.1")
    receiver.answers = [(307, {"Location": "http://169.254.169.254/latest/meta-data/"})]
    code, error = post(outgoing(receiver.url()))
    assert code == 307 and "redirect" in error
    assert len(receiver.hits) == 1
