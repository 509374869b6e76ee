"""Hardening figures (issue 8): the load test's throughput and latencies, and the time and peak
memory it takes the service to refuse (or safely handle) each hostile input.

Both parts start their own `polydoc serve` on loopback with a fresh data folder, exactly as
tests/test_load.py and tests/test_hostile_inputs.py do, and reuse their code:

* load: `--clients` asyncio clients on 8 accounts (2 heavy, 6 light) for `--seconds`, rate
  limit 90 requests a minute per key, at most 15 runs in progress per account;
* hostile: every case of tests/builders/hostile.py uploaded one after the other (and run,
  when the upload is accepted), with the server's total RSS (API, worker, engine pipes)
  sampled every 100 ms.

* hardening II: issue 16's cases (`hardening_ii`), after the corpus or alone with `--only-ii`.

Usage: .venv/bin/python benchmarks/hardening.py [--clients 200] [--seconds 30] [--skip-load]
       [--skip-hostile] [--only-ii]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.builders.hostile import (  # noqa: E402
    TEXT,
    Hostile,
    corpus,
    duplicate_names_docx,
    fixed,
    json_deep,
    nested_divs,
    one_line,
    pdf_dense_page,
    pdf_filter_bomb,
    pdf_self_reference,
    pptx_wordy_slide,
    xlsx_stored_strings,
)
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


def hostile(cases: list[Hostile]) -> None:
    canary = Canary()
    threading.Thread(target=canary.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory(prefix="polydoc-bench-hostile-") as tmp:
        # the 50 MB cases must reach the parsers, as in tests/test_hardening_cage.py
        svc = start_serve(Path(tmp), {"POLYDOC_MAX_UPLOAD_BYTES": str(64 * MB)})
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
                for case in cases:
                    data = case.make(canary.url)
                    monitor.mark()
                    before = dict(monitor.window)
                    t0 = time.monotonic()
                    resp = c.post("/v1/files", files={"data": (case.filename, data)})
                    t_upload = time.monotonic() - t0
                    if resp.status_code == 200:
                        try:
                            run = run_to_end(c, resp.json()["id"], timeout=300)
                        except AssertionError as refused:  # the run itself refused (e.g. too many pages)
                            run = {"status": "run refused", "error": json.loads(str(refused))["error"]}
                        answer = run["status"] + (f" `{run['error']['code']}`" if run.get("error") else "")
                        if run.get("credits"):
                            answer += f", {run['credits']} credits"
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


def hardening_ii() -> list[Hostile]:
    """Issue 16's cases: loops, multi-layer filter bombs, huge flat or nested parts, deep JSON,
    duplicate zip names, and the one-slide deck that is priced (and charged) by its text."""
    return [
        Hostile("pdf-contents-is-itself", "self.pdf", fixed(pdf_self_reference)),
        Hostile("pdf-resources-is-itself", "res.pdf", fixed(partial(pdf_self_reference, "resources"))),
        Hostile(
            "pdf-30-good-pages-then-the-loop", "late.pdf", fixed(partial(pdf_self_reference, good_pages=30))
        ),
        Hostile("pdf-bomb-flate-flate-2GB", "ff.pdf", fixed(pdf_filter_bomb)),
        Hostile("pdf-bomb-flate-x3-2GB", "fff.pdf", fixed(partial(pdf_filter_bomb, ("flate",) * 3))),
        Hostile("pdf-bomb-hex-flate-1GB", "hf.pdf", fixed(partial(pdf_filter_bomb, ("hex", "flate"), 1024))),
        Hostile("pdf-60000-operators", "dense.pdf", fixed(pdf_dense_page)),
        Hostile("html-50MB-nested-divs", "divs.html", fixed(nested_divs)),
        Hostile("xlsx-50MB-stored-strings", "stored.xlsx", fixed(xlsx_stored_strings)),
        Hostile("txt-50MB-one-line", "line.txt", fixed(one_line)),
        Hostile("json-100000-deep", "deep.json", fixed(json_deep)),
        Hostile("docx-duplicate-names", "dup.docx", fixed(duplicate_names_docx)),
        Hostile("pptx-one-slide-100000-words", "wordy.pptx", fixed(pptx_wordy_slide)),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--skip-hostile", action="store_true")
    parser.add_argument(
        "--only-ii", action="store_true", help="only issue 16's cases (no load, no issue 8 corpus)"
    )
    args = parser.parse_args()
    if args.only_ii:
        hostile(hardening_ii())
        return
    if not args.skip_load:
        load(args.clients, args.seconds)
        print()
    if not args.skip_hostile:
        hostile(corpus() + hardening_ii())


if __name__ == "__main__":
    main()
