"""Polydoc against APY, Apertium's own HTTP service, on the same documents in the same run.

Starts APY (Debian's `apertium-apy`, `/translateDoc`, bound to 127.0.0.1) and one `polydoc serve`
per pipe count (`POLYDOC_APERTIUM_PIPES`, 1 and 2 by default), each on loopback with a fresh data
folder, and times DOCX, HTML and TXT documents of unique English prose (`corpus.prose`: standard
library docstrings, no paragraph twice) at 1, 300, 3,000 and 20,000 paragraphs, English → Spanish.

* APY: one `POST /translateDoc` (the translated document is its answer).
* Polydoc: upload, `POST /v1/runs`, poll until `Succeeded`, download the output: what a client
  waits for. Every Polydoc run is on a fresh account, so no translation memory helps it.

Each round times every document through every service back to back, the order rotating between
rounds; the medians are compared, and a ratio is APY's time ÷ Polydoc's (above 1: Polydoc faster).
CPU is the seconds the service's whole process tree used (APY's `apertium` children included).
Needs `bash scripts/bench-setup.sh` (installs apertium-apy). Usage:
  .venv/bin/python benchmarks/vs_apy.py [--sizes 1,300,3000,20000] [--formats docx,html,txt]
                                        [--pipes 1,2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import html
import io
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import prose  # noqa: E402

ADMIN = "bench-admin-token-0123456789"
# APY binds every interface and has no option against it: keep it on loopback
APY_ON_LOOPBACK = (
    "import sys, tornado.tcpserver as t\n"
    "bind = t.TCPServer.bind\n"
    "t.TCPServer.bind = lambda self, port, address=None, *a, **k: bind(self, port, '127.0.0.1', *a, **k)\n"
    "from apertium_apy.apy import main\n"
    "sys.argv = ['apertium-apy', *sys.argv[1:]]\n"
    "main()\n"
)
MIME = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
    "txt": "text/plain",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def build(fmt: str, paragraphs: list[str]) -> bytes:
    if fmt == "txt":
        return ("\n\n".join(paragraphs) + "\n").encode()
    if fmt == "html":
        body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        return f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Bench</title></head>\n<body>\n{body}\n</body></html>\n'.encode()
    import docx  # python-docx: only to build the input

    doc = docx.Document()
    for p in paragraphs:
        doc.add_paragraph(p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and all its descendants, the reaped ones and zombies included."""
    tick = os.sysconf("SC_CLK_TCK")
    children: dict[int, list[int]] = {}
    stats: dict[int, list[str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        stats[int(entry.name)] = fields
        children.setdefault(int(fields[1]), []).append(int(entry.name))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        if p in stats:
            f = stats[p]  # after the name: state ppid ... utime(11) stime(12) cutime(13) cstime(14)
            total += sum(int(x) for x in f[11:15])
        todo.extend(children.get(p, []))
    return total / tick


@dataclass
class Service:
    name: str
    proc: subprocess.Popen[bytes]
    base: str
    times: dict[tuple[str, int], list[float]] = field(default_factory=dict)
    cpu: dict[tuple[str, int], list[float]] = field(default_factory=dict)

    def record(self, doc: tuple[str, int], seconds: float, cpu: float) -> None:
        self.times.setdefault(doc, []).append(seconds)
        self.cpu.setdefault(doc, []).append(cpu)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(self.proc.pid, signal.SIGKILL)


def wait_ready(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit(f"{url} did not answer within {seconds:.0f} s")


def start_apy() -> Service:
    if not shutil.which("apertium-apy"):
        raise SystemExit("apertium-apy is missing: run `bash scripts/bench-setup.sh` first")
    port = free_port()
    proc = subprocess.Popen(
        ["/usr/bin/python3", "-c", APY_ON_LOOPBACK, "-p", str(port), "-t", "600"]
        + ["-l", "/usr/share/apertium-apy/langNames.db", "/usr/share/apertium/modes"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(base + "/listPairs")
    return Service("APY", proc, base)


def start_polydoc(pipes: int, data: Path) -> Service:
    port = free_port()
    env = {
        **os.environ,
        "POLYDOC_DATA_DIR": str(data),
        "POLYDOC_ADMIN_TOKEN": ADMIN,
        "POLYDOC_APERTIUM_PIPES": str(pipes),
        "POLYDOC_RATE_LIMIT_PER_MINUTE": "100000",
        "POLYDOC_LOG_LEVEL": "WARNING",
    }
    proc = subprocess.Popen(
        [sys.executable, "-m", "polydoc", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    wait_ready(base + "/healthz")
    return Service(f"Polydoc, {pipes} pipe{'s' if pipes > 1 else ''}", proc, base)


def via_apy(apy: Service, client: httpx.Client, fmt: str, data: bytes) -> bytes:
    answer = client.post(
        apy.base + "/translateDoc",
        data={"langpair": "eng|spa"},
        files={"file": (f"doc.{fmt}", data, MIME[fmt])},
    )
    answer.raise_for_status()
    return answer.content


def fresh_key(pd: Service, client: httpx.Client) -> str:
    answer = client.post(
        pd.base + "/v1/admin/accounts",
        json={"name": "bench", "credits": 1_000_000},
        headers={"Authorization": f"Bearer {ADMIN}"},
    )
    answer.raise_for_status()
    return answer.json()["api_key"]


def via_polydoc(pd: Service, client: httpx.Client, fmt: str, data: bytes, key: str) -> bytes:
    auth = {"Authorization": f"Bearer {key}"}
    file_id = client.post(pd.base + "/v1/files", files={"data": (f"doc.{fmt}", data)}, headers=auth).json()["id"]
    run = client.post(
        pd.base + "/v1/runs",
        json={"input_file_id": file_id, "target_language": "es", "source_language": "en"},
        headers=auth,
    ).json()
    pause, deadline = 0.005, time.monotonic() + 900
    while run["status"] == "Running" and time.monotonic() < deadline:
        time.sleep(pause)
        pause = min(pause * 1.3, 0.05)  # fast for small runs, few requests during long ones
        run = client.get(f"{pd.base}/v1/runs/{run['id']}", headers=auth).json()
    if run["status"] != "Succeeded":
        raise SystemExit(f"run failed: {run}")
    return client.get(f"{pd.base}/v1/files/{run['output_file_id']}/download", headers=auth).content


def timed(service: Service, doc: tuple[str, int], fn, *args) -> bytes:  # type: ignore[no-untyped-def]
    cpu = tree_cpu(service.proc.pid)
    start = time.perf_counter()
    out = fn(*args)
    seconds = time.perf_counter() - start
    service.record(doc, seconds, tree_cpu(service.proc.pid) - cpu)
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1,300,3000,20000")
    parser.add_argument("--formats", default="docx,html,txt")
    parser.add_argument("--pipes", default="1,2")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(n) for n in args.sizes.split(",")]
    formats = args.formats.split(",")
    pipes = [int(n) for n in args.pipes.split(",")]
    paragraphs = prose(max(sizes))
    docs = {(fmt, n): build(fmt, paragraphs[:n]) for fmt in formats for n in sizes}
    load = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="polydoc-vs-apy-") as tmp:
        apy = start_apy()
        polydocs = [start_polydoc(p, Path(tmp) / f"pipes{p}") for p in pipes]
        services = [apy, *polydocs]
        client = httpx.Client(timeout=900)
        try:
            # warm both sides once (APY starts a pipeline per document anyway; Polydoc its pipes),
            # Polydoc in both lanes: a run over POLYDOC_SMALL_RUN_PAGES (20) pages takes the large
            # lane, whose worker process has pipes of its own
            large = "".join(f"Warm-up sentence number {i} is here.\n\n" for i in range(1500)).encode()
            for pd in polydocs:
                via_polydoc(pd, client, "txt", b"Hello, world.", fresh_key(pd, client))
                via_polydoc(pd, client, "txt", large, fresh_key(pd, client))
            via_apy(apy, client, "txt", b"Hello.")
            for r in range(args.rounds):
                for doc, data in docs.items():
                    order = services[r % len(services) :] + services[: r % len(services)]
                    for service in order:
                        if service is apy:
                            timed(apy, doc, via_apy, apy, client, doc[0], data)
                        else:
                            key = fresh_key(service, client)  # not timed: a new account, an empty memory
                            timed(service, doc, via_polydoc, service, client, doc[0], data, key)
                print(f"round {r + 1}/{args.rounds} done", file=sys.stderr, flush=True)
        finally:
            for service in services:
                service.stop()
    report(apy, polydocs, docs, load)


def report(apy: Service, polydocs: list[Service], docs: dict, load: tuple[float, float, float]) -> None:  # type: ignore[type-arg]
    med = statistics.median
    print(f"load average at start: {load[0]:.1f}; cores: {os.cpu_count()}; rounds: {len(apy.times[next(iter(docs))])}")
    head = "| format | paragraphs | APY s (CPU s) |" + "".join(f" {pd.name} s (CPU s) | ratio |" for pd in polydocs)
    if len(polydocs) > 1:
        head += f" {polydocs[-1].name} ÷ {polydocs[0].name} |"
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for doc in docs:
        a = med(apy.times[doc])
        row = f"| {doc[0]} | {doc[1]:,} | {a:.3f} ({med(apy.cpu[doc]):.1f}) |"
        for pd in polydocs:
            p = med(pd.times[doc])
            row += f" {p:.3f} ({med(pd.cpu[doc]):.1f}) | **{a / p:.2f}×** |"
        if len(polydocs) > 1:
            row += f" {med(polydocs[0].times[doc]) / med(polydocs[-1].times[doc]):.2f}× |"
        print(row)
    print("runs (s): " + "; ".join(f"{s.name} {d[0]}/{d[1]}: {[round(t, 3) for t in s.times[d]]}" for s in [apy, *polydocs] for d in docs))


if __name__ == "__main__":
    main()
