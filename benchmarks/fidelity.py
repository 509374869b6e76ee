"""Fidelity against Apertium's own document mode (`apertium -f docx|pptx|xlsx|odt eng-spa`).

For each document built by the tests' builders, both tools translate it to Spanish; the output is read
back with Polydoc's own handler for that format and compared with the source segment by segment:
* untranslated share: source segments (3+ words) whose text comes back unchanged, over all such segments;
* spans preserved: inline formatting spans (`<gN>` tags) in the output over those in the source.
Then both translate a large DOCX, timed. Usage: .venv/bin/python benchmarks/fidelity.py
"""

from __future__ import annotations

import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
from tests.builders import docx, odf, pptx, xlsx  # noqa: E402
from throughput import timed  # noqa: E402

from polydoc.formats import handler_for  # noqa: E402
from polydoc.formats._tags import TAG, strip_tags  # noqa: E402

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


def main() -> None:
    print("| format | tool | untranslated share | spans preserved |")
    print("|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for fmt, build in CASES:
            src = build(folder)
            ours, theirs = folder / f"ours.{fmt}", folder / f"apertium.{fmt}"
            timed(
                [
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
                    str(ours),
                ]
            )
            try:
                timed(["apertium", "-f", fmt, "eng-spa", str(src), str(theirs)])
                a_left, a_spans = measure(fmt, src, theirs)
                apertium_row = f"{a_left:.2f} | {a_spans:.2f}"
            except Exception as exc:  # Apertium's document mode fails on some files
                apertium_row = f"failed ({type(exc).__name__}) | –"
            p_left, p_spans = measure(fmt, src, ours)
            print(f"| {fmt} | polydoc | {p_left:.2f} | {p_spans:.2f} |")
            print(f"| {fmt} | apertium -f {fmt} | {apertium_row} |")
        big = docx.build_long_docx(folder, 3000)
        t_ours = timed(
            [
                sys.executable,
                "-m",
                "polydoc",
                "translate",
                str(big),
                "--to",
                "es",
                "--from",
                "en",
                "-o",
                str(folder / "big.ours.docx"),
            ]
        )
        t_theirs = timed(["apertium", "-f", "docx", "eng-spa", str(big), str(folder / "big.ap.docx")])
        print(
            f"\nlarge DOCX (3,000 paragraphs): polydoc {t_ours:.1f} s, apertium -f docx {t_theirs:.1f} s, "
            f"ratio {t_theirs / t_ours:.2f}× in Polydoc's favour"
        )


if __name__ == "__main__":
    main()
