"""Apertium: warm null-flush pipelines (`_pipe`), Apertium's stream format (`_stream`), the engine."""

from polydoc.engines.apertium.engine import ApertiumEngine

__all__ = ["ApertiumEngine"]
