"""PDF handler throughput and peak memory: 10 pages against 200 pages.

Run from the project root:  .venv/bin/python benchmarks/pdf_bench.py
Each size runs in a fresh process so its peak RSS (ru_maxrss, which includes qpdf's C++
heap) belongs to that run alone. Results are recorded in benchmarks/pdf_bench.md.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "src"))

SIZES = (10, 200)


def measure(pages: int, folder: Path) -> dict[str, float]:
    """Build, extract and rebuild one document in this process; returns the numbers."""
    from tests.builders.pdf import build_long
    from tests.fakes import mark_words

    from polydoc.formats import handler_for

    handler = handler_for("pdf")
    src = build_long(folder, pages)
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    translations = {seg.id: mark_words(seg.text) for seg in handler.extract(src)}
    extracted = time.perf_counter()
    handler.rebuild(src, folder / "out.pdf", translations, target_language="es")
    rebuilt = time.perf_counter()
    return {
        "pages": pages,
        "segments": len(translations),
        "extract_s": round(extracted - started, 2),
        "rebuild_s": round(rebuilt - extracted, 2),
        "extract_pages_per_s": round(pages / (extracted - started), 1),
        "rebuild_pages_per_s": round(pages / (rebuilt - extracted), 1),
        "rss_before_mb": round(base_rss, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        with tempfile.TemporaryDirectory() as tmp:
            print(json.dumps(measure(int(sys.argv[2]), Path(tmp))))
        return
    print(
        "| pages | segments | extract s | rebuild s | extract pages/s | rebuild pages/s | RSS before MB | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for pages in SIZES:
        out = subprocess.run(
            [sys.executable, __file__, "--one", str(pages)], capture_output=True, text=True, check=True
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        print(
            f"| {r['pages']} | {r['segments']} | {r['extract_s']} | {r['rebuild_s']} | "
            f"{r['extract_pages_per_s']} | {r['rebuild_pages_per_s']} | {r['rss_before_mb']} | {r['peak_rss_mb']} |"
        )


if __name__ == "__main__":
    main()
