"""The HTTP API (`/v1`), its web page and health check."""

from polydoc.api.app import create_app

__all__ = ["create_app"]
