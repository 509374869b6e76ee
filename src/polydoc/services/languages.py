"""The language listing shared by `GET /v1/languages` and `polydoc languages`.

Every pair listed is one `find_route` accepts (same pivot limit, same rule for variants of one
language), so the listing, an estimate and a run agree on what is offered and how it goes.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from polydoc.config import get_settings
from polydoc.engines import engine_names, find_route, get_engine, reachable_targets
from polydoc.errors import PolydocError
from polydoc.languages import display_name


@dataclass
class PairInfo:
    source: str
    target: str
    engine: str
    via: list[str] = field(default_factory=list)
    route: str = ""  # the label a run through it carries, e.g. "apertium (en→es→pt)"

    @property
    def quality(self) -> str:
        return "pivot" if self.via else "direct"


@dataclass
class Listing:
    languages: list[tuple[str, str]]
    pairs: list[PairInfo]
    engines: list[str]
    max_pivots: int = 1
    any_pair: set[str] = field(default_factory=set)  # engines that take any pair (LLMs)


def language_pairs() -> Listing:
    pairs: list[PairInfo] = []
    codes: set[str] = set()
    engines = engine_names()
    any_pair: set[str] = set()
    for name in engines:
        try:
            engine = get_engine(name)
        except PolydocError:
            continue
        if engine.any_pair:
            any_pair.add(name)
            pairs.append(PairInfo("*", "*", name, route=name))
            continue
        sources = {s for s, _ in engine.supported_pairs()}
        for source in sorted(sources):
            for target in sorted(reachable_targets(name, source)):
                route = find_route(name, source, target)
                pairs.append(PairInfo(source, target, name, route.via, route.label))
                codes.update((source, target))
    languages = sorted((c, display_name(c)) for c in codes)
    return Listing(languages, pairs, engines, get_settings().max_pivots, any_pair)
