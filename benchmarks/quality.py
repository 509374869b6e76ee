"""What the quality checks add to a run: their time against the run's own, on the same document.

Starts `polydoc serve` (embedded default) on a free port with a fresh data folder, translates a TXT
of N unique prose paragraphs (the standard library's docstrings, `corpus.prose`) with Apertium,
reads the run's time (started → finished) and its segments back, then times the checks on those
same (source, translation) pairs in this process: as a run of Apertium does them, and as an LLM run
does them (language identification on every segment). Median of `--repeat` timings.
Usage: .venv/bin/python benchmarks/quality.py [--paragraphs 3000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _serve import demo_service  # noqa: E402

from corpus import prose  # noqa: E402
from polydoc import quality  # noqa: E402


def translated_run(paragraphs: list[str]) -> tuple[float, list[dict]]:
    """(run seconds, its segments) for one run of the paragraphs as a TXT file."""
    with demo_service() as client:
        data = "\n\n".join(paragraphs).encode()
        file_id = client.post("/v1/files", files={"data": ("prose.txt", data)}).json()["id"]
        run = client.post("/v1/runs", json={"input_file_id": file_id, "target_language": "es"}).json()
        for _ in range(6000):  # at most 10 minutes
            if run["status"] != "Running":
                break
            time.sleep(0.1)
            run = client.get(f"/v1/runs/{run['id']}").json()
        assert run["status"] == "Succeeded", run
        seconds = (
            datetime.fromisoformat(run["finished_at"]) - datetime.fromisoformat(run["started_at"])
        ).total_seconds()
        segments: list[dict] = []
        url: str | None = f"/v1/runs/{run['id']}/segments"
        params: dict | None = {"limit": 1000}
        while url:
            resp = client.get(url, params=params)
            segments += resp.json()
            url, params = resp.links.get("next", {}).get("url"), None
        return seconds, segments


def timed_checks(segments: list[dict], pair: quality.Pair, repeat: int) -> float:
    translations = {s["source"]: s["target"] for s in segments}
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        found = quality.check_translations(translations, pair)
        quality.summarise((s["source"] for s in segments), translations, found)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--paragraphs", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    paragraphs = prose(args.paragraphs)
    seconds, segments = translated_run(paragraphs)
    quality.check_translations(
        {"Warm the model up.": "Calentar el modelo."}, quality.Pair("en", "es", any_language=True)
    )
    apertium = timed_checks(segments, quality.Pair("en", "es"), args.repeat)
    llm = timed_checks(segments, quality.Pair("en", "es", any_language=True), args.repeat)
    flagged = sum(1 for s in segments if s["flags"])
    print(f"segments: {len(segments)}  flagged: {flagged}  run: {seconds:.2f} s")
    print(
        f"checks as an Apertium run does them: {apertium * 1000:.0f} ms = {100 * apertium / seconds:.1f} % of the run"
    )
    print(
        f"checks as an LLM run does them (language of every segment): {llm * 1000:.0f} ms = {100 * llm / seconds:.1f} % of this Apertium run"
    )


if __name__ == "__main__":
    main()
