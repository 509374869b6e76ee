"""Translate a document on this machine without a server (`polydoc translate FILE --to es`).

Same format handlers and engines as the service; no database, no credits. The three steps
overlap: segments go to the engine as they are extracted, and the output is rebuilt in a thread
that takes each translation as it arrives (`StreamedTranslations`), so a large document costs
little more than the engine's own time.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from polydoc.engines import BatchContext, Route, find_route, get_engine, translate_batches, warm_route
from polydoc.errors import UnsupportedLanguage
from polydoc.formats import detect, handler_for
from polydoc.segments import strip_tags
from polydoc.formats.base import RebuildReport, Segment
from polydoc.languages import detect as detect_language
from polydoc.languages import normalise
from polydoc.cli.paths import output_path
from polydoc.pipeline.overlap import StreamedTranslations

DETECTION_SAMPLE = 200  # segments read before the source language is guessed


@dataclass
class LocalResult:
    output: Path
    source_language: str
    route: str
    segments: int
    unique_segments: int
    input_tokens: int = 0
    output_tokens: int = 0
    warnings: list[str] = field(default_factory=list)


def translate_file(
    src: Path,
    *,
    target: str,
    source: str | None = None,
    output: Path | None = None,
    engine: str = "apertium",
    progress: Callable[[int, int | None], None] | None = None,
) -> LocalResult:
    """Translate `src` into `target`; `progress(done, total)` gets unique segments (total None
    while the document is still being read). The output appears only when it is complete."""
    handler = handler_for(detect(src, src.name))
    target = normalise(target)
    extracted = handler.extract(src)
    sample: list[Segment] = []
    if source:
        source = normalise(source)
    else:
        sample = list(itertools.islice(extracted, DETECTION_SAMPLE))
        source = detect_language(" ".join(strip_tags(s.text) for s in sample))
        if source is None:
            raise UnsupportedLanguage("The source language could not be detected; pass --from")
    route = find_route(engine, source, target)
    warm_route(route)  # the engine starts while the document is read
    dst = output_path(src, target, output, many=False)
    result = LocalResult(output=dst, source_language=source, route=route.label, segments=0, unique_segments=0)
    partial = dst.with_name(f".{dst.stem}.partial{dst.suffix}")  # never a half-written output
    translations = StreamedTranslations()
    segments = itertools.chain(sample, extracted)
    try:
        with ThreadPoolExecutor(1, thread_name_prefix="rebuild") as pool:
            rebuilt = pool.submit(handler.rebuild, src, partial, translations, target_language=target)
            try:
                _translate(segments, route, translations, result, rebuilt, progress, title=src.name)
                translations.complete()
            except BaseException:
                translations.abandon()  # the rebuild stops at its next lookup
                raise
        report = rebuilt.result()  # the thread has ended: its file is complete or left alone
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, dst)
    result.warnings.extend(report.warnings)
    return result


def _translate(
    segments: Iterator[Segment],
    route: Route,
    translations: StreamedTranslations,
    result: LocalResult,
    rebuilt: Future[RebuildReport],
    progress: Callable[[int, int | None], None] | None,
    *,
    title: str,
) -> None:
    """Feed the engine unique texts in batches as extraction finds them; hand on the answers."""
    batch_size = get_engine(route.engine_name).batch_size
    context = BatchContext(title=title)
    seen: set[str] = set()
    sent: deque[list[str]] = deque()  # batches inside translate_batches, oldest first
    total: int | None = None

    def requests() -> Iterator[tuple[list[str], BatchContext]]:
        nonlocal total
        batch: list[str] = []
        for seg in segments:
            if rebuilt.done() and rebuilt.exception() is not None:
                return  # the rebuild failed: its error is the one to report
            result.segments += 1
            translations.add_segment(seg.id, seg.text)
            if seg.text not in seen:
                seen.add(seg.text)
                batch.append(seg.text)
            if len(batch) == batch_size:
                sent.append(batch)
                yield batch, context
                batch = []
        total = len(seen)
        if batch:
            sent.append(batch)
            yield batch, context

    done = 0
    for out, _seconds in translate_batches(route, requests()):
        batch = sent.popleft()
        translations.add_translations(zip(batch, out.texts, strict=True))
        result.input_tokens += out.input_tokens
        result.output_tokens += out.output_tokens
        done += len(batch)
        if progress:
            progress(done, total)
    result.unique_segments = len(seen)
