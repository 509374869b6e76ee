"""The openai engine's parallel efficiency, tokens per page, and what a segment cache saves.

A FakeLLMPeer (tests/llm_peer.py, in its own process, as a real server would be) answers every
request after a fixed latency; the engine runs at
concurrency 16 over a generated 100-page English document (~180,000 characters), fed to
translate_batch in batches of `engine.batch_size` as the pipeline does. The peer's Apertium work is
done in an untimed warm-up pass (the peer memoises it), so the timed passes measure the engine
against the latency alone. Usage: .venv/bin/python benchmarks/llm_bench.py [--latency 0.2] [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from tests.llm_peer import MODEL  # noqa: E402

from corpus import sentences  # noqa: E402
from polydoc.engines.base import BatchContext, LangPair  # noqa: E402
from polydoc.engines.openai.engine import OpenAIEngine, OpenAIProfile  # noqa: E402

EN_ES = LangPair("en", "es")
PAGE_CHARS = 1800
BOILERPLATE = [
    "Acme Corporation annual report for the shareholders",
    "This document is confidential and must not be shared without written permission.",
    "The figures on this page are estimates and may change before the final report.",
]


def document(pages: int, seed: int = 11) -> list[str]:
    """Segments of about `pages` × 1,800 characters: headings, paragraphs of one to three sentences
    (some with a bold span or a placeholder) and list items."""
    rnd = random.Random(seed)
    pool = iter(sentences(pages * 20, seed))
    segments: list[str] = []
    while sum(map(len, segments)) < pages * PAGE_CHARS:
        kind = rnd.random()
        if kind < 0.1:
            segments.append(f"Chapter {len(segments)}: {next(pool).split(' and ')[0]}")
        elif kind < 0.3:
            segments.append(next(pool).split(" and ")[0] + ".")
        else:
            para = " ".join(next(pool) for _ in range(rnd.randint(1, 3)))
            if rnd.random() < 0.3:
                words = para.split(" ")
                para = " ".join(["<g1>" + words[0], words[1] + "</g1>", *words[2:]])
            if rnd.random() < 0.1:
                para += " See {reference} for details."
            segments.append(para)
    return segments


def with_boilerplate(segments: list[str]) -> list[str]:
    """The same document with a header, a footer and a disclaimer on every page."""
    out: list[str] = []
    page = 0
    for seg in segments:
        if sum(map(len, out)) >= page * PAGE_CHARS:
            out.extend(BOILERPLATE)
            page += 1
        out.append(seg)
    return out


def translate(engine: OpenAIEngine, texts: list[str]) -> tuple[int, int, int]:
    """Translate in batches as the pipeline does; (input tokens, output tokens, failed segments)."""
    tokens_in = tokens_out = failed = 0
    for start in range(0, len(texts), engine.batch_size):
        context = BatchContext(title="Benchmark", before=tuple(texts[max(0, start - 3) : start]))
        result = engine.translate_batch(EN_ES, texts[start : start + engine.batch_size], context=context)
        tokens_in += result.input_tokens
        tokens_out += result.output_tokens
        failed += len(result.failed)
    return tokens_in, tokens_out, failed


class PeerProcess:
    """`python -m tests.llm_peer` in a child process, steered through its control endpoints."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.llm_peer"], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        assert self.proc.stdout is not None
        self.url = self.proc.stdout.readline().strip()
        self.root = self.url.removesuffix("/v1")

    def reset(self, **behaviour: float) -> None:
        httpx.post(f"{self.root}/_peer/reset", json=behaviour).raise_for_status()

    def stats(self) -> dict[str, Any]:
        return httpx.get(f"{self.root}/_peer/stats").json()

    def close(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=100)
    parser.add_argument("--latency", type=float, default=0.2)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    doc = document(args.pages)
    chars = sum(map(len, doc))
    peer = PeerProcess()
    try:
        engine = OpenAIEngine(OpenAIProfile(base_url=peer.url, model=MODEL, max_concurrency=args.concurrency))
        start = time.perf_counter()
        translate(engine, doc)
        cold = time.perf_counter() - start

        walls: list[float] = []
        for _ in range(args.rounds):
            peer.reset(latency=args.latency)
            start = time.perf_counter()
            tokens_in, tokens_out, failed = translate(engine, doc)
            walls.append(time.perf_counter() - start)
        stats = peer.stats()
        requests = stats["requests"]
        assert (tokens_in, tokens_out) == (stats["prompt_tokens"], stats["completion_tokens"]), stats
        wall = statistics.median(walls)
        ideal = requests * args.latency / args.concurrency

        repeated = with_boilerplate(doc)
        unique = list(dict.fromkeys(repeated))
        peer.reset()
        all_in, all_out, _ = translate(engine, repeated)
        uniq_in, uniq_out, _ = translate(engine, unique)
        engine.close()
    finally:
        peer.close()

    pages = chars / PAGE_CHARS
    print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at the end")
    print(f"document: {len(doc)} segments, {chars:,} characters = {pages:.0f} pages")
    print(f"peer: max requests in flight {stats['max_in_flight']}")
    print(f"engine: max_concurrency={args.concurrency}, max_segments=20, batch_size={engine.batch_size}")
    print(f"cold pass (peer runs Apertium, no latency): {cold:.2f} s")
    print(f"requests per pass: {requests}, failed segments: {failed}")
    print(
        f"wall time at {args.latency * 1000:.0f} ms latency: median {wall:.3f} s of {[round(w, 3) for w in walls]}"
    )
    print(f"ideal (requests x latency / concurrency): {ideal:.3f} s")
    print(
        f"efficiency (ideal / wall): median {ideal / wall:.2f}, best {ideal / min(walls):.2f} (target >= 0.85)"
    )
    print(f"tokens: {tokens_in:,} in + {tokens_out:,} out = {(tokens_in + tokens_out) / pages:,.0f} per page")
    print(
        f"boilerplate document: {len(repeated)} segments, {len(unique)} unique "
        f"({1 - len(unique) / len(repeated):.1%} of segments repeat); tokens all {all_in + all_out:,} "
        f"vs unique only {uniq_in + uniq_out:,}: a segment cache saves {1 - (uniq_in + uniq_out) / (all_in + all_out):.1%}"
    )


if __name__ == "__main__":
    main()
