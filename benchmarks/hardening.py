"""Hardening figures (issue 8): the load test's throughput and latencies, and the time and peak
memory it takes the service to refuse (or safely handle) each hostile input.

Both parts start their own `polydoc serve` on loopback with a fresh data folder, exactly as
tests/test_load.py and tests/test_hostile_inputs.py do, and reuse their code:

* load: `--clients` asyncio clients on 8 accounts (2 heavy, 6 light) for `--seconds`, rate
  limit 90 requests a minute per key, at most 15 runs in progress per account;
* hostile: every case of tests/builders/hostile.py uploaded one after the other (and run,
  when the upload is accepted), with the server's total RSS (API, worker, engine pipes)
  sampled every 100 ms.

Usage: .venv/bin/python benchmarks/hardening.py [--clients 200] [--seconds 30] [--skip-load]
       [--skip-hostile]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.builders.hostile import TEXT, corpus  # noqa: E402
from tests.helpers import start_serve, translate  # noqa: E402
from tests.test_hostile_inputs import MB, Canary, Monitor, run_to_end  # noqa: E402
from tests.test_load import LOAD_ENV, make_accounts, run_load, wait_drained  # noqa: E402


def load(clients: int, seconds: float) -> None:
    with tempfile.TemporaryDirectory(prefix="polydoc-bench-load-") as tmp:
        svc = start_serve(Path(tmp), LOAD_ENV)
        try:
            accounts = make_accounts(svc, clients=clients)
            report = run_load(svc, accounts, seconds)
            drained = wait_drained(svc, accounts, timeout=300)
        finally:
            svc.stop()
    ok = report.statuses["200"]
    runs = sum(len(a.runs) for a in accounts)
    print("## load")
    print(report.summary())
    print(f"successful answers: {ok} ({ok / report.seconds:.1f}/s); runs created: {runs}; ")
    print(f"backlog drained {drained:.1f} s after the clients stopped; errors: {len(report.errors)}")
    print()
    print("| operation | requests | p50 | p99 | mean |")
    print("|---|---|---|---|---|")
    for op in sorted(report.latencies):
        values = report.latencies[op]
        print(
            f"| `{op}` | {len(values)} | {report.percentile(0.5, op) * 1000:.0f} ms | "
            f"{report.percentile(0.99, op) * 1000:.0f} ms | {statistics.fmean(values) * 1000:.0f} ms |"
        )
    print(
        f"| all | {report.requests} | {report.percentile(0.5) * 1000:.0f} ms | "
        f"{report.percentile(0.99) * 1000:.0f} ms | |"
    )


def hostile() -> None:
    canary = Canary()
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="polydoc-bench-hostile-") as tmp:
        svc = start_serve(Path(tmp))
        try:
            svc.key = svc.new_account("bench", credits=100_000)
            with svc.client() as c:  # warm: worker, engine pipe and language model loaded
                translate(c, "warm.txt", f"{TEXT}\n".encode())
            monitor = Monitor(svc.procs["serve"].pid, f"{svc.base_url}/healthz")
            monitor.start()
            print("## hostile inputs")
            warm = ", ".join(f"{monitor.names[p]} {v / MB:.0f} MB" for p, v in monitor.baseline.items())
            warm += f"; {sum(monitor.baseline.values()) / MB:.0f} MB in all"
            print(f"RSS after warm-up: {warm}")
            print()
            print("| input | size | answer | upload | until final | peak RSS rise (process) |")
            print("|---|---|---|---|---|---|")
            with svc.client() as c:
                for case in corpus():
                    data = case.make(canary.url)
                    monitor.mark()
                    before = dict(monitor.window)
                    t0 = time.monotonic()
                    resp = c.post("/v1/files", files={"data": (case.filename, data)})
                    t_upload = time.monotonic() - t0
                    if resp.status_code == 200:
                        run = run_to_end(c, resp.json()["id"], timeout=300)
                        answer = run["status"] + (f" `{run['error']['code']}`" if run.get("error") else "")
                    else:
                        answer = f"{resp.status_code} `{resp.json()['error']['code']}`"
                    total = time.monotonic() - t0
                    time.sleep(0.2)  # one more sample
                    rise, pid = max((monitor.window[p] - before.get(p, 0), p) for p in monitor.window)
                    print(
                        f"| {case.name} | {len(data) / 1024:.0f} KiB | {answer} | {t_upload * 1000:.0f} ms | "
                        f"{total * 1000:.0f} ms | {rise / MB:+.0f} MB ({monitor.names[pid]}) |"
                    )
            monitor.stop()
            print()
            growth = ", ".join(f"{name} {v / MB:+.0f} MB" for name, v in monitor.growth().items() if v >= MB)
            print(
                f"/healthz polls: {monitor.polls}, failed: {len(monitor.failures)}, slowest "
                f"{monitor.slowest_poll * 1000:.0f} ms; canary hits: {len(canary.hits)}; "
                f"peak RSS above warm-up, per process: {growth}; peak total {monitor.peak_total / MB:.0f} MB"
            )
        finally:
            svc.stop()
            canary.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-hostile", action="store_true")
    args = parser.parse_args()
    if not args.skip_load:
        load(args.clients, args.seconds)
        print()
    if not args.skip_hostile:
        hostile()


if __name__ == "__main__":
    main()
