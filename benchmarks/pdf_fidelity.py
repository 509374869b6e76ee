"""PDF fidelity (issue 13): the working tree's PDF handler against the baseline (commit b0a77ff), in one run.

Builds its own PDFs (`_pdf_corpus`: a report, a two-column article and slides exported by LibreOffice,
reportlab tables, a 200 dpi scan; long reports of 10 and `--pages-large` pages), then for each side
and document, in a fresh process (`_pdf_work`, PYTHONPATH = that side's `src`): extract, translate every
segment with `pseudo_spanish` (+20 % characters, each translated word ends in "á"), rebuild. Reported:
* whole paragraphs: source paragraphs (headings, list items and table cells included) that exactly
  one segment contains;
* font-size ratio: each translated word's size over the size of the nearest source character;
* links covering their text: the translated link text lies inside its /Link rectangles;
* pages per second (extract + rebuild, imports included) and the child's peak RSS (its VmHWM).
Usage: .venv/bin/python benchmarks/pdf_fidelity.py [--pages-large 200] [--rounds 2] [--quick] [--write]
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
import _pdf_corpus as corpus  # noqa: E402
import _pdf_measure as measure  # noqa: E402

BASE_COMMIT = "b0a77ff"
BASE_TREE = Path("/tmp/pdfbench-base")
SIDES = (("baseline " + BASE_COMMIT, BASE_TREE / "src"), ("working tree", ROOT / "src"))
CHILD_TIMEOUT_S = 900
RESULTS = HERE / "pdf_fidelity.md"
MARKERS = ("<!-- figures: written by pdf_fidelity.py --write -->", "<!-- /figures -->")


@dataclass
class Side:
    whole: int = 0
    total: int = 0
    merged: int = 0
    ratios: list[float] = field(default_factory=list)
    links: int = 0
    links_total: int = 0
    rows: list[str] = field(default_factory=list)
    speed: dict[int, list[tuple[float, float, str]]] = field(default_factory=dict)


def ensure_baseline() -> None:
    if not (BASE_TREE / "src" / "polydoc").is_dir():
        cmd = ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(BASE_TREE), BASE_COMMIT]
        subprocess.run(cmd, check=True, capture_output=True, timeout=120)


def run_child(src_path: Path, pdf: Path, out: Path) -> dict:
    """The measurement in its own process (see `_pdf_work.peak_mb` for its memory figure)."""
    result = out.with_suffix(".json")
    env = {**os.environ, "PYTHONPATH": str(src_path)}
    with open(out.with_suffix(".stderr"), "wb") as err:
        proc = subprocess.Popen(
            [sys.executable, str(HERE / "_pdf_work.py"), str(pdf), str(out), str(result)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
            cwd=out.parent,
        )
        try:
            proc.wait(timeout=CHILD_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            return {"error": f"timed out after {CHILD_TIMEOUT_S} s"}
    if not result.exists():
        tail = out.with_suffix(".stderr").read_text(errors="replace")[-300:]
        return {"error": f"exit {proc.returncode}: {tail}"}
    return json.loads(result.read_text())


def page_text(res: dict) -> list[str]:
    """The segments drawn on pages (`p<page>#…`); bookmark titles (`outline#n`) and the document
    title (`title`) repeat the headings without being a split of them."""
    return [text for sid, text in res.get("segments", []) if re.match(r"p\d+#", sid)]


def _pct(n: int, d: int) -> str:
    return f"{n}/{d} ({100 * n / d:.0f} %)" if d else "–"


def _ratio(values: list[float], fn) -> str:
    return f"{fn(values):.2f}" if values else "–"


def fidelity(docs: list[corpus.Doc], folder: Path, sides: dict[str, Side]) -> None:
    for doc in docs:
        pdf = folder / f"{doc.name}.pdf"
        pdf.write_bytes(doc.pdf)
        src_pages = measure.read_pages(doc.pdf)
        for label, src_path in SIDES:
            side, tag = sides[label], label.split()[0]
            out = folder / f"{doc.name}.{tag}.out.pdf"
            res = run_child(src_path, pdf, out)
            segs = page_text(res)
            extra = len(res.get("segments", [])) - len(segs)
            w = measure.whole_paragraphs(doc.paragraphs, segs, fuzzy=doc.scan_sizes is not None)
            ratios: list[float] = []
            covered = 0
            if "error" not in res:
                try:
                    out_pages = measure.read_pages(out.read_bytes())
                except Exception as exc:  # an output pdfminer or qpdf cannot read is a finding
                    res["error"] = f"output unreadable: {type(exc).__name__}: {exc}"
                    out_pages = []
                ratios = measure.size_ratios(src_pages, out_pages, doc.scan_sizes)
                covered = sum(measure.link_covered(out_pages, url, text) for url, text in doc.links)
            side.whole, side.total, side.merged = (
                side.whole + w.whole,
                side.total + w.total,
                side.merged + w.merged,
            )
            side.ratios += ratios
            side.links, side.links_total = side.links + covered, side.links_total + len(doc.links)
            note = res.get("error") or "; ".join(res.get("warnings", [])) or ""
            if w.examples:
                note += (
                    (" — " if note else "") + "not whole e.g. " + " / ".join(f"“{e}…”" for e in w.examples)
                )
            side.rows.append(
                f"| {doc.name} ({doc.kind}, {len(src_pages)} p.) | {label} | {len(segs)}{f' (+{extra})' if extra else ''} "
                f"| {_pct(w.whole, w.total)} "
                f"| {w.merged} | {_ratio(ratios, statistics.median)} | {_ratio(ratios, min)} "
                f"| {covered}/{len(doc.links)} | {note.replace('|', '/')[:300]} |"
            )


def _page_count(pdf: bytes) -> int:
    with pikepdf.open(io.BytesIO(pdf)) as doc:
        return len(doc.pages)


def speed(sizes: list[int], rounds: int, folder: Path, sides: dict[str, Side]) -> dict[int, corpus.Doc]:
    docs = {n: corpus.long_report(folder, n) for n in sizes}
    for n, doc in docs.items():
        pdf = folder / f"{doc.name}.pdf"
        pdf.write_bytes(doc.pdf)
        if _page_count(doc.pdf) != n:
            print(f"note: the {n}-page report has {_page_count(doc.pdf)} pages", file=sys.stderr)
        for _ in range(rounds):  # alternating, so both sides see the same machine load
            for label, src_path in SIDES:
                res = run_child(src_path, pdf, folder / f"{doc.name}.{label.split()[0]}.out.pdf")
                if "error" in res:
                    sides[label].speed.setdefault(n, []).append((0.0, 0.0, res["error"]))
                    continue
                w = measure.whole_paragraphs(doc.paragraphs, page_text(res))
                pps = _page_count(doc.pdf) / (res["extract_s"] + res["rebuild_s"])
                sides[label].speed.setdefault(n, []).append((pps, res["peak_mb"], _pct(w.whole, w.total)))
    return docs


def tables(sides: dict[str, Side], sizes: list[int]) -> str:
    base, cur = (sides[label] for label, _ in SIDES)
    lines = [
        f"| measure | {SIDES[0][0]} | {SIDES[1][0]} | target |",
        "|---|---|---|---|",
        f"| whole paragraphs (fidelity set) | {_pct(base.whole, base.total)} | {_pct(cur.whole, cur.total)} | 100 % |",
        f"| segments holding 2+ paragraphs | {base.merged} | {cur.merged} | 0 |",
        f"| font-size ratio, median | {_ratio(base.ratios, statistics.median)} "
        f"| {_ratio(cur.ratios, statistics.median)} | ≥ 0.95 |",
        f"| font-size ratio, minimum | {_ratio(base.ratios, min)} | {_ratio(cur.ratios, min)} | ≥ 0.70 |",
        f"| links covering their text | {_pct(base.links, base.links_total)} "
        f"| {_pct(cur.links, cur.links_total)} | 100 % |",
    ]
    for n in sizes:
        cells = [statistics.median(p for p, _, _ in s.speed.get(n, [(0, 0, "")])) for s in (base, cur)]
        lines.append(f"| pages/s, {n} pages (median of rounds) | {cells[0]:.1f} | {cells[1]:.1f} | – |")
    for n in sizes:
        cells = [max(m for _, m, _ in s.speed.get(n, [(0, 0, "")])) for s in (base, cur)]
        target = "≈ the small one" if n == sizes[-1] and len(sizes) > 1 else "–"
        lines.append(
            f"| peak RSS MB, {n} pages (max of rounds) | {cells[0]:.0f} | {cells[1]:.0f} | {target} |"
        )
    if len(sizes) > 1:
        grow = [
            max(m for _, m, _ in s.speed.get(sizes[-1], [(0, 0, "")]))
            - max(m for _, m, _ in s.speed.get(sizes[0], [(0, 0, "")]))
            for s in (base, cur)
        ]
        lines.append(
            f"| peak RSS growth, {sizes[0]} → {sizes[-1]} pages | {grow[0]:+.0f} MB | {grow[1]:+.0f} MB | ≈ 0 |"
        )
    lines += [
        "",
        "| document | side | page segments (+ outline, title) | whole paragraphs | segments with 2+ | size median | size min "
        "| links | warnings, errors, examples |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    lines += [row for pair in zip(base.rows, cur.rows, strict=True) for row in pair]
    lines += [
        "",
        "| long report | side | rounds: pages/s | rounds: peak RSS MB | whole paragraphs |",
        "|---|---|---|---|---|",
    ]
    for n in sizes:
        for label, _ in SIDES:
            runs = sides[label].speed.get(n, [])
            lines.append(
                f"| {n} pages | {label} | {', '.join(f'{p:.1f}' for p, _, _ in runs)} "
                f"| {', '.join(f'{m:.0f}' for _, m, _ in runs)} | {runs[-1][2][:200] if runs else '–'} |"
            )
    return "\n".join(lines)


def write(figures: str, command: str, started: str, load: str) -> None:
    block = (
        f"{MARKERS[0]}\nRecorded {started} on the shared 2-core machine (load average {load}), "
        f"command `{command}`.\n\n{figures}\n{MARKERS[1]}"
    )
    if RESULTS.exists() and MARKERS[0] in RESULTS.read_text():
        head, rest = RESULTS.read_text().split(MARKERS[0], 1)
        RESULTS.write_text(head + block + rest.split(MARKERS[1], 1)[1])
    else:
        RESULTS.write_text(f"# PDF fidelity against the baseline (issue 13)\n\n{__doc__}\n{block}\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages-large", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=2, help="speed rounds per side and size")
    parser.add_argument("--quick", action="store_true", help="40 large pages, one round")
    parser.add_argument("--write", action="store_true", help=f"record the figures in {RESULTS.name}")
    args = parser.parse_args()
    large, rounds = (min(args.pages_large, 40), 1) if args.quick else (args.pages_large, args.rounds)
    sizes = sorted({10, large})
    ensure_baseline()
    started = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    load_before = os.getloadavg()[0]
    sides = {label: Side() for label, _ in SIDES}
    with tempfile.TemporaryDirectory(prefix="pdf-fidelity-") as tmp:
        folder = Path(tmp)
        fidelity(corpus.fidelity_set(folder), folder, sides)
        speed(sizes, rounds, folder, sides)
    figures = tables(sides, sizes)
    print(figures)
    if args.write:
        command = ".venv/bin/python benchmarks/pdf_fidelity.py " + " ".join(sys.argv[1:])
        write(figures, command.strip(), started, f"{load_before:.1f}–{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
