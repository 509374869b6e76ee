"""Blob stores: a small interface (put/open/delete/exists) with a local-folder implementation.

Keys are always made by Polydoc (`files/<uuid>`, `runs/<uuid>/output.<ext>`), never taken
from user input.
"""

from __future__ import annotations

from functools import cache

from polydoc.config import get_settings
from polydoc.storage.base import BlobStore, InsufficientStorage, room_needed
from polydoc.storage.local import LocalBlobStore


@cache
def get_store(url: str | None = None) -> BlobStore:
    url = url or get_settings().resolved_storage_url
    if url.startswith("file://"):
        return LocalBlobStore(url.removeprefix("file://"))
    if url.startswith("s3://"):
        from polydoc.storage.s3 import S3BlobStore

        return S3BlobStore(url)
    raise ValueError(f"Unsupported POLYDOC_STORAGE_URL {url!r}")


__all__ = ["BlobStore", "InsufficientStorage", "LocalBlobStore", "get_store", "room_needed"]
