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
from kombu.transport import TRANSPORT_ALIASES, virtual
from kombu.transport import redis as kombu_redis
from kombu.transport.sqlalchemy import Transport as SQLAlchemyTransport

from polydoc.config import get_settings

log = logging.getLogger("polydoc.worker")


class FastPollingSQLTransport(SQLAlchemyTransport):
    """kombu's SQLAlchemy transport polling every 50 ms instead of every second."""

    polling_interval = get_settings().broker_poll_interval


TRANSPORT_ALIASES["polydoc-sqla"] = "polydoc.worker:FastPollingSQLTransport"


class _RedisQoS(kombu_redis.QoS):
    """Leaves messages of a lost connection alone instead of crashing the worker on them.

    When Redis goes away (restart, failover), Celery 5.7's consumer `collect()`s the lost
    connection (the transport's client becomes None) and reconnects on a new one. Closing the
    old channel then tries to restore its unacked (acks_late) messages, and a task finishing
    later acks on the old channel; both go through the missing client and raise AttributeError
    ('NoneType' object has no attribute 'hostname' / 'client'), which Celery treats as
    unrecoverable: the worker stops consuming and exits. Skipping them loses nothing: the
    database keeps every run, a redelivered message finds its run claimed or done, and the
    sweep re-queues runs whose lease expires.
    """

    def _connection_gone(self) -> bool:
        transport = self.channel.connection
        return transport is None or transport.client is None

    def restore_unacked(self, client: object = None) -> None:
        if client is None and self._connection_gone():
            log.warning(
                "broker connection lost: %d unacked message(s) left to the sweep", len(self._delivered)
            )
            self._delivered.clear()
            return
        super().restore_unacked(client)

    def ack(self, delivery_tag: str) -> None:
        if self._connection_gone():
            virtual.QoS.ack(self, delivery_tag)  # forget it locally; its connection is gone
            return
        super().ack(delivery_tag)

    def reject(self, delivery_tag: str, requeue: bool = False) -> None:
        if self._connection_gone():
            virtual.QoS.ack(self, delivery_tag)
            return
        super().reject(delivery_tag, requeue=requeue)


class _RedisChannel(kombu_redis.Channel):
    QoS = _RedisQoS


class RedisTransport(kombu_redis.Transport):
    """kombu's Redis transport, surviving a Redis restart while tasks are running (see _RedisQoS)."""

    Channel = _RedisChannel


TRANSPORT_ALIASES["polydoc-redis"] = "polydoc.worker:RedisTransport"


def _broker_url() -> str:
    url = get_settings().resolved_broker_url
    if url.startswith("sqla+sqlite"):
        from polydoc.db.session import get_engine  # noqa: F401 - ensures the data folder exists

        path = url.split("///", 1)[1]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _enable_wal(path)
        return "polydoc-sqla+" + url.removeprefix("sqla+")
    if url.startswith("redis://"):
        return "polydoc-redis://" + url.removeprefix("redis://")
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
    from polydoc.pipeline import run as pipeline
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
    from polydoc.pipeline import run as pipeline

    _stop.set()
    pipeline.SHUTTING_DOWN.set()


@signals.worker_shutdown.connect
def _close_engines(**_kwargs: object) -> None:
    from polydoc.engines import close_all

    close_all()
