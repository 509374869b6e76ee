"""The BlobStore interface."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path


class BlobStore(ABC):
    @abstractmethod
    def put_file(self, key: str, path: Path) -> None:
        """Store the file at `path` under `key` (replacing an existing blob atomically)."""

    @abstractmethod
    def get_file(self, key: str, dest: Path) -> None:
        """Copy the blob to a local file."""

    @abstractmethod
    def iter_bytes(self, key: str, chunk_size: int = 1 << 16) -> Iterator[bytes]:
        """Stream the blob."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Remove the blob; missing blobs are ignored."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...
