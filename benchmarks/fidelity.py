"""Fidelity against Apertium's own document mode (`apertium -f docx|pptx|xlsx|odt eng-spa`).

For each document built by the tests' builders, both tools translate it to Spanish; the output is read
back with Polydoc's own handler for that format and compared with the source segment by segment:
* untranslated share: source segments (3+ words) whose text comes back unchanged, over all such segments;
* spans preserved: inline formatting spans (`<gN>` tags) in the output over those in the source.
Then long DOCX files (3,000, 10,000 and 20,000 paragraphs) are translated, alternating, several rounds:
by `polydoc translate` (the whole command, start-up included; with the CPU time it and its child
processes used), by a running `polydoc serve` (upload, run, download; a fresh account each time so
the translation memory does not help) and by `apertium -f docx`; medians are reported.
Usage: .venv/bin/python benchmarks/fidelity.py [--rounds 3] [--sizes 3000,10000,20000] [--speed-only]
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tests.builders import docx, odf, pptx, xlsx  # noqa: E402
from tests.helpers import Service, make_service, upload, wait_http  # noqa: E402
from throughput import polydoc_cmd  # noqa: E402

from polydoc.formats import handler_for  # noqa: E402
from polydoc.segments import TAG, strip_tags  # noqa: E402

WORDS = re.compile(r"[A-Za-z]{3,}")
CASES = [
    ("docx", docx.build_docx),
    ("pptx", pptx.build_pptx),
    ("xlsx", xlsx.build_sales_workbook),
    ("odt", odf.build_odt),
]


def measure(fmt: str, source: Path, output: Path) -> tuple[float, float]:
    handler = handler_for(fmt)
    before = list(handler.extract(source))
    after = list(handler.extract(output))
    pairs = zip(before, after, strict=False) if len(before) == len(after) else []
    worded = [(b, a) for b, a in pairs if len(WORDS.findall(strip_tags(b.text))) >= 3]
    left = sum(1 for b, a in worded if strip_tags(a.text) == strip_tags(b.text))
    spans_src = sum(len([m for m in TAG.finditer(b.text) if m.group(2) and not m.group(1)]) for b in before)
    spans_out = sum(len([m for m in TAG.finditer(a.text) if m.group(2) and not m.group(1)]) for a in after)
    untranslated = left / len(worded) if worded else float("nan")
    return untranslated, (spans_out / spans_src if spans_src else 1.0)


def apertium_cmd(fmt: str, src: Path, dst: Path) -> list[str]:
    return ["apertium", "-f", fmt, "eng-spa", str(src), str(dst)]


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (the command and every child it waited for)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def fidelity(folder: Path) -> None:
    print("| format | tool | untranslated share | spans preserved |")
    print("|---|---|---|---|")
    for fmt, build in CASES:
        src = build(folder)
        ours, theirs = folder / f"ours.{fmt}", folder / f"apertium.{fmt}"
        run(polydoc_cmd(src, ours))
        try:
            run(apertium_cmd(fmt, src, theirs))
            a_left, a_spans = measure(fmt, src, theirs)
            apertium_row = f"{a_left:.2f} | {a_spans:.2f}"
        except Exception as exc:  # Apertium's document mode fails on some files
            apertium_row = f"failed ({type(exc).__name__}) | –"
        p_left, p_spans = measure(fmt, src, ours)
        print(f"| {fmt} | polydoc | {p_left:.2f} | {p_spans:.2f} |")
        print(f"| {fmt} | apertium -f {fmt} | {apertium_row} |")


def service_seconds(svc: Service, src: Path) -> float:
    """Upload, run and download through a running `polydoc serve`, on a fresh account (so the
    translation memory starts empty), polling every 100 ms as a client would (faster polling takes
    CPU from the run on a two-core machine)."""
    key = svc.new_account(f"bench-{time.monotonic_ns()}", credits=1_000_000)
    with svc.client(key) as client:
        start = time.perf_counter()
        file_id = upload(client, src.name, src.read_bytes())["id"]
        run = client.post("/v1/runs", json={"input_file_id": file_id, "target_language": "es"}).json()
        while run["status"] == "Running":
            time.sleep(0.1)
            run = client.get(f"/v1/runs/{run['id']}").json()
        assert run["status"] == "Succeeded", run
        client.get(f"/v1/files/{run['output_file_id']}/download").raise_for_status()
        return time.perf_counter() - start


def speed(folder: Path, sizes: list[int], rounds: int) -> None:
    print(
        "\n| paragraphs | polydoc translate (s) | polydoc service (s) | apertium -f docx (s) "
        "| ratio, command | ratio, service | CPU polydoc translate (s) | CPU apertium (s) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    svc = make_service(folder / "service")
    (folder / "service").mkdir()
    svc.start("serve", "serve", "--port", svc.base_url.rsplit(":", 1)[1])
    try:
        wait_http(f"{svc.base_url}/healthz")
        service_seconds(svc, docx.build_long_docx(folder, 1, name="warm.docx"))  # the worker's pipe
        for size in sizes:
            src = docx.build_long_docx(folder, size, name=f"long{size}.docx")
            ours: list[tuple[float, float]] = []
            served: list[float] = []
            theirs: list[tuple[float, float]] = []
            for _ in range(rounds):  # alternating, so all three see the same machine load
                ours.append(run(polydoc_cmd(src, folder / "long.ours.docx")))
                served.append(service_seconds(svc, src))
                theirs.append(run(apertium_cmd("docx", src, folder / "long.apertium.docx")))
            o_wall, t_wall = statistics.median(w for w, _ in ours), statistics.median(w for w, _ in theirs)
            o_cpu, t_cpu = statistics.median(c for _, c in ours), statistics.median(c for _, c in theirs)
            s_wall = statistics.median(served)
            print(
                f"| {size:,} | {o_wall:.2f} | {s_wall:.2f} | {t_wall:.2f} | {t_wall / o_wall:.2f}× "
                f"| {t_wall / s_wall:.2f}× | {o_cpu:.2f} | {t_cpu:.2f} |"
            )
            print(
                f"<!-- rounds: translate {[round(w, 2) for w, _ in ours]} service {[round(w, 2) for w in served]} "
                f"apertium {[round(w, 2) for w, _ in theirs]} -->"
            )
    finally:
        svc.stop()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sizes", default="3000,10000,20000", help="paragraph counts of the long documents")
    parser.add_argument("--speed-only", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        if not args.speed_only:
            fidelity(folder)
        speed(folder, [int(n) for n in args.sizes.split(",")], args.rounds)


if __name__ == "__main__":
    main()
