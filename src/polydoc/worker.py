"""The run task, the periodic sweeps and the worker's signals (the Celery app is in `queue`).

Tasks take ids only and read the state again (STYLE §2.9). No beat: every worker ticks the
periodic jobs itself, and a periodic slot in the database elects one worker per period.

Lanes (`queue.LANES`): a `polydoc worker` serves both with two processes, itself on the small lane
and a child on the large one, each with POLYDOC_WORKER_CONCURRENCY threads and its own Apertium
pipelines, so a small run never queues behind a large one for a thread or inside a pipeline. The
child runs at a lower CPU priority (nice 10, inherited by its pipelines): on a machine saturated
by a large run, a one-page run that has to start its pipeline took 4.2 s at equal priority.
POLYDOC_WORKER_QUEUES=small (or large) makes a worker serve one lane in one process.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import uuid

from celery import signals

from polydoc import cage, languages
from polydoc.config import get_settings
from polydoc.db.session import session_scope
from polydoc.engines import close_all
from polydoc.logs import current_run, setup_logging
from polydoc.pipeline import run as pipeline
from polydoc.queue import EXECUTE_RUN, LANES, celery_app, enqueue
from polydoc.services import files as files_service
from polydoc.services import lifecycle, webhook_delivery
from polydoc.services.fairness import gives_way
from polydoc.services.periodic import take_slot

__all__ = ["celery_app", "execute_run", "purge_files", "sweep_runs"]

log = logging.getLogger("polydoc.worker")
MAX_PASSES = 20  # turns a run gives up to other accounts (fairness) before it takes one anyway
LARGE_LANE_NICE = 10  # the large lane's child process and its Apertium pipelines yield the CPU


@celery_app.task(name=EXECUTE_RUN, acks_late=True, reject_on_worker_lost=True)
def execute_run(*, run_id: str, passes: int = 0) -> None:
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
        # bounded: a waiting run whose message is lost until the sweep must not make others spin
        give_way = passes < MAX_PASSES and gives_way(s, run_id=rid)
        if not give_way and not lifecycle.claim(s, run_id=rid, token=token):
            return  # already done, taken, or cancelled: nothing to do
    if give_way:
        enqueue(rid, passes=passes + 1)  # to the back of its lane: another account goes first
        return
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
                    log.debug("periodic task %s: this period's turn taken by %s", name, WORKER_ID)
                    job()
            except Exception:  # a database hiccup must not end the loop; next tick retries
                log.exception("periodic task %s failed", name)
        _stop.wait(1.0)


_large_lane: subprocess.Popen | None = None  # the child serving the large lane, when we serve both


@signals.celeryd_init.connect
def _choose_lanes(instance: object, options: dict[str, object], **_kwargs: object) -> None:
    """Consume this worker's lanes; serving both, this process takes the small one and starts
    a process of its own for the large one (before the pool and the consumer start)."""
    lanes = get_settings().worker_queues.split(",")
    if len(lanes) > 1:
        concurrency = int(str(options.get("concurrency") or get_settings().worker_concurrency))
        threading.Thread(
            target=_serve_large_lane, args=(concurrency,), name="polydoc-large-lane", daemon=True
        ).start()
        lanes = ["small"]
    instance.app.amqp.queues.select([LANES[lane] for lane in lanes])  # type: ignore[attr-defined]


def _serve_large_lane(concurrency: int, restarts: int = 10) -> None:
    """Run the large lane's worker, restarting it (a few times, a second apart) if it dies."""
    global _large_lane
    command = [sys.executable, "-m", "polydoc", "worker", "--concurrency", str(concurrency)]
    for _ in range(restarts + 1):
        env = {**os.environ, "POLYDOC_WORKER_QUEUES": "large"}
        _large_lane = subprocess.Popen(command, env=env, preexec_fn=_lane_child_setup)
        code = _large_lane.wait()
        if _stop.wait(1.0):
            return
        log.error("the large lane's worker exited with %s; starting it again", code)
    log.error("the large lane's worker keeps exiting: large runs wait for another worker")


try:  # resolved here: the child between fork and exec only calls it
    _prctl = ctypes.CDLL(None).prctl
except (OSError, AttributeError):  # not Linux: stopping this worker still stops the child
    _prctl = None


def _lane_child_setup() -> None:
    """In the child, before exec: a lower CPU priority, and SIGTERM when the thread that started
    it dies, even if this worker is killed (Linux PR_SET_PDEATHSIG)."""
    os.nice(LARGE_LANE_NICE)
    if _prctl is not None:
        _prctl(1, signal.SIGTERM)


@signals.worker_shutting_down.connect
def _stop_large_lane(**_kwargs: object) -> None:
    """Our child stops with us; it hands its runs back too."""
    _stop.set()
    if _large_lane is not None and _large_lane.poll() is None:
        _large_lane.terminate()


@signals.worker_shutdown.connect
def _reap_large_lane(**_kwargs: object) -> None:
    if _large_lane is None:
        return
    try:
        _large_lane.wait(timeout=15)
    except subprocess.TimeoutExpired:
        _large_lane.kill()


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
    webhook_delivery.start(_stop)  # sends the outbox's deliveries beside the runs, never inside them
    try:  # the parser processes import their parsers now, not on the first run
        cage.prewarm()
    except Exception:  # the first run starts them then
        log.exception("could not start the parser processes ahead")
    languages.load_model()  # the quality checks' language identification: not in the first run
    log.info("worker ready: %s", WORKER_ID)


@signals.worker_shutting_down.connect
def _on_shutting_down(**_kwargs: object) -> None:
    """Graceful stop: running runs hand themselves back at their next batch boundary."""
    _stop.set()
    pipeline.SHUTTING_DOWN.set()


@signals.worker_shutdown.connect
def _close_engines(**_kwargs: object) -> None:
    close_all()
