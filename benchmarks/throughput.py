"""Words per second: `polydoc translate` against plain `apertium -u eng-spa` on the same large text.

Both run on this machine in the same invocation, alternating, so the ratio is fair on a shared,
noisy machine. The text is unique prose (`corpus.prose`: every paragraph once), so neither the
translation memory nor the CLI's in-document de-duplication has anything to find: the ratio is
the engine work against the engine work. `--dedup N` adds a second, separate figure on the same
paragraphs repeated N times, reported as "de-duplication" (Polydoc translates each paragraph once,
`apertium` every time): that is what de-duplication saves, not engine speed.
Usage: .venv/bin/python benchmarks/throughput.py [--paragraphs 9000] [--rounds 3] [--dedup 0]
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
from corpus import prose  # noqa: E402


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


def compare(src: Path, tmp: Path, rounds: int) -> tuple[int, list[float], list[float]]:
    words = len(src.read_text().split())
    apertium, polydoc = [], []
    for _ in range(rounds):
        apertium.append(timed(["apertium", "-u", "eng-spa", str(src), str(tmp / "ap.txt")]))
        polydoc.append(timed(polydoc_cmd(src, tmp / "pd.txt")))
    return words, apertium, polydoc


def show(label: str, words: int, apertium: list[float], polydoc: list[float]) -> None:
    ap, pd = statistics.median(apertium), statistics.median(polydoc)
    print(f"{label}: {words:,} words")
    print(f"  apertium -u eng-spa: {ap:.2f} s  {words / ap:,.0f} words/s  runs={[round(t, 2) for t in apertium]}")
    print(f"  polydoc translate:   {pd:.2f} s  {words / pd:,.0f} words/s  runs={[round(t, 2) for t in polydoc]}")
    print(f"  ratio (polydoc rate / apertium rate): {ap / pd:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=9000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--dedup", type=int, default=0, help="also time the text repeated N times")
    args = parser.parse_args()
    paragraphs = prose(args.paragraphs)
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "unique.txt"
        src.write_text("\n\n".join(paragraphs) + "\n")
        show("unique text", *compare(src, Path(tmp), args.rounds))
        if args.dedup > 1:
            # 1/N of the paragraphs, each N times: about the same words, N-fold repetition
            few = paragraphs[: max(1, len(paragraphs) // args.dedup)]
            src = Path(tmp) / "repeated.txt"
            src.write_text("\n\n".join(few * args.dedup) + "\n")
            show(f"de-duplication (each paragraph {args.dedup} times)", *compare(src, Path(tmp), args.rounds))


if __name__ == "__main__":
    main()
