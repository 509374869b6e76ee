"""Runs: creation (validation, credit hold, enqueue), cancel, and the worker's claim/lease.

A run is `Running` from creation until it ends `Succeeded` or `Failed`; `stage` says where it
is. Workers claim a run with a conditional UPDATE (atomic on SQLite and PostgreSQL), renew a
lease while they work, and finish only if they still hold it, so a redelivered message or a
swept run never does the work twice.
"""

from __future__ import annotations

import logging
import uuid
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session

from polydoc import billing
from polydoc.config import get_settings
from polydoc.db.models import File, Run, utcnow
from polydoc.db.session import after_commit
from polydoc.engines import find_route
from polydoc.formats import handler_for
from polydoc.errors import BadRequest, Conflict, NotFound, RateLimited, TooLarge, UnsupportedLanguage
from polydoc.languages import normalise
from polydoc.services import files as files_service
from polydoc.services._paging import page
from polydoc.storage import get_store

log = logging.getLogger("polydoc.runs")



def estimate_credits(num_pages: int) -> int:
    return max(1, num_pages) * get_settings().credits_per_page


def enqueue(run_id: uuid.UUID) -> None:
    """Publish the run's message. Called after the commit, so the run exists whatever happens here:
    if the broker is unreachable the run stays queued and the sweep re-queues it when its lease
    (the queue grace) runs out. Raising would turn a created run into an error answer."""
    from polydoc.worker import execute_run

    try:
        execute_run.apply_async(kwargs={"run_id": str(run_id)})
    except Exception:  # kombu/redis connection errors: the database, not the queue, keeps the run
        log.warning("could not queue run %s; the sweep will re-queue it", run_id, exc_info=True)


def create_run(
    session: Session,
    *,
    account_id: uuid.UUID,
    input_file_id: str,
    target_language: str,
    source_language: str | None = None,
    engine: str | None = None,
    options: dict | None = None,
) -> Run:
    src_file = files_service.get_file(session, account_id=account_id, file_id=input_file_id)
    files_service.ensure_available(src_file)
    target = normalise(target_language)
    source = normalise(source_language) if source_language else src_file.language
    if source is None:
        raise UnsupportedLanguage("The source language could not be detected; give source_language")
    if source == target:
        raise UnsupportedLanguage(f"The document is already in {target}; choose another target_language")
    engine_name = engine or get_settings().default_engine
    route = find_route(engine_name, source, target)
    options = dict(options or {})
    mode = options.get("output_mode", "translated")
    modes = handler_for(src_file.format).output_modes
    if mode not in modes:
        raise BadRequest(
            f"output_mode {mode!r} is not available for {src_file.format} files; choose {', '.join(modes)}",
            code="invalid_option",
        )
    settings = get_settings()
    if src_file.num_pages > settings.max_pages_per_run:
        raise TooLarge(
            f"The document has {src_file.num_pages} pages; a run may have at most {settings.max_pages_per_run}",
            code="too_many_pages",
        )
    running = session.scalar(
        select(func.count()).where(Run.account_id == account_id, Run.status == "Running")
    )
    if running >= settings.max_running_runs_per_account:
        raise RateLimited(
            f"The account already has {running} runs in progress (limit {settings.max_running_runs_per_account})",
            code="too_many_runs",
            retry_after=5,
        )
    cost = estimate_credits(src_file.num_pages)
    run = Run(
        id=uuid.uuid4(),
        account_id=account_id,
        input_file_id=src_file.id,
        target_language=target,
        source_language=source,
        engine=engine_name,
        route=route.label,
        options=options,
        hold_credits=cost,
        lease_until=utcnow() + timedelta(seconds=get_settings().queue_grace_seconds),
    )
    billing.reserve(session, account_id=account_id, run_id=run.id, amount=cost)
    session.add(run)
    session.flush()
    run_id = run.id
    after_commit(session, lambda: enqueue(run_id))
    return run


def get_run(session: Session, *, account_id: uuid.UUID, run_id: uuid.UUID | str) -> Run:
    try:
        rid = uuid.UUID(str(run_id))
    except ValueError:
        raise NotFound(f"No run {run_id}") from None
    run = session.get(Run, rid)
    if run is None or run.account_id != account_id:
        raise NotFound(f"No run {run_id}")
    return run


def list_runs(
    session: Session, *, account_id: uuid.UUID, limit: int, after: uuid.UUID | None, status: str | None = None
) -> list[Run]:
    query = select(Run).where(Run.account_id == account_id)
    if status:
        query = query.where(Run.status == status)
    return page(session, Run, query, account_id=account_id, limit=limit, after=after)


def fail(session: Session, run: Run, *, code: str, message: str, stage: str = "failed") -> None:
    """End a run as Failed and release its hold (idempotent)."""
    run.status, run.stage = "Failed", stage
    run.error_code, run.error_message = code, message
    run.finished_at = utcnow()
    run.lease_until = None
    billing.release(session, account_id=run.account_id, run_id=run.id, amount=run.hold_credits)
    session.flush()


def cancel_run(session: Session, *, account_id: uuid.UUID, run_id: str) -> Run:
    run = get_run(session, account_id=account_id, run_id=run_id)
    billing._lock_account(session, account_id)
    session.refresh(run)
    if run.status != "Running":
        raise Conflict(f"The run already ended {run.status}", code="run_finished")
    run.cancel_requested = True
    fail(session, run, code="cancelled", message="The run was cancelled", stage="cancelled")
    return run


# --- worker side -------------------------------------------------------------------------------


def claim(session: Session, *, run_id: uuid.UUID, token: str) -> bool:
    """Take a queued run, or one whose lease expired; True when this worker now holds it."""
    now = utcnow()
    lease = timedelta(seconds=get_settings().run_lease_seconds)
    result = session.execute(
        update(Run)
        .where(
            Run.id == run_id,
            Run.status == "Running",
            or_(Run.stage == "queued", Run.lease_until.is_(None), Run.lease_until < now),
        )
        .values(worker=token, lease_until=now + lease, attempts=Run.attempts + 1, stage="extracting")
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def renew(session: Session, *, run_id: uuid.UUID, token: str, **values: object) -> bool:
    """Extend the lease and record progress; False when the run is no longer ours (cancelled, swept)."""
    lease = timedelta(seconds=get_settings().run_lease_seconds)
    result = session.execute(
        update(Run)
        .where(Run.id == run_id, Run.worker == token, Run.status == "Running")
        .values(lease_until=utcnow() + lease, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def expired_runs(session: Session, *, limit: int = 500) -> list[Run]:
    """Runs whose lease ran out, locked until the caller commits; rows a worker is updating right
    now (claim, renew, finish) are skipped, so the sweep never acts on a state that just changed
    (it would otherwise overwrite a claim, or fail and re-mark a run that had just succeeded)."""
    query = select(Run).where(Run.status == "Running", Run.lease_until < utcnow()).limit(limit)
    return list(session.scalars(query.with_for_update(skip_locked=True)))


def sweep(session: Session) -> list[uuid.UUID]:
    """Re-queue runs whose worker vanished; fail those that used up their attempts."""
    settings = get_settings()
    requeued: list[uuid.UUID] = []
    for run in expired_runs(session):
        if run.attempts >= settings.max_attempts:
            fail(session, run, code="worker_lost", message=f"The run was interrupted {run.attempts} times")
            # an attempt may have stored the output before it was interrupted: no blob without a file row
            fmt = session.scalar(select(File.format).where(File.id == run.input_file_id))
            key = f"runs/{run.id}/output.{fmt}"
            after_commit(session, lambda key=key: get_store().delete(key))
            continue
        run.stage = "queued"
        run.lease_until = utcnow() + timedelta(seconds=settings.queue_grace_seconds)
        requeued.append(run.id)
    session.flush()
    for run_id in requeued:
        after_commit(session, lambda rid=run_id: enqueue(rid))
    return requeued
