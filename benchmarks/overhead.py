"""Median time from `POST /v1/runs` to `Succeeded` for a one-paragraph file on the embedded default.

Starts `polydoc serve` on a free port with a fresh data folder, uploads N distinct one-paragraph
files (not timed), then times each run from the POST to the first GET that reports Succeeded
(polling every 5 ms). Usage: .venv/bin/python benchmarks/overhead.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import demo_service  # noqa: E402

from corpus import sentences  # noqa: E402


def cage_cost(n: int = 200) -> None:
    """What the parsing cage adds to one paragraph: extraction and rebuild through a warm parser
    process against the handler called in this process (issue 16)."""
    from polydoc import cage
    from polydoc.formats import handler_for

    with tempfile.TemporaryDirectory() as tmp:
        src, dst = Path(tmp) / "a.txt", Path(tmp) / "b.txt"
        src.write_text(sentences(1)[0] + "\n")
        handler = handler_for("txt")
        cage.prewarm()
        cage.extract("txt", src)  # the processes are up
        for name, direct, caged in (
            ("extract", lambda: list(handler.extract(src)), lambda: cage.extract("txt", src)),
            (
                "rebuild",
                lambda: handler.rebuild(src, dst, {"p0": "x"}, target_language="es"),
                lambda: cage.rebuild("txt", src, dst, {"p0": "x"}, target_language="es"),
            ),
        ):
            times = {}
            for label, fn in (("in process", direct), ("caged", caged)):
                spent = []
                for _ in range(n):
                    started = time.perf_counter()
                    fn()
                    spent.append(time.perf_counter() - started)
                times[label] = statistics.median(spent) * 1000
            print(
                f"{name}: in process {times['in process']:.2f} ms, caged {times['caged']:.2f} ms (median of {n})"
            )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--cage", action="store_true", help="only the parsing cage's cost per paragraph")
    args = parser.parse_args()
    if args.cage:
        cage_cost()
        return
    with demo_service(timeout=60) as client:
        paragraphs = [" ".join(sentences(5, seed=i)) for i in range(args.runs + 1)]
        ids = [
            client.post("/v1/files", files={"data": (f"p{i}.txt", p.encode())}).json()["id"]
            for i, p in enumerate(paragraphs)
        ]
        times = []
        for i, file_id in enumerate(ids):
            start = time.perf_counter()
            run = client.post("/v1/runs", json={"input_file_id": file_id, "target_language": "es"}).json()
            while run["status"] == "Running":
                time.sleep(0.005)
                run = client.get(f"/v1/runs/{run['id']}").json()
            assert run["status"] == "Succeeded", run
            if i:  # the first run warms the Apertium pipeline
                times.append(time.perf_counter() - start)
    times.sort()
    print(
        f"runs: {len(times)}  median: {statistics.median(times) * 1000:.0f} ms  "
        f"p90: {times[int(len(times) * 0.9)] * 1000:.0f} ms  min: {times[0] * 1000:.0f} ms  "
        f"max: {times[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
