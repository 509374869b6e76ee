"""Engines, sessions and the transaction scopes that own commits.

SQLite gets WAL, a busy timeout and `BEGIN IMMEDIATE` so the API and worker processes
queue for the write lock instead of failing with "database is locked"; `read_scope` is the
exception, for long reads that must not hold that lock. Celery messages
queued during a transaction are sent only after it commits (Polar's pattern).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from polydoc.config import get_settings

AFTER_COMMIT = "after_commit"
AFTER_ROLLBACK = "after_rollback"
_READ_ONLY = "polydoc_read_only"  # execution option: this transaction only reads
log = logging.getLogger("polydoc.db")


@cache
def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().resolved_database_url
    if url.startswith("sqlite"):
        Path(url.split("///", 1)[1]).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn: object, _record: object) -> None:
            dbapi_conn.isolation_level = None  # type: ignore[attr-defined]  # we emit BEGIN ourselves
            cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn: Connection) -> None:
            # a reader in WAL mode sees a snapshot and blocks no one: it must not take the write lock
            conn.exec_driver_sql(
                "BEGIN" if conn.get_execution_options().get(_READ_ONLY) else "BEGIN IMMEDIATE"
            )

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


@cache
def get_sessionmaker(url: str | None = None) -> sessionmaker[Session]:
    return sessionmaker(get_engine(url), expire_on_commit=False)


def after_commit(session: Session, fn: Callable[[], None]) -> None:
    """Run `fn` once the session's transaction commits (dropped on rollback)."""
    session.info.setdefault(AFTER_COMMIT, []).append(fn)


def after_rollback(session: Session, fn: Callable[[], None]) -> None:
    """Run `fn` if the session's transaction rolls back (dropped on commit): undo side effects
    made before the commit, such as a blob stored for a row that never came to exist."""
    session.info.setdefault(AFTER_ROLLBACK, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    session.info.pop(AFTER_ROLLBACK, None)
    # the transaction is already committed: a failing hook must neither skip the others nor turn
    # the committed work into an error for the caller (whose rollback would then fail too)
    for fn in session.info.pop(AFTER_COMMIT, []):
        try:
            fn()
        except Exception:
            log.exception("after-commit action %r failed", fn)


@event.listens_for(Session, "after_rollback")
def _drop_after_commit(session: Session) -> None:
    session.info.pop(AFTER_COMMIT, None)
    for fn in session.info.pop(AFTER_ROLLBACK, []):
        try:
            fn()
        except Exception:
            log.exception("after-rollback action %r failed", fn)


@contextmanager
def session_scope() -> Iterator[Session]:
    """A unit of work for tasks and CLI commands: commit on success, roll back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_scope() -> Iterator[Session]:
    """A unit of work that only reads, and may take long (a fuzzy search of a large memory).

    Under `session_scope` it would hold SQLite's write lock from its first statement, and every
    request, lease renewal and sweep would wait for it (a search over 10,000 near-identical
    segments held it past the 30 s busy timeout: the API answered 500s). Here it begins deferred
    and only reads a snapshot; nothing it does is committed."""
    session = get_sessionmaker()()
    try:
        session.connection(execution_options={_READ_ONLY: True})
        yield session
    finally:
        session.rollback()
        session.close()
