"""Shared fixtures (helpers live in tests/helpers.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import Service, start_serve


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """`polydoc serve` exactly as a user starts it (API, worker and beat in one command)."""
    svc = start_serve(tmp_path_factory.mktemp("serve"))
    key_file = svc.data_dir / "demo_api_key"
    deadline = time.monotonic() + 10
    while not key_file.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    svc.key = key_file.read_text().strip()
    yield svc
    svc.stop()


@pytest.fixture
def local_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Settings, database and blob store of this process pointed at a fresh data folder."""
    from polydoc.config import get_settings
    from polydoc.db import session as db_session
    from polydoc.db.migrate import upgrade
    from polydoc.storage import get_store

    monkeypatch.setenv("POLYDOC_DATA_DIR", str(tmp_path))
    for fn in (get_settings, db_session.get_engine, db_session.get_sessionmaker, get_store):
        fn.cache_clear()
    upgrade()
    yield tmp_path
    db_session.get_engine().dispose()
    for fn in (get_settings, db_session.get_engine, db_session.get_sessionmaker, get_store):
        fn.cache_clear()
