"""The language listing shared by `GET /v1/languages` and `polydoc languages`."""

from __future__ import annotations

from dataclasses import dataclass, field

from polydoc.engines import engine_names, find_route, get_engine, reachable_targets
from polydoc.errors import PolydocError
from polydoc.languages import display_name


@dataclass
class PairInfo:
    source: str
    target: str
    engine: str
    via: list[str] = field(default_factory=list)


@dataclass
class Listing:
    languages: list[tuple[str, str]]
    pairs: list[PairInfo]
    engines: list[str]


def language_pairs() -> Listing:
    pairs: list[PairInfo] = []
    codes: set[str] = set()
    engines = engine_names()
    for name in engines:
        try:
            engine = get_engine(name)
        except PolydocError:
            continue
        if engine.any_pair:
            pairs.append(PairInfo("*", "*", name))
            continue
        sources = {s for s, _ in engine.supported_pairs()}
        for source in sorted(sources):
            for target in sorted(reachable_targets(name, source)):
                route = find_route(name, source, target)
                via = [h.target for h in route.hops[:-1]]
                pairs.append(PairInfo(source, target, name, via))
                codes.update((source, target))
    return Listing(sorted((c, display_name(c)) for c in codes), pairs, engines)
