"""Translate a document on this machine without a server (`polydoc translate FILE --to es`).

Same format handlers and engines as the service; no database, no credits. The three steps
overlap: segments go to the engine as they are extracted, and the output is rebuilt in a thread
that takes each translation as it arrives (`StreamedTranslations`), so a large document costs
little more than the engine's own time.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from polydoc.engines import BatchContext, Route, find_route, get_engine, warm_route
from polydoc.errors import UnsupportedLanguage
from polydoc.formats import detect, handler_for
from polydoc.formats.base import Segment
from polydoc.languages import detect as detect_language
from polydoc.languages import normalise
from polydoc.pipeline.overlap import StreamedTranslations, send_batches, translate_while_rebuilding
from polydoc.segments import prose

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
    output: Path,
    source: str | None = None,
    engine: str = "apertium",
    progress: Callable[[int, int | None], None] | None = None,
) -> LocalResult:
    """Translate `src` into `target`, written to the file `output` (the CLI names it), which appears
    only when it is complete; `progress(done, total)` gets unique segments (total None while the
    document is still being read)."""
    handler = handler_for(detect(src, src.name))
    target = normalise(target)
    extracted = handler.extract(src)
    sample: list[Segment] = []
    if source:
        source = normalise(source)
    else:
        sample = list(itertools.islice(extracted, DETECTION_SAMPLE))
        source = detect_language(" ".join(prose(s.text) for s in sample))
        if source is None:
            raise UnsupportedLanguage("The source language could not be detected; pass --from")
    route = find_route(engine, source, target)
    warm_route(route)  # the engine starts while the document is read
    result = LocalResult(
        output=output, source_language=source, route=route.label, segments=0, unique_segments=0
    )
    partial = output.with_name(f".{output.stem}.partial{output.suffix}")  # never a half-written output
    segments = itertools.chain(sample, extracted)
    try:
        report = translate_while_rebuilding(
            lambda table: handler.rebuild(src, partial, table, target_language=target),
            lambda table, stop: _translate(segments, route, table, result, stop, progress, title=src.name),
        )
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, output)
    result.warnings.extend(report.warnings)
    return result


def _translate(
    segments: Iterator[Segment],
    route: Route,
    translations: StreamedTranslations,
    result: LocalResult,
    stop: Callable[[], bool],
    progress: Callable[[int, int | None], None] | None,
    *,
    title: str,
) -> None:
    """Feed the engine unique texts in batches as extraction finds them; hand on the answers."""
    batch_size = get_engine(route.engine_name).batch_size
    context = BatchContext(title=title)
    seen: set[str] = set()
    total: int | None = None

    def requests() -> Iterator[tuple[list[str], BatchContext]]:
        nonlocal total
        batch: list[str] = []
        for seg in segments:
            if stop():
                return  # the rebuild failed: its error is the one to report
            result.segments += 1
            translations.add_segment(seg.id, seg.text)
            if seg.text not in seen:
                seen.add(seg.text)
                batch.append(seg.text)
            if len(batch) == batch_size:
                yield batch, context
                batch = []
        total = len(seen)
        if batch:
            yield batch, context

    done = 0
    for batch, out, _seconds in send_batches(route, requests(), into=translations, stop=stop):
        result.input_tokens += out.input_tokens
        result.output_tokens += out.output_tokens
        done += len(batch)
        if progress:
            progress(done, total)
    result.unique_segments = len(seen)
