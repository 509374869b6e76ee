"""Routes between languages (direct, or through pivot languages) and batches sent along them.

A route is the shortest chain of an engine's installed pairs from source to target; each hop's
output feeds the next, and tokens add up over hops. `translate_batches` keeps the engine's `ahead`
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

from polydoc.engines import glossary, protect
from polydoc.engines.base import BatchContext, BatchResult, LangPair
from polydoc.engines.registry import get_engine
from polydoc.errors import UnsupportedLanguage
from polydoc.languages import base
from polydoc.segments import TAG, protected_spans, strip_tags

_WORDS = re.compile(r"[^\W\d_]{2,}")  # words of two letters or more


@dataclass(frozen=True, slots=True)
class Route:
    engine_name: str
    hops: tuple[LangPair, ...]

    @property
    def label(self) -> str:
        langs = [self.hops[0].source] + [h.target for h in self.hops]
        return f"{self.engine_name} ({'→'.join(langs)})" if len(self.hops) > 1 else self.engine_name


def _candidates(code: str) -> list[str]:
    return [code] if code == base(code) else [code, base(code)]


def find_route(engine_name: str, source: str, target: str) -> Route:
    """The shortest chain of installed pairs from source to target (direct, or via pivots)."""
    engine = get_engine(engine_name)
    if engine.any_pair:
        return Route(engine_name, (LangPair(source, target),))
    pairs = engine.supported_pairs()
    graph: dict[str, set[str]] = {}
    for s, t in pairs:
        graph.setdefault(s, set()).add(t)
    for src in _candidates(source):
        for tgt in _candidates(target):
            path = _bfs(graph, src, tgt)
            if path:
                return Route(engine_name, tuple(LangPair(a, b) for a, b in zip(path, path[1:], strict=False)))
    targets = sorted(reachable_targets(engine_name, source))
    hint = (
        f"; from {source} it can translate to: {', '.join(targets)}"
        if targets
        else (f"; it has no pairs from {source}")
    )
    raise UnsupportedLanguage(f"The engine {engine_name} cannot translate {source} to {target}{hint}")


def _bfs(graph: dict[str, set[str]], src: str, tgt: str, max_hops: int = 3) -> list[str] | None:
    if src == tgt:
        return None
    queue: deque[list[str]] = deque([[src]])
    seen = {src}
    while queue:
        path = queue.popleft()
        if len(path) > max_hops:
            continue
        for nxt in sorted(graph.get(path[-1], ())):
            if nxt == tgt:
                return [*path, nxt]
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*path, nxt])
    return None


def reachable_targets(engine_name: str, source: str) -> set[str]:
    engine = get_engine(engine_name)
    graph: dict[str, set[str]] = {}
    for s, t in engine.supported_pairs():
        graph.setdefault(s, set()).add(t)
    found: set[str] = set()
    for src in _candidates(source):
        frontier, seen = [src], {src}
        for _hop in range(3):
            frontier = [n for f in frontier for n in graph.get(f, ()) if n not in seen]
            seen.update(frontier)
            found.update(frontier)
    found.discard(source)
    return found


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
    result.texts = [_capitals(out) if _in_capitals(src) else out for src, out in zip(sources, result.texts, strict=True)]
    if tables is not None:
        result.texts = glossary.restore(result.texts, tables)
    result.texts, broken = protect.restore(result.texts, kept)
    for i in broken:
        result.texts[i] = sources[i]
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
