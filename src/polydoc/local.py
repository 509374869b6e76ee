"""Translate a document on this machine without a server (`polydoc translate FILE --to es`).

Same format handlers and engines as the service; no database, no credits.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from polydoc.engines import BatchContext, find_route, get_engine, translate_route
from polydoc.errors import UnsupportedLanguage
from polydoc.formats import detect, handler_for
from polydoc.formats._tags import strip_tags
from polydoc.languages import detect as detect_language
from polydoc.languages import normalise


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
    progress: Callable[[int, int], None] | None = None,
) -> LocalResult:
    fmt = detect(src, src.name)
    handler = handler_for(fmt)
    segments = list(handler.extract(src))
    target = normalise(target)
    if source:
        source = normalise(source)
    else:
        source = detect_language(" ".join(strip_tags(s.text) for s in segments[:200]))
        if source is None:
            raise UnsupportedLanguage("The source language could not be detected; pass --from")
    route = find_route(engine, source, target)
    unique = list(dict.fromkeys(s.text for s in segments))
    batch_size = get_engine(route.engine_name).batch_size
    done: dict[str, str] = {}
    result = LocalResult(
        output=output or src.with_name(f"{src.stem}.{target}{src.suffix}"),
        source_language=source,
        route=route.label,
        segments=len(segments),
        unique_segments=len(unique),
    )
    for start in range(0, len(unique), batch_size):
        batch = unique[start : start + batch_size]
        out = translate_route(route, batch, context=BatchContext(title=src.name))
        done.update(zip(batch, out.texts, strict=True))
        result.input_tokens += out.input_tokens
        result.output_tokens += out.output_tokens
        if progress:
            progress(min(start + batch_size, len(unique)), len(unique))
    report = handler.rebuild(
        src, result.output, {s.id: done[s.text] for s in segments}, target_language=target
    )
    if report:
        result.warnings.extend(report.warnings)
    return result
