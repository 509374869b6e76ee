"""Runs as their owner sees them: creation (validation, credit hold, enqueue), listing, cancel.

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
from polydoc.engines import find_route
from polydoc.errors import BadRequest, Conflict, NotFound, RateLimited, TooLarge, UnsupportedLanguage
from polydoc.formats import handler_for
from polydoc.languages import normalise
from polydoc.queue import enqueue
from polydoc.services import files as files_service
from polydoc.services import lifecycle
from polydoc.services._paging import page


def estimate_credits(num_pages: int) -> int:
    return max(1, num_pages) * get_settings().credits_per_page


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


def cancel_run(session: Session, *, account_id: uuid.UUID, run_id: str) -> Run:
    run = get_run(session, account_id=account_id, run_id=run_id)
    billing.lock_account(session, account_id)
    session.refresh(run)
    if run.status != "Running":
        raise Conflict(f"The run already ended {run.status}", code="run_finished")
    lifecycle.fail(session, run, code="cancelled", message="The run was cancelled", stage="cancelled")
    return run
