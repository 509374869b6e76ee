"""Words per second: `polydoc translate` against plain `apertium eng-spa` on the same large text.

Both run in this process's machine in the same invocation, alternating, so the ratio is fair on a
shared, noisy machine. Usage: .venv/bin/python benchmarks/throughput.py [--words 300000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from corpus import text  # noqa: E402


def polydoc_cmd(src: Path, dst: Path) -> list[str]:
    """`polydoc translate` English → Spanish, as a user runs it."""
    return [
        sys.executable,
        "-m",
        "polydoc",
        "translate",
        str(src),
        "--to",
        "es",
        "--from",
        "en",
        "-o",
        str(dst),
    ]


def timed(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--words", type=int, default=300_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "large.txt"
        src.write_text(text(args.words))
        words = len(src.read_text().split())
        apertium, polydoc = [], []
        for _ in range(args.rounds):
            apertium.append(timed(["apertium", "-u", "eng-spa", str(src), str(Path(tmp) / "ap.txt")]))
            polydoc.append(timed(polydoc_cmd(src, Path(tmp) / "pd.txt")))
    ap, pd = statistics.median(apertium), statistics.median(polydoc)
    print(f"words: {words}")
    print(
        f"apertium eng-spa (CLI): {ap:.2f} s  {words / ap:,.0f} words/s  runs={[round(t, 2) for t in apertium]}"
    )
    print(
        f"polydoc translate:      {pd:.2f} s  {words / pd:,.0f} words/s  runs={[round(t, 2) for t in polydoc]}"
    )
    print(f"ratio (polydoc rate / apertium rate): {ap / pd:.2f}")


if __name__ == "__main__":
    main()
