"""One engine instance per process, built by name on first use.

Engine names: "apertium", "pseudo" (pseudo-localisation), "openai" (the default LLM profile),
"openai:<profile>". Each engine is imported only when it is first asked for, so a process that never
uses an LLM never imports httpx.
"""

from __future__ import annotations

import threading

from polydoc.config import get_settings
from polydoc.engines.base import Engine
from polydoc.errors import BadRequest

_instances: dict[str, Engine] = {}
_lock = threading.Lock()


def engine_names() -> list[str]:
    names = ["apertium", "pseudo"]
    try:
        from polydoc.engines.openai.engine import load_profiles

        profiles = load_profiles(get_settings())
    except ImportError:
        profiles = {}
    for profile, cfg in profiles.items():
        if getattr(cfg, "base_url", ""):
            names.append("openai" if profile == "default" else f"openai:{profile}")
    return names


def _build(name: str) -> Engine:
    if name == "apertium":
        from polydoc.engines.apertium.engine import ApertiumEngine

        return ApertiumEngine()
    if name == "pseudo":
        from polydoc.engines.pseudo import PseudoEngine

        return PseudoEngine()
    if name == "openai" or name.startswith("openai:"):
        from polydoc.engines.openai.engine import OpenAIEngine, load_profiles

        profile = name.partition(":")[2] or "default"
        profiles = load_profiles(get_settings())
        if profile not in profiles or not profiles[profile].base_url:
            raise BadRequest(f"The engine {name!r} is not configured on this server", code="unknown_engine")
        return OpenAIEngine(profiles[profile])
    raise BadRequest(
        f"Unknown engine {name!r}; available: {', '.join(engine_names())}", code="unknown_engine"
    )


def get_engine(name: str) -> Engine:
    with _lock:
        if name not in _instances:
            _instances[name] = _build(name)
        return _instances[name]


def register_engine(name: str, engine: Engine) -> None:
    """Install an engine instance under a name (tests and embedding applications)."""
    with _lock:
        _instances[name] = engine


def close_all() -> None:
    with _lock:
        for engine in _instances.values():
            engine.close()
        _instances.clear()
