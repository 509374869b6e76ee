"""Celery app, the run task and the periodic sweeps.

Tasks take ids only and read the state again (STYLE §2.9). The embedded default uses kombu's
SQLAlchemy transport on a SQLite file; its polling interval cannot be passed through
`broker_transport_options` (those go to create_engine), so a subclass sets it.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
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
        # no beat schedule: every worker ticks itself and periodic slots elect one per period
    )
    return app


celery_app = make_celery()


@celery_app.task(name="polydoc.execute_run", acks_late=True, reject_on_worker_lost=True)
def execute_run(*, run_id: str) -> None:
    from polydoc import pipeline
    from polydoc.db.session import session_scope
    from polydoc.logs import current_run
    from polydoc.services import runs as runs_service

    current_run.set(run_id)  # every log line of this run carries its id
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


WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
_stop = threading.Event()


def _periodic_loop() -> None:
    from polydoc.db.session import session_scope
    from polydoc.services.periodic import take_slot

    settings = get_settings()
    jobs = (
        ("sweep_runs", settings.sweep_interval_seconds, sweep_runs),
        ("purge_files", settings.purge_interval_seconds, purge_files),
    )
    while not _stop.is_set():
        for name, every, job in jobs:
            try:
                with session_scope() as s:
                    won = take_slot(s, name=name, every=every, holder=WORKER_ID)
                if won:
                    log.info("periodic task %s: this period's turn taken by %s", name, WORKER_ID)
                    job()
            except Exception:  # a database hiccup must not end the loop; next tick retries
                log.exception("periodic task %s failed", name)
        _stop.wait(1.0)


@signals.setup_logging.connect
def _setup_logging(**_kwargs: object) -> None:
    """Our log format for the worker too (connecting this stops Celery configuring its own)."""
    from polydoc.logs import setup_logging

    setup_logging(get_settings().log_format, get_settings().log_level)


@signals.worker_ready.connect
def _on_worker_ready(**_kwargs: object) -> None:
    """A restarted worker picks up runs its predecessor left at once, then ticks periodically."""
    try:
        sweep_runs()
    except Exception:
        log.exception("start-up sweep failed")
    threading.Thread(target=_periodic_loop, name="polydoc-periodic", daemon=True).start()
    log.info("worker ready: %s", WORKER_ID)


@signals.worker_shutting_down.connect
def _on_shutting_down(**_kwargs: object) -> None:
    """Graceful stop: running runs hand themselves back at their next batch boundary."""
    from polydoc import pipeline

    _stop.set()
    pipeline.SHUTTING_DOWN.set()


@signals.worker_shutdown.connect
def _close_engines(**_kwargs: object) -> None:
    from polydoc.engines import close_all

    close_all()
