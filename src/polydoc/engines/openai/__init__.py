"""Any OpenAI-compatible chat endpoint: the engine, its HTTP calls, prompts and reply checks."""

from polydoc.engines.openai.engine import OpenAIEngine, OpenAIProfile, load_profiles

__all__ = ["OpenAIEngine", "OpenAIProfile", "load_profiles"]
