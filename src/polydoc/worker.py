"""The run task, the periodic sweeps and the worker's signals (the Celery app is in `queue`).

Tasks take ids only and read the state again (STYLE §2.9). No beat: every worker ticks the
periodic jobs itself, and a periodic slot in the database elects one worker per period.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from celery import signals

from polydoc.config import get_settings
from polydoc.db.session import session_scope
from polydoc.engines import close_all
from polydoc.logs import current_run, setup_logging
from polydoc.pipeline import run as pipeline
from polydoc.queue import EXECUTE_RUN, celery_app, enqueue
from polydoc.services import files as files_service
from polydoc.services import lifecycle
from polydoc.services.periodic import take_slot

__all__ = ["celery_app", "execute_run", "purge_files", "sweep_runs"]

log = logging.getLogger("polydoc.worker")


@celery_app.task(name=EXECUTE_RUN, acks_late=True, reject_on_worker_lost=True)
def execute_run(*, run_id: str) -> None:
    current_run.set(run_id)  # every log line of this run carries its id
    rid = uuid.UUID(run_id)
    if pipeline.SHUTTING_DOWN.is_set():
        # a stopping worker still runs the messages it had reserved: a run handed back a moment ago
        # came straight back to it (and was handed back again). Pass the message on instead.
        log.info("worker stopping: run %s passed on to another worker", rid)
        enqueue(rid)
        return
    token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
    with session_scope() as s:
        if not lifecycle.claim(s, run_id=rid, token=token):
            return  # already done, taken, or cancelled: nothing to do
    pipeline.execute(rid, token)


@celery_app.task(name="polydoc.sweep_runs")
def sweep_runs() -> int:
    with session_scope() as s:
        return len(lifecycle.sweep(s))


@celery_app.task(name="polydoc.purge_files")
def purge_files() -> int:
    with session_scope() as s:
        return files_service.purge_expired(s)


WORKER_ID = f"{socket.gethostname()}:{os.getpid()}"
_stop = threading.Event()


def _periodic_loop() -> None:
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
    _stop.set()
    pipeline.SHUTTING_DOWN.set()


@signals.worker_shutdown.connect
def _close_engines(**_kwargs: object) -> None:
    close_all()
