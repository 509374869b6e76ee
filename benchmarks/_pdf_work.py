"""One measurement for `pdf_fidelity.py`, in a process of its own.

    python benchmarks/_pdf_work.py SRC.pdf OUT.pdf RESULT.json

Extracts SRC with whichever `polydoc` is first on PYTHONPATH (the working tree or the baseline
worktree), translates every segment with `pseudo_spanish`, rebuilds into OUT and writes the
segments, the timings and the warnings to RESULT. It imports nothing of the benchmark's own, so
its peak memory is the handler's (plus the interpreter's).
"""

from __future__ import annotations

import json
import re
import resource
import sys
import time
import traceback
from pathlib import Path

TAG = re.compile(r"<(/?)g(\d+)>|<x(\d+)/>")
_WORD = re.compile(r"[A-Za-z]{3,}")
MARK = "á"  # ends every translated word; never in a source text


def _word(m: re.Match[str]) -> str:
    word = m.group(0)
    return word + MARK + ("s" if len(word) >= 6 else "")


def pseudo_spanish(text: str) -> str:
    """A deterministic stand-in for English → Spanish: every word of 3+ letters gains "á" (and
    "s" from 6 letters), about 20 % more characters, as real Spanish has; tags are kept.
    (tests/fakes.py `mark_words` doubles every word's width, which would force every paragraph
    to shrink and say nothing about shrinking only what overflows.)"""
    out, pos = [], 0
    for m in TAG.finditer(text):
        out += [_WORD.sub(_word, text[pos : m.start()]), m.group(0)]
        pos = m.end()
    out.append(_WORD.sub(_word, text[pos:]))
    return "".join(out)


def work(src: Path, dst: Path) -> dict:
    import polydoc
    from polydoc.formats import handler_for

    handler = handler_for("pdf")
    started = time.perf_counter()
    segments = [(seg.id, seg.text) for seg in handler.extract(src)]
    extracted = time.perf_counter()
    translations = {sid: pseudo_spanish(text) for sid, text in segments}
    report = handler.rebuild(src, dst, translations, target_language="es")
    rebuilt = time.perf_counter()
    return {
        "polydoc": polydoc.__file__,
        "segments": segments,
        "extract_s": extracted - started,
        "rebuild_s": rebuilt - extracted,
        "warnings": list(getattr(report, "warnings", [])),
        "peak_mb": peak_mb(),
    }


def peak_mb() -> float:
    """This process's own high-water RSS (VmHWM). Not `ru_maxrss`: Linux carries the high-water
    mark of the mm a process had before exec into it, so a child forked from a 90 MB parent
    reports at least 90 MB whatever it does itself (the benchmark's parent holds pdfminer and
    the documents). OCR subprocesses, if the handler starts any, are not included."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    src, dst, result = (Path(a) for a in sys.argv[1:4])
    try:
        out = work(src, dst)
    except Exception as exc:  # the handler refusing a document is a result, not a crash
        out = {"error": f"{type(exc).__name__}: {exc}"[:300], "trace": traceback.format_exc()[-2000:]}
    result.write_text(json.dumps(out))


if __name__ == "__main__":
    main()
