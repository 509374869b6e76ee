"""Translation engines: the contract, the registry (one instance per process) and routing (pivots).

`get_engine(name)` builds an engine on first use; `find_route(engine, source, target)` finds a
direct pair or a chain through pivot languages; `translate_batches` sends batches along a route.
"""

from __future__ import annotations

from polydoc.engines.base import BatchContext, BatchResult, Engine, LangPair
from polydoc.engines.registry import close_all, engine_names, get_engine, register_engine
from polydoc.engines.routing import (
    Route,
    find_route,
    reachable_targets,
    translate_batches,
    translate_route,
    warm_route,
)

__all__ = [
    "BatchContext",
    "BatchResult",
    "Engine",
    "LangPair",
    "Route",
    "close_all",
    "engine_names",
    "find_route",
    "get_engine",
    "reachable_targets",
    "register_engine",
    "translate_batches",
    "translate_route",
    "warm_route",
]
