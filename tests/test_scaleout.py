"""Scale-out and fault tolerance on PostgreSQL + Redis + S3: nothing lost, nothing charged twice.

These tests are about the scale-out backend, so they set it up themselves whatever
POLYDOC_TEST_BACKEND says: PostgreSQL and moto's S3 server from scripts/services.sh (a fresh
database and bucket per test), and a private `redis-server` per test, started with the same
flags services.sh uses, so that restarting it cannot disturb anybody else's tests.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import boto3
import httpx
import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from polydoc.db.models import CreditEntry, File, PeriodicSlot, Run
from tests.conftest import ROOT, Service, free_port, make_service, scaleout_env, wait_http

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")

WORDS = ("house", "river", "dog", "cat", "garden", "book", "friend", "city", "tree", "car")


def document(n: int) -> bytes:
    """A small English document, different for every n so each run really calls the engine."""
    words = " ".join(WORDS[(n >> (3 * i)) % len(WORDS)] for i in range(4))
    return f"Document {n}. The red house near the river is very big.\n\nMy friend has a {words}.\n".encode()


# --- the backend ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _services() -> Iterator[None]:
    """PostgreSQL and S3 from scripts/services.sh; its POLYDOC_TEST_* variables for scaleout_env()."""
    done = subprocess.run(
        ["bash", str(ROOT / "scripts" / "services.sh")], capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr
    mp = pytest.MonkeyPatch()
    for name, value in re.findall(r"^export (POLYDOC_TEST_\w+)=(\S+)$", done.stdout, re.M):
        mp.setenv(name, value)
    yield
    mp.undo()


class RedisServer:
    """A private redis-server, started as scripts/services.sh starts the shared one."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--daemonize", "yes", "--save", "", "--appendonly",
             "no", "--logfile", str(self.workdir / "redis.log"), "--pidfile", str(self.workdir / "redis.pid"),
             "--dir", str(self.workdir)],
            check=True,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while not self.ping():
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def ping(self) -> bool:
        done = subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True)
        return done.stdout.strip() == "PONG"

    def stop(self) -> None:
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)
        deadline = time.monotonic() + 10
        while self.ping() and time.monotonic() < deadline:
            time.sleep(0.05)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@dataclass
class Cluster:
    """API and worker processes on one scale-out backend, with a direct view of its database."""

    svc: Service
    bucket: str
    prefix: str
    engine: Engine
    apis: dict[str, str] = field(default_factory=dict)  # name -> base url

    @property
    def db_name(self) -> str:
        return self.svc.env["POLYDOC_DATABASE_URL"].rsplit("/", 1)[1]

    def start_api(self, name: str, port: int | None = None) -> str:
        port = port or free_port()
        self.svc.start(name, "api", "--port", str(port))
        self.apis[name] = f"http://127.0.0.1:{port}"
        wait_http(f"{self.apis[name]}/healthz")
        return self.apis[name]

    def restart_api(self, name: str, sig: int = signal.SIGKILL) -> None:
        self.svc.kill(name, sig)
        self.start_api(name, int(self.apis[name].rsplit(":", 1)[1]))

    def start_worker(self, name: str, concurrency: int = 2) -> int:
        proc = self.svc.start(name, "worker", "--concurrency", str(concurrency))
        return proc.pid

    def wait_workers_ready(self, names: list[str], timeout: float = 60) -> None:
        """A worker is ready once its periodic thread has ticked (it names itself in its log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all("ready" in self.log(n) for n in names):
                return
            time.sleep(0.2)
        raise TimeoutError(f"workers not ready: {[n for n in names if 'ready' not in self.log(n)]}")

    def log(self, name: str) -> str:
        path = self.svc.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def query(self, fn: Callable[[Session], object], tries: int = 20) -> object:
        """Run a read on the test database, retrying while its connections are being cut."""
        for attempt in range(tries):
            try:
                with Session(self.engine) as s:
                    return fn(s)
            except DBAPIError:
                if attempt == tries - 1:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def wait_all_ended(self, expected: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            counts = dict(self.query(lambda s: s.execute(select(Run.status, func.count()).group_by(Run.status)).all()))
            if counts.get("Running", 0) == 0 and sum(counts.values()) >= expected:
                return
            time.sleep(0.5)
        raise TimeoutError(f"runs still running after {timeout}s: {counts}")

    def blob_keys(self) -> set[str]:
        s3 = boto3.client(
            "s3",
            endpoint_url=self.svc.env["POLYDOC_S3_ENDPOINT_URL"],
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        )
        keys: set[str] = set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            keys.update(o["Key"].removeprefix(self.prefix + "/") for o in page.get("Contents", []))
        return keys


@pytest.fixture
def cluster(tmp_path: Path, redis: RedisServer, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    extra = dict(getattr(request, "param", {}))
    backend = scaleout_env()
    backend["POLYDOC_BROKER_URL"] = redis.url
    svc = make_service(tmp_path, {**backend, **extra})
    bucket, _, prefix = svc.env["POLYDOC_STORAGE_URL"].removeprefix("s3://").partition("/")
    migrated = svc.cli("migrate")  # once, before several processes start on the fresh database
    assert migrated.returncode == 0, migrated.stderr
    engine = create_engine(svc.env["POLYDOC_DATABASE_URL"], poolclass=NullPool)
    cl = Cluster(svc=svc, bucket=bucket, prefix=prefix, engine=engine)
    try:
        yield cl
    finally:
        svc.stop()
        engine.dispose()


# --- checks shared by the tests ------------------------------------------------------------------


def check_books(cl: Cluster, granted: dict[uuid.UUID, int]) -> dict[str, int]:
    """Every run ended once, was settled once, has one output, and S3 holds exactly the named blobs."""

    def read(s: Session) -> tuple:
        runs = s.execute(select(Run.id, Run.account_id, Run.status, Run.credits, Run.hold_credits)).all()
        entries = s.execute(select(CreditEntry.account_id, CreditEntry.run_id, CreditEntry.kind, CreditEntry.amount)).all()
        files = s.execute(select(File.id, File.run_id, File.s3_key, File.purged_at)).all()
        return runs, entries, files

    runs, entries, files = cl.query(read)
    statuses = Counter(r.status for r in runs)
    assert statuses["Running"] == 0, statuses
    # the ledger: per account, the balance is what was granted minus what the runs cost
    for account_id, amount in granted.items():
        balance = sum(e.amount for e in entries if e.account_id == account_id)
        cost = sum(r.credits or 0 for r in runs if r.account_id == account_id and r.status == "Succeeded")
        assert balance == amount - cost, (account_id, balance, amount, cost)
    per_run = Counter((e.run_id, e.kind) for e in entries if e.run_id is not None)
    outputs = Counter(f.run_id for f in files if f.run_id is not None)
    for r in runs:
        want = {"hold": 1, "release": 1, "charge": 1 if r.status == "Succeeded" else 0}
        got = {kind: per_run[(r.id, kind)] for kind in want}
        assert got == want, (r.id, r.status, got)
        assert outputs[r.id] == (1 if r.status == "Succeeded" else 0), (r.id, r.status)
        if r.status == "Succeeded":
            assert r.credits == r.hold_credits
    # storage: every file row's blob exists, and no blob exists that no file row names
    blobs = cl.blob_keys()
    named = {f.s3_key for f in files if f.purged_at is None}
    assert named - blobs == set(), "file rows without their blob"
    assert blobs - named == set(), "orphaned blobs"
    return dict(statuses)


def submit(cl: Cluster, keys: list[str], n: int, threads: int = 24) -> list[dict]:
    """Upload n documents and start a run on each, from threads spread over the APIs and accounts."""
    bases = list(cl.apis.values())

    def one(i: int) -> dict:
        base, key = bases[i % len(bases)], keys[i % len(keys)]
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
            f = c.post("/v1/files", files={"data": (f"doc{i}.txt", document(i))})
            assert f.status_code == 200, f.text
            r = c.post("/v1/runs", json={"input_file_id": f.json()["id"], "target_language": "es"})
            assert r.status_code == 200, r.text
            return r.json()

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(n)))


def worker_pid(token: str | None) -> int:
    return int((token or "::").split(":")[1] or 0)


# --- 1. three workers, two APIs, 300 runs --------------------------------------------------------


def test_300_runs_three_workers_two_apis(cluster: Cluster) -> None:
    accounts = {f"acct{i}": 1000 for i in range(4)}
    keys = [cluster.svc.new_account(name, credits=c) for name, c in accounts.items()]
    pids = {cluster.start_worker(f"worker{i}") for i in range(3)}
    cluster.start_api("api1")
    cluster.start_api("api2")
    started = time.monotonic()
    answered = submit(cluster, keys, 300)
    submitted = time.monotonic() - started
    cluster.wait_all_ended(300, timeout=240)
    elapsed = time.monotonic() - started
    runs = cluster.query(lambda s: s.execute(select(Run.id, Run.status, Run.worker, Run.attempts)).all())
    assert len(runs) == 300
    assert {str(r.id) for r in runs} == {a["id"] for a in answered}
    assert all(r.status == "Succeeded" for r in runs), Counter(r.status for r in runs)
    took_part = Counter(worker_pid(r.worker) for r in runs)
    assert set(took_part) == pids, (took_part, pids)
    granted = cluster.query(
        lambda s: dict(
            s.execute(
                select(CreditEntry.account_id, func.sum(CreditEntry.amount))
                .where(CreditEntry.kind == "grant")
                .group_by(CreditEntry.account_id)
            ).all()
        )
    )
    assert sorted(granted.values()) == sorted(accounts.values())
    check_books(cluster, granted)
    print(f"300 runs: submitted in {submitted:.1f}s, all ended after {elapsed:.1f}s; per worker {dict(took_part)}")
