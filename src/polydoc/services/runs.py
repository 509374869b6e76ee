"""Runs as their owner sees them: creation (validation, credit hold, enqueue), listing, cancel.

The validation is `estimates.plan_run`, shared with the estimate, so both answer the same errors.

A run is `Running` from creation until it ends `Succeeded` or `Failed`; `stage` says where it
is. What happens to it once a worker has it (claim, lease, finish, sweep) is in `lifecycle`.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polydoc import billing
from polydoc.config import get_settings
from polydoc.db.models import Run, utcnow
from polydoc.db.session import after_commit
from polydoc.errors import Conflict, NotFound, RateLimited
from polydoc.queue import enqueue
from polydoc.services import lifecycle
from polydoc.services._paging import page
from polydoc.services.estimates import Estimate, check_max_credits, plan_run


def create_run(
    session: Session,
    *,
    account_id: uuid.UUID,
    input_file_id: str,
    target_language: str,
    source_language: str | None = None,
    engine: str | None = None,
    options: dict | None = None,
    max_credits: int | None = None,
    priced: Estimate | None = None,
) -> Run:
    """Validate, hold the credits and queue the run (after the commit).

    The hold is the upper bound (`billing.upper_bound`, the whole document with nothing from
    memory), so 402 is answered without reading the document. With `max_credits` the caller passes
    the run's estimate (`priced`, made before this transaction began): a run above the limit is
    refused (402 `over_max_credits`) before anything is held, and the hold is the estimate."""
    plan = plan_run(
        session,
        account_id=account_id,
        input_file_id=input_file_id,
        target_language=target_language,
        source_language=source_language,
        engine=engine,
        options=options,
    )
    src_file, settings = plan.file, get_settings()
    if max_credits is not None:
        if priced is None:
            raise ValueError("max_credits needs the run's estimate (estimates.estimate_run)")
        check_max_credits(priced, max_credits)
    running = session.scalar(
        select(func.count()).where(Run.account_id == account_id, Run.status == "Running")
    )
    if running >= settings.max_running_runs_per_account:
        raise RateLimited(
            f"The account already has {running} runs in progress (limit {settings.max_running_runs_per_account})",
            code="too_many_runs",
            retry_after=5,
        )
    cost = 0 if plan.free else billing.upper_bound(src_file.num_pages)
    if priced is not None:
        cost = min(cost, priced.credits)
    run = Run(
        id=uuid.uuid4(),
        account_id=account_id,
        input_file_id=src_file.id,
        target_language=plan.target,
        source_language=plan.source,
        engine=plan.engine,
        route=plan.route.label,
        warnings=[plan.route.warning] if plan.route.warning else [],  # kept when the run finishes
        options=plan.options,
        hold_credits=cost,
        lease_until=utcnow() + timedelta(seconds=get_settings().queue_grace_seconds),
    )
    billing.reserve(session, account_id=account_id, run_id=run.id, amount=cost)
    session.add(run)
    session.flush()
    run_id, pages = run.id, src_file.num_pages
    after_commit(session, lambda: enqueue(run_id, pages=pages))  # its lane by size (queue.lane_for)
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


def cancel_run(session: Session, *, account_id: uuid.UUID, run_id: str) -> Run:
    run = get_run(session, account_id=account_id, run_id=run_id)
    billing.lock_account(session, account_id)
    session.refresh(run)
    if run.status != "Running":
        raise Conflict(f"The run already ended {run.status}", code="run_finished")
    lifecycle.fail(session, run, code="cancelled", message="The run was cancelled", stage="cancelled")
    return run
