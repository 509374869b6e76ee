"""The BlobStore interface."""

from __future__ import annotations

import errno
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from polydoc.errors import PolydocError

_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class InsufficientStorage(PolydocError):
    """A disk (the temporary folder, the blob folder) is full: nothing was stored or held."""

    code = "insufficient_storage"
    http_status = 507
    default_message = "The server has no room to store this file now; nothing was kept. Try again later"


@contextmanager
def room_needed(what: str) -> Iterator[None]:
    """Turn a full disk while writing `what` into InsufficientStorage (507), not a 500."""
    try:
        yield
    except OSError as exc:
        if exc.errno in _FULL:
            raise InsufficientStorage(
                f"The server has no room to store {what} now; nothing was kept. Try again later"
            ) from exc
        raise


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
