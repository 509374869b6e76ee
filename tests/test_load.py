"""A bounded load test on loopback (issue 8): many concurrent clients on several accounts.

200 clients (asyncio, one httpx connection each) upload small text files and start runs for
30 seconds against `polydoc serve` started with a rate limit of 90 requests a minute per key
and at most 15 runs in progress per account. Two "heavy" accounts share 120 of the clients
and hit the rate limit at once (their first wave alone is 120 requests); six "light" accounts
share the other 80. A client that gets a 429 waits as long as `Retry-After` says. Afterwards:

* every answer was a 200 or an intended 429 carrying `Retry-After` (`rate_limited` or
  `too_many_runs`); no 5xx, no other 4xx, no connection error or timeout;
* nothing was lost or invented: the files and runs in the database are exactly the ones the
  200 answers named, every file is listed by GET /v1/files, every run reaches `Succeeded`;
* the ledger is exact, per account: balance == granted - sum of the succeeded runs' credits,
  and every run has exactly one hold, one release and one charge, of the right amounts.

`run_load` is shared with benchmarks/hardening.py, which records the throughput and latencies.
"""

from __future__ import annotations

import asyncio
import random
import statistics
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

import httpx
import pytest
from sqlalchemy import func, select

from polydoc.db.models import CreditEntry, File, Run
from tests.helpers import Service, start_serve

RATE_LIMIT = 90  # requests a minute per key
MAX_RUNNING = 15  # runs in progress per account
CREDITS = 100_000
ADMIN_TOKEN = "load-test-admin-token"
LOAD_ENV = {
    "POLYDOC_RATE_LIMIT_PER_MINUTE": str(RATE_LIMIT),
    "POLYDOC_MAX_RUNNING_RUNS_PER_ACCOUNT": str(MAX_RUNNING),
    "POLYDOC_ADMIN_TOKEN": ADMIN_TOKEN,
}
INTENDED_429 = {"rate_limited", "too_many_runs"}


@dataclass
class Account:
    name: str
    key: str  # the load's key
    audit_key: str  # a second key of the same account, with its own rate-limit window
    id: str
    clients: int
    files: set[str] = field(default_factory=set)
    runs: set[str] = field(default_factory=set)


@dataclass
class LoadReport:
    clients: int
    seconds: float
    statuses: Counter = field(default_factory=Counter)  # "200", "429 rate_limited", ...
    errors: list[str] = field(default_factory=list)  # anything that is not 200 or an intended 429
    latencies: dict[str, list[float]] = field(default_factory=dict)  # operation -> seconds
    limited: dict[str, set[int]] = field(default_factory=dict)  # 429 code -> clients that met it

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    def percentile(self, q: float, op: str | None = None) -> float:
        values = sorted(v for k, vs in self.latencies.items() if op in (None, k) for v in vs)
        if not values:
            return 0.0
        return values[min(len(values) - 1, int(q * len(values)))]

    def summary(self) -> str:
        lines = [
            f"{self.clients} clients for {self.seconds:.0f} s: {self.requests} requests, "
            f"{self.requests / self.seconds:.1f} requests/s; p50 {self.percentile(0.5) * 1000:.0f} ms, "
            f"p99 {self.percentile(0.99) * 1000:.0f} ms",
            f"statuses: {dict(self.statuses)}; clients that met a 429: "
            + ", ".join(f"{code} {len(clients)}" for code, clients in sorted(self.limited.items())),
        ]
        for op in sorted(self.latencies):
            values = self.latencies[op]
            lines.append(
                f"  {op:24} n={len(values):5}  p50 {self.percentile(0.5, op) * 1000:6.0f} ms  "
                f"p99 {self.percentile(0.99, op) * 1000:6.0f} ms  mean {statistics.fmean(values) * 1000:6.0f} ms"
            )
        return "\n".join(lines)


def make_accounts(svc: Service, heavy: int = 2, light: int = 6, clients: int = 200) -> list[Account]:
    """`heavy` accounts share 60% of the clients, `light` ones the rest."""
    heavy_clients = int(clients * 0.6) // heavy
    light_clients = (clients - heavy_clients * heavy) // light
    counts = [heavy_clients] * heavy + [light_clients] * light
    counts[-1] += clients - sum(counts)
    accounts = []
    with svc.client(ADMIN_TOKEN) as admin:  # the admin API: quicker than a CLI process per account
        for i, n in enumerate(counts):
            made = admin.post("/v1/admin/accounts", json={"name": f"load-{i}", "credits": CREDITS}).json()
            with svc.client(made["api_key"]) as c:
                audit = c.post("/v1/keys").json()["api_key"]
            accounts.append(Account(f"load-{i}", made["api_key"], audit, made["id"], n))
    return accounts


async def _client(
    n: int,
    account: Account,
    client: httpx.AsyncClient,
    deadline: float,
    report: LoadReport,
    rng: random.Random,
) -> None:
    async with client:

        async def call(op: str, method: str, url: str, **kwargs: object) -> httpx.Response | None:
            started = time.monotonic()
            try:
                resp = await client.request(method, url, **kwargs)
            except httpx.HTTPError as exc:
                report.errors.append(f"{op}: {exc!r}")
                report.statuses["transport error"] += 1
                return None
            report.latencies.setdefault(op, []).append(time.monotonic() - started)
            if resp.status_code == 200:
                report.statuses["200"] += 1
                return resp
            try:
                code = resp.json()["error"]["code"]
            except (ValueError, KeyError, TypeError):
                code = "?"
            report.statuses[f"{resp.status_code} {code}"] += 1
            if resp.status_code != 429 or code not in INTENDED_429:
                report.errors.append(f"{op}: {resp.status_code} {resp.text[:200]}")
                return None
            retry = resp.headers.get("retry-after", "")
            if not retry.isdigit() or int(retry) < 1:
                report.errors.append(f"{op}: 429 without a valid Retry-After ({retry!r})")
                return None
            report.limited.setdefault(code, set()).add(n)
            await asyncio.sleep(min(int(retry), max(0.0, deadline - time.monotonic())))  # as a client should
            return None

        i = 0
        while time.monotonic() < deadline:
            i += 1
            text = f"Client {n} wrote note {i}: the red house is big and the small dog sleeps.\n"
            resp = await call("POST /v1/files", "POST", "/v1/files", files={"data": (f"n{n}-{i}.txt", text)})
            if resp is None:
                continue
            file_id = resp.json()["id"]
            account.files.add(file_id)
            body = {"input_file_id": file_id, "target_language": "es", "source_language": "en"}
            resp = await call("POST /v1/runs", "POST", "/v1/runs", json=body)
            if resp is not None:
                account.runs.add(resp.json()["id"])
                await call("GET /v1/runs/{id}", "GET", f"/v1/runs/{resp.json()['id']}")
            if rng.random() < 0.2:
                await call("GET /v1/files", "GET", "/v1/files", params={"limit": 20})
            await asyncio.sleep(rng.uniform(0.0, 0.5))  # think time


def run_load(svc: Service, accounts: list[Account], seconds: float, seed: int = 8) -> LoadReport:
    clients = [(a, n) for a in accounts for n in range(a.clients)]
    report = LoadReport(clients=len(clients), seconds=seconds)
    rng = random.Random(seed)

    def connection(account: Account) -> httpx.AsyncClient:
        # a generous timeout: on a busy 2-core machine the queue is long, but no request may starve
        headers = {"Authorization": f"Bearer {account.key}"}
        return httpx.AsyncClient(base_url=svc.base_url, headers=headers, timeout=90)

    async def main() -> float:
        # every client exists before the clock starts (each builds an SSL context: on a loaded
        # machine the last of 200 were ready only after the 30 s, and never sent anything)
        ready = [(account, connection(account)) for account, _ in clients]
        started = time.monotonic()
        await asyncio.gather(
            *(
                _client(i, account, conn, started + seconds, report, random.Random(rng.random()))
                for i, (account, conn) in enumerate(ready)
            )
        )
        return time.monotonic() - started

    report.seconds = asyncio.run(main())
    return report


def wait_drained(svc: Service, accounts: list[Account], timeout: float) -> float:
    """Seconds until no run of these accounts is Running (read from the database)."""
    started = time.monotonic()
    ids = [a.id for a in accounts]
    while time.monotonic() - started < timeout:
        with svc.db() as s:
            running = s.scalar(
                select(func.count()).where(
                    Run.account_id.in_([uuid.UUID(i) for i in ids]), Run.status == "Running"
                )
            )
        if not running:
            return time.monotonic() - started
        time.sleep(0.5)
    raise TimeoutError(f"runs still running after {timeout} s")


def listed_file_ids(svc: Service, key: str) -> set[str]:
    """Every file GET /v1/files lists, following the Link header page by page."""
    ids: set[str] = set()
    with svc.client(key) as c:
        url: str | None = "/v1/files?limit=200"
        while url:
            resp = c.get(url)
            assert resp.status_code == 200, resp.text
            ids |= {f["id"] for f in resp.json()}
            url = resp.links.get("next", {}).get("url")
    return ids


# -- the test -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Service, list[Account], LoadReport]]:
    svc = start_serve(tmp_path_factory.mktemp("load"), LOAD_ENV)
    try:
        accounts = make_accounts(svc)
        report = run_load(svc, accounts, seconds=30)
        print("\n" + report.summary())
        wait_drained(svc, accounts, timeout=90)
        yield svc, accounts, report
    finally:
        svc.stop()


def test_only_intended_refusals(loaded: tuple[Service, list[Account], LoadReport]) -> None:
    _svc, accounts, report = loaded
    assert report.errors == [], report.errors[:10]
    assert sum(a.clients for a in accounts) == 200 and report.statuses["200"] >= 200, report.summary()
    heavy = set(range(accounts[0].clients + accounts[1].clients))  # clients are numbered account by account
    assert report.limited.get("rate_limited", set()) & heavy, "the heavy accounts never met the rate limit"


def test_nothing_lost(loaded: tuple[Service, list[Account], LoadReport]) -> None:
    svc, accounts, _report = loaded
    for account in accounts:
        assert account.files and account.runs, account.name
        with svc.db() as s:
            aid = uuid.UUID(account.id)
            inputs = {
                str(i)
                for i in s.scalars(select(File.id).where(File.account_id == aid, File.run_id.is_(None)))
            }
            runs = {str(r.id): r for r in s.scalars(select(Run).where(Run.account_id == aid))}
        assert inputs == account.files, f"{account.name}: files the answers did not name, or lost"
        assert set(runs) == account.runs, f"{account.name}: runs the answers did not name, or lost"
        failed = [(r.id, r.error_code, r.error_message) for r in runs.values() if r.status != "Succeeded"]
        assert failed == [], failed[:5]
        outputs = {str(r.output_file_id) for r in runs.values()}
        assert listed_file_ids(svc, account.audit_key) == account.files | outputs, account.name


def test_ledger_is_exact(loaded: tuple[Service, list[Account], LoadReport]) -> None:
    svc, accounts, _report = loaded
    for account in accounts:
        aid = uuid.UUID(account.id)
        with svc.db() as s:
            entries = list(s.scalars(select(CreditEntry).where(CreditEntry.account_id == aid)))
            runs = {r.id: r for r in s.scalars(select(Run).where(Run.account_id == aid))}
        granted = sum(e.amount for e in entries if e.kind == "grant")
        charged = sum(r.credits or 0 for r in runs.values() if r.status == "Succeeded")
        assert granted == CREDITS
        assert sum(e.amount for e in entries) == granted - charged, account.name
        by_run: dict[object, list[tuple[str, int]]] = {}
        for e in entries:
            if e.kind != "grant":
                by_run.setdefault(e.run_id, []).append((e.kind, e.amount))
        assert set(by_run) == set(runs), f"{account.name}: ledger entries without a run, or runs without"
        for run_id, run in runs.items():
            expected = {("hold", -run.hold_credits), ("release", run.hold_credits), ("charge", -run.credits)}
            assert sorted(by_run[run_id]) == sorted(expected), (run_id, by_run[run_id])
        with svc.client(account.audit_key) as c:
            seen = c.get("/v1/account").json()
        assert seen["balance"] == granted - charged and seen["held"] == 0
        assert seen["spent"] == charged and seen["runs_total"] == len(runs)
