"""Routes between languages (direct, or through pivot languages) and batches sent along them.

A route is the shortest chain of an engine's installed pairs from source to target, through at most
POLYDOC_MAX_PIVOTS pivot languages, never through a pivot between variants of one language (en→en-US);
each hop's output feeds the next, and tokens add up over hops. `translate_batches` keeps the engine's `ahead`
batches inside it while the caller handles one.
"""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal

from polydoc.config import get_settings
from polydoc.engines import glossary, protect
from polydoc.engines.base import BatchContext, BatchResult, LangPair
from polydoc.engines.registry import get_engine
from polydoc.errors import UnsupportedLanguage
from polydoc.languages import base, display_name
from polydoc.quality import Finding
from polydoc.segments import TAG, protected_spans, strip_tags

_WORDS = re.compile(r"[^\W\d_]{2,}")  # words of two letters or more
MAX_PIVOTS = 4  # the most POLYDOC_MAX_PIVOTS allows; only to explain a refusal


@dataclass(frozen=True, slots=True)
class Route:
    engine_name: str
    hops: tuple[LangPair, ...]

    @property
    def languages(self) -> list[str]:
        return [self.hops[0].source] + [h.target for h in self.hops]

    @property
    def via(self) -> list[str]:
        """The pivot languages, in order (empty for a direct pair)."""
        return [h.target for h in self.hops[:-1]]

    @property
    def quality(self) -> Literal["direct", "pivot"]:
        return "pivot" if len(self.hops) > 1 else "direct"

    @property
    def label(self) -> str:
        return f"{self.engine_name} ({'→'.join(self.languages)})" if len(self.hops) > 1 else self.engine_name

    @property
    def warning(self) -> str | None:
        """What a run and its estimate say when the text goes through other languages."""
        if not self.via:
            return None
        names = " and ".join(display_name(c) for c in self.via)
        return (
            f"Translated through {names} ({'→'.join(self.languages)}): {self.engine_name} has no direct "
            f"{self.hops[0].source}→{self.hops[-1].target} pair, so quality may be lower than a direct translation"
        )


def _candidates(code: str) -> list[str]:
    return [code] if code == base(code) else [code, base(code)]


def _graph(engine_name: str) -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for s, t in get_engine(engine_name).supported_pairs():
        graph.setdefault(s, set()).add(t)
    return graph


def _limit(max_pivots: int | None) -> int:
    return get_settings().max_pivots if max_pivots is None else max_pivots


def same_language(source: str, target: str) -> bool:
    """en and en-US, pt and pt-BR, zh-Hans and zh-Hant: the same language in another region or script."""
    return base(source) == base(target)


def _direct(graph: dict[str, set[str]], source: str, target: str) -> bool:
    return any(target in graph.get(src, ()) for src in _candidates(source))


def find_route(engine_name: str, source: str, target: str, *, max_pivots: int | None = None) -> Route:
    """The shortest chain of installed pairs from source to target: direct, or through at most
    `max_pivots` pivot languages (default POLYDOC_MAX_PIVOTS). A variant of the source language
    (en→en-US) is only ever direct: through a pivot it would come back worse than it went in."""
    engine = get_engine(engine_name)
    if engine.any_pair:
        return Route(engine_name, (LangPair(source, target),))
    graph = _graph(engine_name)
    if same_language(source, target):
        for src in _candidates(source):
            if target in graph.get(src, ()):
                return Route(engine_name, (LangPair(src, target),))
        raise UnsupportedLanguage(_same_language_message(engine_name, source, target), code="same_language")
    limit = _limit(max_pivots)
    for src in _candidates(source):
        for tgt in _candidates(target):
            path = _bfs(graph, src, tgt, limit)
            if path:
                return Route(engine_name, tuple(LangPair(a, b) for a, b in zip(path, path[1:], strict=False)))
    targets = sorted(reachable_targets(engine_name, source, max_pivots=limit))
    hint = (
        f"; from {source} it can translate to: {', '.join(targets)}"
        if targets
        else (f"; it has no pairs from {source}")
    )
    longer = next(
        (p for s in _candidates(source) for t in _candidates(target) if (p := _bfs(graph, s, t, MAX_PIVOTS))),
        None,
    )
    if longer and len(longer) - 2 > limit:  # say why the route that exists is not taken
        pivots = len(longer) - 2
        hint += (
            f" (a route through {pivots} pivot language{'s' if pivots > 1 else ''} exists: "
            f"{'→'.join(longer)}; POLYDOC_MAX_PIVOTS is {limit})"
        )
    raise UnsupportedLanguage(f"The engine {engine_name} cannot translate {source} to {target}{hint}")


def _same_language_message(engine_name: str, source: str, target: str) -> str:
    return (
        f"{target} ({display_name(target)}) differs from the source language {source} only in region or "
        f"script, and {engine_name} has no direct {source}→{target} pair: Polydoc does not send a text "
        "through another language and back, which loses meaning. Choose another target language, or an "
        f"engine that translates {source}→{target} directly (an LLM engine)"
    )


def _bfs(graph: dict[str, set[str]], src: str, tgt: str, max_pivots: int) -> list[str] | None:
    """The shortest path src → … → tgt with at most `max_pivots` languages in between. Among
    equally short ones, through the languages with the most pairs (the engine's best-kept hubs,
    Spanish for Apertium), then alphabetically."""
    if src == tgt:
        return None
    queue: deque[list[str]] = deque([[src]])
    seen = {src}
    while queue:  # bounded: each language is queued at most once
        path = queue.popleft()
        if len(path) > max_pivots + 1:
            continue
        for nxt in sorted(graph.get(path[-1], ()), key=lambda n: (-len(graph.get(n, ())), n)):
            if nxt == tgt:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*path, nxt])
    return None


def reachable_targets(engine_name: str, source: str, *, max_pivots: int | None = None) -> set[str]:
    """Every target `find_route` accepts from `source` (same limit, same rule for variants)."""
    graph = _graph(engine_name)
    found: set[str] = set()
    for src in _candidates(source):
        frontier, seen = [src], {src}
        for _hop in range(_limit(max_pivots) + 1):
            frontier = [n for f in frontier for n in graph.get(f, ()) if n not in seen]
            seen.update(frontier)
            found.update(frontier)
    found.discard(source)
    return {t for t in found if not same_language(source, t) or _direct(graph, source, t)}


def translate_route(route: Route, texts: list[str], *, context: BatchContext | None = None) -> BatchResult:
    """Translate through every hop of the route; tokens add up over hops. URLs, addresses and ids
    travel as placeholders (`protect`); a translation that lost one keeps its source text."""
    engine = get_engine(route.engine_name)
    sources = list(texts)
    texts, kept = protect.protect(texts)
    tables: list[dict[int, str]] | None = None
    if context and context.glossary and not engine.handles_glossary:
        texts, tables = glossary.protect(texts, context.glossary)
    result = BatchResult(list(texts))
    failed: set[int] = set()
    for hop in route.hops:
        step = engine.translate_batch(hop, result.texts, context=context)
        result.texts = step.texts
        result.input_tokens += step.input_tokens
        result.output_tokens += step.output_tokens
        failed.update(step.failed)
        result.why.update(step.why)
    result.texts = [_capitals(out) if _in_capitals(src) else out for src, out in zip(sources, result.texts, strict=True)]
    if tables is not None:
        result.texts = glossary.restore(result.texts, tables)
    result.texts, broken = protect.restore(result.texts, kept)
    for i in broken:
        result.texts[i] = sources[i]
        result.why.setdefault(i, Finding("protected_changed", "a URL, address or id did not come back: source kept"))
    result.failed = sorted(failed.union(broken))
    return result


def _in_capitals(text: str) -> bool:
    """Two or more words, all in capitals ("MARRIED ONE INCOME 2 CHILDREN"): a label, not a code."""
    plain = strip_tags(text)
    for start, end in reversed(protected_spans(plain)):  # a URL or an id in it is not a word
        plain = plain[:start] + " " + plain[end:]
    words = _WORDS.findall(plain)
    return len(words) >= 2 and all(w.isupper() for w in words)


def _capitals(text: str) -> str:
    """The translation in capitals too, tags and placeholders left as they are."""
    pos, out = 0, []
    for tag in TAG.finditer(text):
        out += [text[pos : tag.start()].upper(), tag.group(0)]
        pos = tag.end()
    out.append(text[pos:].upper())
    return "".join(out)


def warm_route(route: Route) -> None:
    """Start every hop's engine in the background (Apertium loads its dictionaries in ~0.2 s)."""
    engine = get_engine(route.engine_name)

    def warm() -> None:
        for hop in route.hops:
            try:
                engine.warm(hop)
            except Exception:  # noqa: BLE001 - the first batch reports the same failure properly
                return

    threading.Thread(target=warm, name="engine-warm", daemon=True).start()


def translate_batches(
    route: Route, batches: Iterable[tuple[list[str], BatchContext | None]]
) -> Iterator[tuple[BatchResult, float]]:
    """(result, seconds the caller waited for it) per batch, in order, with the engine's `ahead`
    batches already inside it while the caller handles one; a caller that stops early abandons those."""
    ahead = get_engine(route.engine_name).ahead
    if ahead <= 0:
        for texts, context in batches:
            started = time.perf_counter()
            result = translate_route(route, texts, context=context)
            yield result, time.perf_counter() - started
        return
    pool = ThreadPoolExecutor(ahead + 1, thread_name_prefix="batches")
    pending: deque[Future[BatchResult]] = deque()
    try:
        for texts, context in batches:
            pending.append(pool.submit(translate_route, route, texts, context=context))
            if len(pending) > ahead:
                yield _waited_for(pending.popleft())
        while pending:
            yield _waited_for(pending.popleft())
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def _waited_for(future: Future[BatchResult]) -> tuple[BatchResult, float]:
    started = time.perf_counter()
    result = future.result()
    return result, time.perf_counter() - started
