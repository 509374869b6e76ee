"""Celery app, the run task and the periodic sweeps.

Tasks take ids only and read the state again (STYLE §2.9). The embedded default uses kombu's
SQLAlchemy transport on a SQLite file; its polling interval cannot be passed through
`broker_transport_options` (those go to create_engine), so a subclass sets it.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid

from celery import Celery, signals
from kombu.transport import TRANSPORT_ALIASES
from kombu.transport.sqlalchemy import Transport as SQLAlchemyTransport

from polydoc.config import get_settings

log = logging.getLogger("polydoc.worker")


class FastPollingSQLTransport(SQLAlchemyTransport):
    """kombu's SQLAlchemy transport polling every 50 ms instead of every second."""

    polling_interval = get_settings().broker_poll_interval


TRANSPORT_ALIASES["polydoc-sqla"] = "polydoc.worker:FastPollingSQLTransport"


def _broker_url() -> str:
    url = get_settings().resolved_broker_url
    if url.startswith("sqla+sqlite"):
        from polydoc.db.session import get_engine  # noqa: F401 - ensures the data folder exists

        path = url.split("///", 1)[1]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _enable_wal(path)
        return "polydoc-sqla+" + url.removeprefix("sqla+")
    return url


def _enable_wal(path: str) -> None:
    """WAL is a property of the file: set once, every later connection (kombu's too) uses it."""
    import sqlite3

    conn = sqlite3.connect(path, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def make_celery() -> Celery:
    settings = get_settings()
    app = Celery("polydoc", broker=_broker_url(), include=["polydoc.worker"])
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_concurrency=settings.worker_concurrency,
        beat_schedule={
            "sweep-runs": {"task": "polydoc.sweep_runs", "schedule": settings.sweep_interval_seconds},
            "purge-files": {"task": "polydoc.purge_files", "schedule": settings.purge_interval_seconds},
        },
    )
    return app


celery_app = make_celery()


@celery_app.task(name="polydoc.execute_run", acks_late=True, reject_on_worker_lost=True)
def execute_run(*, run_id: str) -> None:
    from polydoc import pipeline
    from polydoc.db.session import session_scope
    from polydoc.services import runs as runs_service

    rid = uuid.UUID(run_id)
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with session_scope() as s:
        if not runs_service.claim(s, run_id=rid, token=token):
            return  # already done, taken, or cancelled: nothing to do
    pipeline.execute(rid, token)


@celery_app.task(name="polydoc.sweep_runs")
def sweep_runs() -> int:
    from polydoc.db.session import session_scope
    from polydoc.services import runs as runs_service

    with session_scope() as s:
        return len(runs_service.sweep(s))


@celery_app.task(name="polydoc.purge_files")
def purge_files() -> int:
    from polydoc.db.session import session_scope
    from polydoc.services import files as files_service

    with session_scope() as s:
        return files_service.purge_expired(s)


@signals.worker_ready.connect
def _sweep_on_start(**_kwargs: object) -> None:
    """A restarted worker picks up runs its predecessor left, without waiting for beat."""
    try:
        sweep_runs()
    except Exception:  # the periodic sweep will try again
        log.exception("start-up sweep failed")


@signals.worker_shutdown.connect
def _close_engines(**_kwargs: object) -> None:
    from polydoc.engines import close_all

    close_all()
