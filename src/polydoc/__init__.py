"""Polydoc: self-hosted document translation."""

__version__ = "0.1.0"
