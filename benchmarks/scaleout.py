"""Scale-out: runs per minute with 1 and 3 workers, and POST /v1/runs latency under 100 clients.

1. Throughput (PostgreSQL + Redis + S3): one `polydoc api`, then 1 or 3 `polydoc worker
   --concurrency 2` processes. N distinct small documents are uploaded first (not timed); then all N
   runs are posted from 8 threads and the clock stops when the database says every run Succeeded.
   The two configurations alternate for --rounds rounds in this one invocation; each round's ratio
   compares two measurements a minute apart on the same (shared, noisy) machine. Also printed: how
   busy the machine's CPUs were meanwhile, and CPU milliseconds per run by kind of process.
2. Latency: one `polydoc api` and no worker (runs stay queued, so only the API, its database and
   the publish to the broker are measured), one account with one uploaded file per client, then
   that many concurrent asyncio clients each POST /v1/runs --posts times in a row (after one warm-up
   POST each). Embedded default (SQLite database, SQLite broker, local blobs) against PostgreSQL +
   Redis + S3, alternating per round.

The PostgreSQL, Redis and S3 servers come from scripts/services.sh (started if needed), with a fresh
database, Redis db and bucket per measurement. Usage:
    .venv/bin/python benchmarks/scaleout.py [--docs 150] [--rounds 2] [--clients 100,10] [--posts 10]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from tests.helpers import free_port, scaleout_env, wait_http  # noqa: E402
from tests.test_scaleout import document  # noqa: E402

BACKEND_VARS = ("POLYDOC_DATABASE_URL", "POLYDOC_BROKER_URL", "POLYDOC_STORAGE_URL")


def services() -> None:
    out = subprocess.run(
        ["bash", str(ROOT / "scripts/services.sh")], capture_output=True, text=True, check=True
    )
    os.environ.update(re.findall(r"^export (POLYDOC_TEST_\w+)=(\S+)$", out.stdout, re.M))


class Deployment:
    """Processes of one Polydoc deployment on a fresh backend; stops them all on exit."""

    def __init__(self, data_dir: Path, scaleout: bool) -> None:
        base = {k: v for k, v in os.environ.items() if k not in BACKEND_VARS}
        self.env = {**base, **(scaleout_env() if scaleout else {}), "POLYDOC_DATA_DIR": str(data_dir)}
        self.env["POLYDOC_LOG_LEVEL"] = "WARNING"
        self.data_dir = data_dir
        self.url = self.env.get("POLYDOC_DATABASE_URL") or f"sqlite:///{data_dir / 'polydoc.sqlite'}"
        self.procs: dict[str, subprocess.Popen] = {}
        from polydoc.db.migrate import upgrade
        from polydoc.db.session import get_engine

        upgrade(self.url)
        get_engine(self.url).dispose()
        self.engine = create_engine(self.url, poolclass=NullPool)

    def start(self, name: str, *args: str) -> None:
        log = (self.data_dir / f"{name}.log").open("ab")
        self.procs[name] = subprocess.Popen(
            [sys.executable, "-m", "polydoc", *args],
            env={**self.env, "POLYDOC_LOG_LEVEL": "INFO"} if args[0] == "worker" else self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def start_api(self) -> str:
        port = free_port()
        self.start("api", "api", "--port", str(port))
        wait_http(f"http://127.0.0.1:{port}/healthz")
        return f"http://127.0.0.1:{port}"

    def start_workers(self, n: int) -> None:
        names = [f"worker{i}" for i in range(n)]
        for name in names:
            self.start(name, "worker", "--concurrency", "2")
        deadline = time.monotonic() + 90
        while not all("worker ready" in (self.data_dir / f"{n}.log").read_text() for n in names):
            assert time.monotonic() < deadline, "workers did not start"
            time.sleep(0.2)

    def stop(self, prefix: str = "") -> None:
        for name in [n for n in self.procs if n.startswith(prefix)]:
            proc = self.procs.pop(name)
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=60)

    def accounts(self, n: int, credits: int) -> list[str]:
        from polydoc.services.accounts import create_account

        keys = []
        with Session(self.engine) as s:
            for i in range(n):
                keys.append(create_account(s, name=f"bench{i}", credits=credits)[1])
            s.commit()
        return keys


@contextmanager
def deployment(scaleout: bool):  # noqa: ANN201
    with tempfile.TemporaryDirectory(prefix="polydoc-bench-") as tmp:
        d = Deployment(Path(tmp), scaleout)
        try:
            yield d
        finally:
            d.stop()
            d.engine.dispose()


def cpu_times() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle + iowait
    return sum(fields) - idle, sum(fields)


def cpu_by_process(database: str) -> dict[int, tuple[str, float]]:
    """pid -> (kind, CPU seconds used so far) for every live process. Ours are this script, its
    descendants (API, workers, their Apertium pipes) and the PostgreSQL backends of `database`;
    Redis and moto serve everybody on the machine, the rest is other people's work."""
    tick = os.sysconf("SC_CLK_TCK")
    procs: dict[int, tuple[str, int, float]] = {}  # pid -> (command line, parent, seconds)
    for proc in Path("/proc").glob("[0-9]*"):
        try:
            cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        procs[int(proc.name)] = (cmd, int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)

    def ours(pid: int) -> bool:
        while pid > 1:
            if pid == os.getpid():
                return True
            pid = procs[pid][1] if pid in procs else 0
        return False

    def kind(pid: int, cmd: str) -> str:
        if pid == os.getpid():
            return "benchmark client"
        if ours(pid):
            for name, needle in (("worker", "polydoc worker"), ("api", "polydoc api")):
                if needle in cmd:
                    return name
            return "other of ours" if "polydoc" in cmd else "apertium"
        if cmd.startswith("postgres: ") and f" {database} " in cmd:
            return "postgres"
        for name, needle in (("redis (shared)", "redis-server"), ("s3: moto (shared)", "moto_server")):
            if needle in cmd:
                return name
        return "not ours"

    return {pid: (kind(pid, cmd), seconds) for pid, (cmd, _parent, seconds) in procs.items()}


def cpu_spent(before: dict[int, tuple[str, float]], database: str) -> dict[str, float]:
    """CPU seconds per kind of process since `before` (processes that ended meanwhile are missed)."""
    spent: dict[str, float] = {}
    for pid, (kind, seconds) in cpu_by_process(database).items():
        spent[kind] = spent.get(kind, 0.0) + seconds - before.get(pid, (kind, 0.0))[1]
    return spent


def upload(base: str, key: str, i: int) -> str:
    with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
        r = c.post("/v1/files", files={"data": (f"doc{i}.txt", document(i))})
    r.raise_for_status()
    return r.json()["id"]


# --- 1. runs per minute ----------------------------------------------------------------------------


def runs_per_minute(workers: int, docs: int, offset: int) -> tuple[float, float, dict[str, float]]:
    """(runs per minute, share of the machine's CPU busy meanwhile, CPU ms per run by process kind)."""
    with deployment(scaleout=True) as d:
        keys = d.accounts(8, credits=100_000)  # several accounts: each may have 50 runs running
        base = d.start_api()
        with ThreadPoolExecutor(8) as pool:
            files = list(
                pool.map(lambda i: (keys[i % 8], upload(base, keys[i % 8], offset + i)), range(docs))
            )
        d.start_workers(workers)

        def post(item: tuple[str, str]) -> None:
            key, file_id = item
            with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60) as c:
                c.post(
                    "/v1/runs", json={"input_file_id": file_id, "target_language": "es"}
                ).raise_for_status()

        from polydoc.db.models import Run

        database = d.url.rsplit("/", 1)[1]
        started, cpu, processes = time.perf_counter(), cpu_times(), cpu_by_process(database)
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(post, files))
        while True:
            with Session(d.engine) as s:
                counts = dict(s.execute(select(Run.status, func.count()).group_by(Run.status)).all())
            if counts.get("Succeeded", 0) + counts.get("Failed", 0) == docs:
                break
            time.sleep(0.1)
        elapsed = time.perf_counter() - started
        busy, total = (b - a for a, b in zip(cpu, cpu_times(), strict=True))
        per_run = {kind: seconds * 1000 / docs for kind, seconds in cpu_spent(processes, database).items()}
        assert counts.get("Failed", 0) == 0, counts
        return docs / elapsed * 60, busy / total, per_run


# --- 2. POST /v1/runs latency -----------------------------------------------------------------------


async def _clients(base: str, work: list[tuple[str, str]], posts: int) -> tuple[list[float], Counter, float]:
    latencies: list[float] = []
    errors: Counter = Counter()
    limits = httpx.Limits(max_connections=len(work), max_keepalive_connections=len(work))
    async with httpx.AsyncClient(base_url=base, timeout=120, limits=limits) as c:

        async def client(key: str, file_id: str) -> None:
            for _ in range(posts):
                t = time.perf_counter()
                try:
                    r = await c.post(
                        "/v1/runs",
                        json={"input_file_id": file_id, "target_language": "es"},
                        headers={"Authorization": f"Bearer {key}"},
                    )
                    if r.status_code != 200:
                        errors[r.status_code] += 1
                except httpx.TransportError as exc:  # the server dropped the connection
                    errors[type(exc).__name__] += 1
                latencies.append(time.perf_counter() - t)

        started = time.perf_counter()
        await asyncio.gather(*(client(k, f) for k, f in work))
        return latencies, errors, time.perf_counter() - started


def post_latency(scaleout: bool, clients: int, posts: int) -> dict[str, object]:
    with deployment(scaleout) as d:
        keys = d.accounts(clients, credits=100_000)  # one account per client, like 100 users
        base = d.start_api()
        with ThreadPoolExecutor(8) as pool:
            work = list(pool.map(lambda ik: (ik[1], upload(base, ik[1], ik[0])), enumerate(keys)))
        asyncio.run(_clients(base, work, 1))  # warm-up: connections, caches
        latencies, errors, elapsed = asyncio.run(_clients(base, work, posts))
    latencies.sort()
    return {
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
        "max": latencies[-1] * 1000,
        "rps": len(latencies) / elapsed,
        "errors": errors,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=150)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--clients", default="100", help="concurrent clients, or a list: 100,10")
    parser.add_argument("--posts", type=int, default=10)
    parser.add_argument("--skip", choices=("throughput", "latency"), default=None)
    args = parser.parse_args()
    services()
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    if args.skip != "throughput":
        ratios, rates = [], {1: [], 3: []}
        for r in range(args.rounds):
            one, cpu1, ms1 = runs_per_minute(1, args.docs, offset=10_000 * (2 * r + 1))
            three, cpu3, ms3 = runs_per_minute(3, args.docs, offset=10_000 * (2 * r + 2))
            for label, ms in (("1 worker", ms1), ("3 workers", ms3)):
                print(
                    f"  CPU ms per run, {label}: "
                    + ", ".join(f"{g} {v:.0f}" for g, v in sorted(ms.items(), key=lambda kv: -kv[1]))
                )
            rates[1].append(one)
            rates[3].append(three)
            ratios.append(three / one)
            print(f"round {r + 1}: 1 worker {one:.0f} runs/min (CPU {cpu1:.0%} busy), 3 workers {three:.0f} "
                  f"runs/min (CPU {cpu3:.0%} busy), ratio {three / one:.2f}  (load {os.getloadavg()[0]:.1f})",
                  flush=True)  # fmt: skip
        print(f"throughput, {args.docs} small documents: 1 worker {statistics.median(rates[1]):.0f} runs/min, "
              f"3 workers {statistics.median(rates[3]):.0f} runs/min, median ratio "
              f"{statistics.median(ratios):.2f}")  # fmt: skip
    if args.skip != "latency":
        for clients in (int(c) for c in args.clients.split(",")):
            results: dict[str, list[dict]] = {"embedded": [], "scaleout": []}
            for r in range(args.rounds):
                for name in results:
                    res = post_latency(name == "scaleout", clients, args.posts)
                    results[name].append(res)
                    print(f"round {r + 1} {name}, {clients} clients: p50 {res['p50']:.0f} ms, p99 {res['p99']:.0f} ms, "
                          f"max {res['max']:.0f} ms, {res['rps']:.0f} POST/s, errors {dict(res['errors'])}  "
                          f"(load {os.getloadavg()[0]:.1f})", flush=True)  # fmt: skip
            for name, rows in results.items():
                print(f"latency {name}, {clients} clients x {args.posts} POSTs: median p50 "
                      f"{statistics.median(x['p50'] for x in rows):.0f} ms, median p99 "
                      f"{statistics.median(x['p99'] for x in rows):.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
