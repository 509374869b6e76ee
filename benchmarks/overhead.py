"""Median time from `POST /v1/runs` to `Succeeded` for a one-paragraph file on the embedded default.

Starts `polydoc serve` on a free port with a fresh data folder, uploads N distinct one-paragraph
files (not timed), then times each run from the POST to the first GET that reports Succeeded
(polling every 5 ms). Usage: .venv/bin/python benchmarks/overhead.py [--runs 30]
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import sentences  # noqa: E402


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "POLYDOC_DATA_DIR": tmp}
        proc = subprocess.Popen(
            [sys.executable, "-m", "polydoc", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                try:
                    if httpx.get(base + "/healthz").status_code == 200 and Path(tmp, "demo_api_key").exists():
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.1)
            key = Path(tmp, "demo_api_key").read_text().strip()
            client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=60)
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
        finally:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
    times.sort()
    print(
        f"runs: {len(times)}  median: {statistics.median(times) * 1000:.0f} ms  "
        f"p90: {times[int(len(times) * 0.9)] * 1000:.0f} ms  min: {times[0] * 1000:.0f} ms  "
        f"max: {times[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
