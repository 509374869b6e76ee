"""Fuzzy lookups in the translation memory at 1k, 10k and 100k entries (SQLite, one account).

Entries are sentences of 8–20 words from a 5,000-word synthetic vocabulary (Zipf-like); each query is
a stored sentence with one word replaced. Measures, per size: the time to store the entries (with
their index keys), the fuzzy lookup time per segment (batches of 100, as a run does), and recall
(share of queries whose own sentence is found). Run: `.venv/bin/python benchmarks/fuzzy.py`.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from polydoc.db.migrate import upgrade
from polydoc.db.models import Account
from polydoc.engines.memory import SegmentCache

RNG = random.Random(14)
SYLLABLES = ["ka", "lo", "mi", "ne", "ro", "ta", "su", "vi", "de", "pa", "re", "to", "an", "el", "is"]
WORDS = sorted({"".join(RNG.choice(SYLLABLES) for _ in range(RNG.randint(1, 4))) for _ in range(8000)})[:5000]
WEIGHTS = [1 / (i + 1) for i in range(len(WORDS))]


def sentence() -> str:
    words = RNG.choices(WORDS, WEIGHTS, k=RNG.randint(8, 20))
    return " ".join(words).capitalize() + "."


def one_word_changed(text: str) -> str:
    words = text.rstrip(".").split()
    words[RNG.randrange(len(words))] = RNG.choice(WORDS)
    return " ".join(words) + "."


def measure(size: int, queries: int = 300) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'bench.sqlite'}"
        upgrade(url)
        engine = create_engine(url)
        with Session(engine) as s:
            account = Account(name="bench")
            s.add(account)
            s.commit()
            memory = SegmentCache(account.id if account.id else uuid.uuid4(), "apertium", "en", "es")
        stored = list(dict.fromkeys(sentence() for _ in range(size)))
        start = time.perf_counter()
        for i in range(0, len(stored), 1000):
            with Session(engine) as s:
                memory.store(s, [(t, t.upper()) for t in stored[i : i + 1000]])
                s.commit()
        store_s = time.perf_counter() - start
        picks = RNG.sample(stored, min(queries, len(stored)))
        asked = {one_word_changed(p): p for p in picks}
        start = time.perf_counter()
        found = {}
        texts = list(asked)
        for i in range(0, len(texts), 100):
            with Session(engine) as s:
                found.update(memory.fuzzy(s, texts[i : i + 100], 0.75))
        per_segment_ms = (time.perf_counter() - start) / len(texts) * 1000
        recall = sum(1 for q, p in asked.items() if q in found and found[q].source == p) / len(asked)
        engine.dispose()
        return {"entries": len(stored), "store_s": store_s, "lookup_ms": per_segment_ms, "recall": recall}


def main() -> None:
    sizes = [int(a) for a in sys.argv[1:]] or [1_000, 10_000, 100_000]
    print("| entries | store (s) | fuzzy lookup per segment (ms) | recall |")
    print("|---:|---:|---:|---:|")
    for size in sizes:
        r = measure(size)
        print(
            f"| {r['entries']:,} | {r['store_s']:.1f} | {r['lookup_ms']:.2f} | {r['recall']:.3f} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
