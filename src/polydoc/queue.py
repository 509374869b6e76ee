"""The Celery app and `enqueue(run_id)`: the queue only carries run ids.

Services send the run task by name, so they never import the worker (whose tasks import the
pipeline); `include=["polydoc.worker"]` makes a worker process load the tasks. The embedded
default uses kombu's SQLAlchemy transport on a SQLite file; its polling interval cannot be passed
through `broker_transport_options` (those go to create_engine), so a subclass sets it, and its
channel looks before it locks (`_LookFirstChannel`).

Fair queues: a run goes to one of two lanes by its size (`lane_for`), each a Celery queue with
workers of its own (see `worker`), so a one-page run never waits behind a 2,000-page one: not in
the broker, not for a thread, and not inside a shared Apertium pipeline (FIFO: measured 9.8 s
behind two 200-segment batches of a large run in the same process).
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from queue import Empty

from celery import Celery
from kombu import Queue
from kombu.transport import TRANSPORT_ALIASES, virtual
from kombu.transport import redis as kombu_redis
from kombu.transport.sqlalchemy import Channel as SQLAlchemyChannel
from kombu.transport.sqlalchemy import Transport as SQLAlchemyTransport
from sqlalchemy import select

from polydoc.config import get_settings
from polydoc.db.models import File, Run
from polydoc.db.session import session_scope

log = logging.getLogger("polydoc.worker")  # the transports run inside the worker
runs_log = logging.getLogger("polydoc.runs")  # enqueue runs where runs are created or handed back

EXECUTE_RUN = "polydoc.execute_run"  # the worker's task, sent by name
LANES = {"small": "polydoc.small", "large": "polydoc.large"}  # lane -> Celery queue


def lane_for(pages: int) -> str:
    """The lane of a run of a `pages`-page document: "small" up to POLYDOC_SMALL_RUN_PAGES."""
    return "small" if pages <= get_settings().small_run_pages else "large"


class _LookFirstChannel(SQLAlchemyChannel):
    """kombu's SQLAlchemy channel on the SQLite broker file, with an empty poll made cheap.

    kombu's `_get` takes the file's write lock (BEGIN IMMEDIATE) and runs two ORM queries, one
    filtering `visible != False`, which no index serves, over every message ever delivered (kombu
    keeps them). Each lane's worker polls every 50 ms, so that was ~8 % of a core with nothing to
    do, and more beside a run. Here a poll first asks, on a connection of its own and without a
    lock, whether the queue holds a visible message (an index seek on a cached queue id); only
    then does kombu's own `_get` claim it. Delivered rows are deleted: the virtual transport keeps
    an unacked message in memory and restores it as a new row, never through the old one."""

    _peek: sqlite3.Connection
    _queue_ids: dict[str, int]

    def _get(self, queue: str) -> object:
        if not hasattr(self, "_peek"):
            engine, _ = self._open()
            self._peek = sqlite3.connect(engine.url.database, timeout=30, check_same_thread=False)
            self._queue_ids = {}
        if queue not in self._queue_ids:
            self._queue_ids[queue] = self._get_or_create(queue).id
        table, qid = self.message_cls.__tablename__, self._queue_ids[queue]
        waiting = f"SELECT 1 FROM {table} WHERE queue_id = ? AND visible = 1 LIMIT 1"
        if self._peek.execute(waiting, (qid,)).fetchone() is None:
            raise Empty()
        payload = super()._get(queue)  # raises Empty if another worker claimed it first
        with self._peek:  # a transaction, committed on leaving
            self._peek.execute(f"DELETE FROM {table} WHERE queue_id = ? AND visible = 0", (qid,))
        return payload

    def close(self) -> None:
        if hasattr(self, "_peek"):
            self._peek.close()
        super().close()


class FastPollingSQLTransport(SQLAlchemyTransport):
    """kombu's SQLAlchemy transport polling every 50 ms instead of every second, cheaply."""

    Channel = _LookFirstChannel
    polling_interval = get_settings().broker_poll_interval


TRANSPORT_ALIASES["polydoc-sqla"] = "polydoc.queue:FastPollingSQLTransport"


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


TRANSPORT_ALIASES["polydoc-redis"] = "polydoc.queue:RedisTransport"


def _broker_url() -> str:
    url = get_settings().resolved_broker_url
    if url.startswith("sqla+sqlite"):
        path = url.split("///", 1)[1]
        os.makedirs(os.path.dirname(path), exist_ok=True)
        _enable_wal(path)
        return "polydoc-sqla+" + url.removeprefix("sqla+")
    if url.startswith("redis://"):
        return "polydoc-redis://" + url.removeprefix("redis://")
    return url


def _enable_wal(path: str) -> None:
    """WAL is a property of the file: set once, every later connection (kombu's too) uses it."""
    conn = sqlite3.connect(path, timeout=30)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()


def _config() -> dict[str, object]:
    """Read when the app is first used, not when this module is imported: resolving the broker
    prepares the SQLite broker file, which must land in the data folder the command configured."""
    return dict(
        broker_url=_broker_url(),
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_concurrency=get_settings().worker_concurrency,
        task_queues=[Queue(name) for name in LANES.values()],
        task_default_queue=LANES["large"],
        # no beat schedule: every worker ticks itself and periodic slots elect one per period
    )


celery_app = Celery("polydoc", include=["polydoc.worker"])
celery_app.add_defaults(_config)


def enqueue(run_id: uuid.UUID, *, pages: int | None = None, passes: int = 0) -> None:
    """Publish the run's message to its lane (`pages` of its document; looked up when not given).

    Called after the commit, so the run exists whatever happens here: if the broker is
    unreachable the run stays queued and the sweep re-queues it when its lease (the queue grace)
    runs out. Raising would turn a created run into an error answer. `passes` counts the turns
    the run gave up to other accounts (`worker.execute_run`)."""
    try:
        lane = lane_for(pages if pages is not None else _pages_of(run_id))
        kwargs: dict[str, object] = {"run_id": str(run_id)}
        if passes:
            kwargs["passes"] = passes
        celery_app.send_task(EXECUTE_RUN, kwargs=kwargs, queue=LANES[lane])
    except Exception:  # kombu/redis connection errors: the database, not the queue, keeps the run
        runs_log.warning("could not queue run %s; the sweep will re-queue it", run_id, exc_info=True)


def _pages_of(run_id: uuid.UUID) -> int:
    """The run's page count, for callers that re-queue a run by id (sweep, hand back)."""
    with session_scope() as s:
        pages = s.scalar(
            select(File.num_pages).join(Run, Run.input_file_id == File.id).where(Run.id == run_id)
        )
    return pages or 1
