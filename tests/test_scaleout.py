"""Scale-out and fault tolerance on PostgreSQL + Redis + S3: nothing lost, nothing charged twice.

These tests are about the scale-out backend, so they set it up themselves whatever
POLYDOC_TEST_BACKEND says: PostgreSQL and moto's S3 server from scripts/services.sh (a fresh
database and bucket per test) and a private `redis-server` per test, started with the flags
services.sh uses, so that restarting it cannot disturb anybody else's tests on the shared one.
"""

from __future__ import annotations

import re
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
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
from tests.helpers import ROOT, Service, free_port, make_service, scaleout_env, wait_http

WORDS = ("house", "river", "dog", "cat", "garden", "book", "friend", "city", "tree", "car")


def document(n: int, paragraphs: int = 0) -> bytes:
    """A small English document, different for every n so that every run really calls the engine."""
    words = " ".join(WORDS[(n // 10**i) % 10] for i in range(4))
    extra = "".join(
        f"Paragraph {j} of document {n}: the dog reads a book in the garden.\n\n" for j in range(paragraphs)
    )
    return f"Document {n}. The red house near the river is very big.\n\n{extra}My friend has a {words}.\n".encode()


# --- the backend ---------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _services() -> Iterator[None]:
    """PostgreSQL and S3 from scripts/services.sh, and its POLYDOC_TEST_* variables for scaleout_env()."""
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
    """A private redis-server started exactly as scripts/services.sh starts the shared one."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        subprocess.run(
            ["redis-server", "--port", str(self.port), "--daemonize", "yes", "--save", "", "--appendonly", "no",
             "--logfile", str(self.workdir / "redis.log"), "--dir", str(self.workdir)],
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
        while self.ping():
            assert time.monotonic() < deadline, "redis-server did not stop"
            time.sleep(0.05)


@pytest.fixture
def redis(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@dataclass
class Cluster:
    """API and worker processes on one scale-out backend, with a direct view of its database."""

    svc: Service
    engine: Engine
    apis: dict[str, str] = field(default_factory=dict)  # name -> base url
    pids: dict[str, int] = field(default_factory=dict)  # worker name -> pid

    @property
    def db_name(self) -> str:
        return self.svc.env["POLYDOC_DATABASE_URL"].rsplit("/", 1)[1]

    def new_account(self, name: str, credits: int) -> str:
        from polydoc.services.accounts import create_account

        with Session(self.engine) as s:
            _account, key = create_account(s, name=name, credits=credits)
            s.commit()
        return key

    def start_api(self, name: str, port: int | None = None, wait: bool = True) -> str:
        port = port or free_port()
        self.svc.start(name, "api", "--port", str(port))
        self.apis[name] = f"http://127.0.0.1:{port}"
        if wait:
            wait_http(f"{self.apis[name]}/healthz")
        return self.apis[name]

    def start_worker(self, name: str, concurrency: int = 2) -> int:
        self.pids[name] = self.svc.start(name, "worker", "--concurrency", str(concurrency)).pid
        return self.pids[name]

    def wait_ready(self, names: list[str], timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not all("worker ready" in self.log(n) for n in names):
            assert time.monotonic() < deadline, f"workers not ready: {names}"
            time.sleep(0.2)

    def log(self, name: str) -> str:
        path = self.svc.data_dir / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def query(self, fn: Callable[[Session], object], tries: int = 30) -> object:
        """A read on the test database, retried while its connections are being cut."""
        for attempt in range(tries):
            try:
                with Session(self.engine) as s:
                    return fn(s)
            except DBAPIError:
                if attempt == tries - 1:
                    raise
                time.sleep(0.2)
        raise AssertionError("unreachable")

    def statuses(self) -> Counter:
        return Counter(
            dict(self.query(lambda s: s.execute(select(Run.status, func.count()).group_by(Run.status)).all()))
        )

    def wait_all_ended(self, expected: int, timeout: float) -> Counter:
        deadline = time.monotonic() + timeout
        while (counts := self.statuses())["Running"] or sum(counts.values()) < expected:
            assert time.monotonic() < deadline, f"runs still running after {timeout}s: {counts}"
            time.sleep(0.5)
        return counts

    def cut_db_connections(self) -> int:
        """Terminate every other connection to the test database (API, workers, periodic loops)."""
        with self.engine.connect() as conn:
            return conn.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": self.db_name},
            )

    def blob_keys(self) -> set[str]:
        bucket, _, prefix = self.svc.env["POLYDOC_STORAGE_URL"].removeprefix("s3://").partition("/")
        s3 = boto3.client(
            "s3",
            endpoint_url=self.svc.env["POLYDOC_S3_ENDPOINT_URL"],
            aws_access_key_id="test",
            aws_secret_access_key="test",
            region_name="us-east-1",
        )
        keys: set[str] = set()
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys.update(o["Key"].removeprefix(prefix + "/") for o in page.get("Contents", []))
        return keys


@pytest.fixture
def cluster(tmp_path: Path, redis: RedisServer, request: pytest.FixtureRequest) -> Iterator[Cluster]:
    from polydoc.db.migrate import upgrade
    from polydoc.db.session import get_engine

    backend = {**scaleout_env(), "POLYDOC_BROKER_URL": redis.url}
    # the sweep's turns are logged at DEBUG; every run in the small lane, i.e. in the worker process the
    # test started and signals (the large lane's child process is tested in tests/test_fair_queues.py)
    quiet = {"POLYDOC_LOG_LEVEL": "DEBUG", "POLYDOC_SMALL_RUN_PAGES": "1000000"}
    svc = make_service(tmp_path, {**backend, **quiet, **getattr(request, "param", {})})
    url = svc.env["POLYDOC_DATABASE_URL"]
    upgrade(url)  # once, before several processes start on the fresh database
    get_engine(url).dispose()
    cl = Cluster(svc=svc, engine=create_engine(url, poolclass=NullPool))
    try:
        yield cl
    finally:
        svc.stop()
        cl.engine.dispose()


# --- checks shared by the tests ------------------------------------------------------------------


def check_books(cl: Cluster, credits: int) -> Counter:
    """Every run ended once and was settled once, with one output; S3 holds exactly the named blobs.

    `credits`: what every account was granted when it was made (its only grant)."""

    def read(s: Session) -> tuple:
        return (
            s.execute(select(Run.id, Run.account_id, Run.status, Run.credits, Run.hold_credits)).all(),
            s.execute(
                select(CreditEntry.account_id, CreditEntry.run_id, CreditEntry.kind, CreditEntry.amount)
            ).all(),
            s.execute(select(File.run_id, File.s3_key, File.purged_at)).all(),
        )

    runs, entries, files = cl.query(read)
    statuses = Counter(r.status for r in runs)
    assert statuses["Running"] == 0, statuses
    grants = [(e.account_id, e.amount) for e in entries if e.kind == "grant"]
    assert {amount for _account, amount in grants} == {credits}
    assert len({account for account, _amount in grants}) == len(grants)  # one grant per account
    for account_id, _amount in grants:  # the ledger balances to the credit
        balance = sum(e.amount for e in entries if e.account_id == account_id)
        cost = sum(r.credits for r in runs if r.account_id == account_id and r.status == "Succeeded")
        assert balance == credits - cost, (account_id, balance, credits, cost)
    per_run = Counter((e.run_id, e.kind) for e in entries if e.run_id is not None)
    outputs = Counter(f.run_id for f in files if f.run_id is not None)
    assert set(per_run) <= {(r.id, kind) for r in runs for kind in ("hold", "release", "charge")}
    for r in runs:
        want = {"hold": 1, "release": 1, "charge": int(r.status == "Succeeded")}
        assert {kind: per_run[(r.id, kind)] for kind in want} == want, (r.id, r.status)
        assert outputs[r.id] == int(r.status == "Succeeded"), (r.id, r.status)
        # what memory serves is not billed again: a run costs at most its hold (the whole document)
        assert r.status != "Succeeded" or 0 <= r.credits <= r.hold_credits
    blobs = cl.blob_keys()
    named = {f.s3_key for f in files if f.purged_at is None}
    assert named - blobs == set(), "file rows whose blob is missing"
    assert blobs - named == set(), "orphaned blobs"
    return statuses


def upload_all(
    cl: Cluster, keys: list[str], n: int, paragraphs: int = 0, threads: int = 16
) -> list[tuple[str, str]]:
    """Upload n documents over all APIs and accounts; returns (api key, file id) per document."""
    bases = list(cl.apis.values())

    def one(i: int) -> tuple[str, str]:
        key = keys[i % len(keys)]
        with httpx.Client(base_url=bases[i % len(bases)], headers=auth(key), timeout=60) as c:
            f = c.post("/v1/files", files={"data": (f"doc{i}.txt", document(i, paragraphs))})
        assert f.status_code == 200, f.text
        return key, f.json()["id"]

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(n)))


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def worker_pid(token: str | None) -> int:
    return int(token.split(":")[1]) if token else 0


# --- 1. three workers, two APIs, 300 runs --------------------------------------------------------


def test_300_runs_three_workers_two_apis(cluster: Cluster) -> None:
    keys = [cluster.new_account(f"acct{i}", credits=1000) for i in range(8)]  # < 50 running runs each
    pids = {cluster.start_worker(f"worker{i}") for i in range(3)}
    cluster.start_api("api1")
    cluster.start_api("api2")
    bases = list(cluster.apis.values())
    started = time.monotonic()

    def one(i: int) -> str:
        key = keys[i % len(keys)]
        with httpx.Client(base_url=bases[i % 2], headers=auth(key), timeout=60) as c:
            f = c.post("/v1/files", files={"data": (f"doc{i}.txt", document(i))})
            assert f.status_code == 200, f.text
            r = c.post("/v1/runs", json={"input_file_id": f.json()["id"], "target_language": "es"})
            assert r.status_code == 200, r.text
            return r.json()["id"]

    with ThreadPoolExecutor(24) as pool:
        answered = list(pool.map(one, range(300)))
    submitted = time.monotonic() - started
    cluster.wait_all_ended(300, timeout=240)
    elapsed = time.monotonic() - started
    runs = cluster.query(lambda s: s.execute(select(Run.id, Run.status, Run.worker, Run.attempts)).all())
    assert sorted(str(r.id) for r in runs) == sorted(answered)  # one run per answered POST
    assert Counter(r.status for r in runs) == {"Succeeded": 300}
    took_part = Counter(worker_pid(r.worker) for r in runs)
    assert set(took_part) == pids, (took_part, pids)  # every worker took part
    check_books(cluster, credits=1000)
    print(f"\n300 runs: submitted in {submitted:.1f}s, all ended after {elapsed:.1f}s; runs per worker pid "
          f"{dict(took_part)}; attempts {dict(Counter(r.attempts for r in runs))}")  # fmt: skip


# --- 2. faults while runs are in flight ----------------------------------------------------------


@dataclass
class Outcome:
    """What the clients saw for one document's POST /v1/runs."""

    run_id: str | None = None
    ambiguous: int = 0  # no answer after the request may have arrived: a run may or may not exist
    refused: int = 0  # connection refused, or an error answer: no run may exist
    answers: Counter = field(default_factory=Counter)


def post_run(bases: list[str], key: str, file_id: str, i: int, deadline: float) -> Outcome:
    """POST /v1/runs until an API answers 200, moving to the other API after an error."""
    out = Outcome()
    attempt = 0
    while out.run_id is None:
        assert time.monotonic() < deadline, f"no answer for document {i}: {out}"
        base = bases[(i + attempt) % len(bases)]
        attempt += 1
        try:
            with httpx.Client(base_url=base, headers=auth(key), timeout=30) as c:
                r = c.post("/v1/runs", json={"input_file_id": file_id, "target_language": "es"})
        except httpx.ConnectError:
            out.refused += 1
        except httpx.TransportError:
            out.ambiguous += 1
        else:
            out.answers[r.status_code] += 1
            if r.status_code == 200:
                out.run_id = r.json()["id"]
                break
            out.refused += 1
        time.sleep(0.3)
    return out


def snapshot(cl: Cluster) -> list:
    """The runs not ended yet: (id, stage, worker pid)."""
    rows = cl.query(
        lambda s: s.execute(select(Run.id, Run.stage, Run.worker).where(Run.status == "Running")).all()
    )
    return [(r.id, r.stage, worker_pid(r.worker)) for r in rows]


@pytest.mark.parametrize(
    "cluster", [{"POLYDOC_QUEUE_GRACE_SECONDS": "6", "POLYDOC_RUN_LEASE_SECONDS": "5"}], indirect=True
)
def test_faults_while_runs_in_flight(cluster: Cluster, redis: RedisServer) -> None:
    n = 100
    keys = [cluster.new_account(f"acct{i}", credits=500) for i in range(4)]
    for i in range(3):
        cluster.start_worker(f"worker{i}")
    cluster.start_api("api1")
    cluster.start_api("api2")
    docs = upload_all(cluster, keys, n, paragraphs=24)
    bases = list(cluster.apis.values())
    faults: list[str] = []
    victims: list[uuid.UUID] = []  # runs the SIGKILLed worker held
    started = time.monotonic()

    def client(i: int) -> Outcome:
        time.sleep(max(0.0, started + i * 0.1 - time.monotonic()))  # faster than the workers: a backlog
        return post_run(bases, *docs[i], i, deadline=started + 120)

    def inject(fault: str) -> str:
        if fault == "kill api1":
            port = int(cluster.apis["api1"].rsplit(":", 1)[1])
            cluster.svc.kill("api1", signal.SIGKILL)
            cluster.start_api("api1", port, wait=False)
            return fault
        if fault == "restart redis":
            running = snapshot(cluster)  # each holds a message in Redis: queued, or unacked (acks_late)
            redis.stop()
            time.sleep(1)
            redis.start()
            assert running, "no run was in flight"
            time.sleep(2)
            dead = [name for name, proc in cluster.svc.procs.items() if proc.poll() is not None]
            assert not dead, f"{dead} exited after the Redis restart"
            queued = sum(stage == "queued" for _id, stage, _pid in running)
            return f"{fault} ({len(running) - queued} runs in flight, {queued} queued)"
        if fault == "kill worker0":
            pid = cluster.pids["worker0"]
            cluster.svc.kill("worker0", signal.SIGKILL)
            victims.extend(run_id for run_id, _stage, p in snapshot(cluster) if p == pid)
            cluster.start_worker("worker0")
            assert victims, "worker0 had no run in flight"
            return f"{fault} ({len(victims)} runs in flight)"
        in_flight = sum(stage != "queued" for _id, stage, _pid in snapshot(cluster))
        return f"{fault} ({cluster.cut_db_connections()} connections, {in_flight} runs in flight)"

    schedule = (
        (3, "kill worker0"),
        (6, "restart redis"),
        (9, "kill api1"),
        (13, "cut db"),
        (15, "cut db"),
        (17, "cut db"),
    )
    with ThreadPoolExecutor(16) as pool:
        pending = pool.map(client, range(n))
        for when, fault in schedule:
            time.sleep(max(0.0, started + when - time.monotonic()))
            faults.append(f"{time.monotonic() - started:.1f}s {inject(fault)}")
        outcomes = list(pending)
    wait_http(f"{cluster.apis['api1']}/healthz")
    counts = cluster.wait_all_ended(n, timeout=150)
    elapsed = time.monotonic() - started
    runs = cluster.query(
        lambda s: s.execute(select(Run.id, Run.input_file_id, Run.status, Run.attempts)).all()
    )
    by_file = Counter(str(r.input_file_id) for r in runs)
    assert {o.run_id for o in outcomes} <= {str(r.id) for r in runs}
    for (_key, file_id), o in zip(docs, outcomes, strict=True):
        # a 200 answer is exactly one run; an error answer or a refused connection is none
        assert 1 <= by_file[file_id] <= 1 + o.ambiguous, (file_id, by_file[file_id], o)
    assert counts == {"Succeeded": len(runs)}, [r for r in runs if r.status != "Succeeded"]
    attempts = {r.id: r.attempts for r in runs}
    assert all(attempts[v] >= 2 for v in victims)  # the killed worker's runs were done again, elsewhere
    check_books(cluster, credits=500)
    answers = sum((o.answers for o in outcomes), Counter())
    lost_db = sum(cluster.log(f"worker{i}").count("lost its database connection") for i in range(3))
    print(f"\nfaults: {faults}\n{len(runs)} runs for {n} documents ended after {elapsed:.1f}s; answers "
          f"{dict(answers)}, refused {sum(o.refused for o in outcomes)}, ambiguous "
          f"{sum(o.ambiguous for o in outcomes)}; attempts {dict(Counter(attempts.values()))}; "
          f"runs given back after losing the database: {lost_db}")  # fmt: skip


# --- 3. periodic tasks run once per period, however many workers ---------------------------------

TURN = re.compile(
    r"^(\S+ \S+) DEBUG polydoc\.worker .* periodic task sweep_runs: this period's turn taken by (\S+)$", re.M
)


def sweep_turns(cl: Cluster, names: list[str]) -> list[tuple[float, str]]:
    """(time, worker) of every sweep, from the line each worker logs when it wins a period."""
    turns = []
    for name in names:
        for stamp, holder in TURN.findall(cl.log(name)):
            turns.append((datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S,%f").timestamp(), holder))
    return sorted(turns)


def worker_of(cl: Cluster, names: list[str], holder: str) -> str:
    """The worker a slot holder belongs to: itself, or its large-lane child (which logs to the
    same place and ticks the periodic jobs too)."""
    return next(name for name in names if f"worker ready: {holder}\n" in cl.log(name))


def test_periodic_sweep_runs_once_per_period_with_three_workers(cluster: Cluster) -> None:
    names = ["worker0", "worker1", "worker2"]
    for name in names:
        cluster.start_worker(name)
    cluster.wait_ready(names)
    slot_values: set[tuple] = set()  # every value the slot row took: each is one period won

    def watch(seconds: float) -> tuple[float, float]:
        start = time.time()
        while time.time() < start + seconds:
            row = cluster.query(
                lambda s: s.execute(
                    select(PeriodicSlot.next_run_at, PeriodicSlot.holder).where(
                        PeriodicSlot.name == "sweep_runs"
                    )
                ).one()
            )
            slot_values.add(tuple(row))
            time.sleep(0.05)
        return start, time.time()

    first = watch(8)
    # the worker holding the slot dies: the others take over, still once per period
    holder = max(slot_values)[1]
    victim = worker_of(cluster, names, holder)
    cluster.svc.kill(victim, signal.SIGKILL)
    second = watch(6)
    turns = sweep_turns(cluster, names)
    for start, end in (first, second):
        seen = [t for t, _holder in turns if start <= t <= end]
        # interval 1 s: one sweep per second (the ticks are 1 s apart, so a little under), never 3
        assert 0.6 * (end - start) <= len(seen) <= (end - start) + 1, (len(seen), end - start)
    gaps = [b - a for (a, _), (b, _) in zip(turns, turns[1:], strict=False)]
    assert min(gaps) >= 0.9, gaps  # never two sweeps in one period
    holders = Counter(h for t, h in turns)
    assert all(worker_of(cluster, names, h) for h in holders)  # only our workers (or their lane child)
    assert any(h != holder for t, h in turns if t > second[0] + 2), "nobody took over from the dead worker"
    # the slot row saw one value per sweep (give or take the window edges)
    in_windows = [t for t, _h in turns if first[0] <= t <= first[1] or second[0] <= t <= second[1]]
    assert abs(len(slot_values) - len(in_windows)) <= 3, (len(slot_values), len(in_windows))
    print(f"\nsweeps: {len(turns)} in {turns[-1][0] - turns[0][0]:.1f}s by {dict(holders)}; gaps "
          f"{min(gaps):.2f}..{max(gaps):.2f}s; killed {victim}")  # fmt: skip


# --- 4. graceful shutdown ------------------------------------------------------------------------


# a lease long enough that an overloaded machine never makes the sweep take the run: only the hand-back does
@pytest.mark.parametrize("cluster", [{"POLYDOC_RUN_LEASE_SECONDS": "10"}], indirect=True)
def test_sigterm_hands_the_run_back_and_another_worker_finishes_it(cluster: Cluster) -> None:
    key = cluster.new_account("graceful", credits=1000)
    pids = {name: cluster.start_worker(name) for name in ("worker0", "worker1")}
    base = cluster.start_api("api")
    cluster.wait_ready(list(pids))
    text_ = "".join(f"Paragraph {i}: the red house near the river is very big.\n\n" for i in range(2000))
    with httpx.Client(base_url=base, headers=auth(key), timeout=60) as c:
        f = c.post("/v1/files", files={"data": ("long.txt", text_.encode())}).json()
        run = c.post("/v1/runs", json={"input_file_id": f["id"], "target_language": "es"}).json()
        deadline = time.monotonic() + 60
        while (state := c.get(f"/v1/runs/{run['id']}").json())["segments_done"] == 0:
            assert time.monotonic() < deadline, state
            time.sleep(0.05)
        assert state["segments_done"] < state["segments_total"]
        first = cluster.query(lambda s: s.scalar(select(Run.worker).where(Run.id == uuid.UUID(run["id"]))))
        stopping = next(name for name, pid in pids.items() if pid == worker_pid(first))
        other = pids["worker1" if stopping == "worker0" else "worker0"]
        sent = time.monotonic()
        cluster.svc.kill(stopping, signal.SIGTERM)  # warm shutdown; kill() waits for the exit
        exited = time.monotonic() - sent
        deadline = time.monotonic() + 120
        while (done := c.get(f"/v1/runs/{run['id']}").json())["status"] == "Running":
            assert time.monotonic() < deadline, done
            time.sleep(0.1)
        out = c.get(f"/v1/files/{done['output_file_id']}/download").text
    assert exited < 20, f"the worker took {exited:.1f}s to stop"
    assert "handed back to the queue" in cluster.log(stopping)
    assert done["status"] == "Succeeded", done
    assert done["attempts"] == 2, done
    assert done["segments_cached"] >= state["segments_done"], done  # the first attempt's work was kept
    final = cluster.query(lambda s: s.scalar(select(Run.worker).where(Run.id == uuid.UUID(run["id"]))))
    assert worker_pid(final) == other  # the other worker completed it
    assert out.count("casa") == 2000
    check_books(cluster, credits=1000)  # exactly one hold, release and charge; one output; no orphan blob
    print(f"\ngraceful: {stopping} stopped {exited:.1f}s after SIGTERM at {state['segments_done']}/"
          f"{state['segments_total']} segments; the other worker finished the run")  # fmt: skip
