"""A run's state transitions once a worker has it: claim, renew, finish, hand back, fail, sweep.

A run is `Running` from creation until it ends `Succeeded` or `Failed`; `stage` says where it
is. Workers claim a run with a conditional UPDATE (atomic on SQLite and PostgreSQL), renew a
lease while they work, and finish only if they still hold it (`_held`, the one lease guard), so
a redelivered message or a swept run never does the work twice. Side effects are deterministic:
the output blob is `output_key(run_id, fmt)`, its file row `output_file_id(run_id)`, and the
ledger keys are `run:<id>:…`, so a run retried after a crash produces one output and one charge.

Like every service these take the session first and flush but never commit.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, and_, func, or_, select, update
from sqlalchemy.orm import Session

from polydoc import billing
from polydoc.config import get_settings
from polydoc.db.models import File, Run, utcnow
from polydoc.db.session import after_commit
from polydoc.queue import enqueue
from polydoc.services import webhooks
from polydoc.services.files import sha256_of
from polydoc.storage import get_store


def output_key(run_id: uuid.UUID, fmt: str) -> str:
    """Where a run's output blob is stored: the same key on every attempt."""
    return f"runs/{run_id}/output.{fmt}"


def output_file_id(run_id: uuid.UUID) -> uuid.UUID:
    """The id of a run's output file row, derived from the run so a retry cannot add a second."""
    return uuid.uuid5(run_id, "output")


def _held(run_id: uuid.UUID, token: str) -> ColumnElement[bool]:
    """The lease guard: the run is still running and still this worker's."""
    return and_(Run.id == run_id, Run.worker == token, Run.status == "Running")


def _update_held(session: Session, *, run_id: uuid.UUID, token: str, **values: object) -> bool:
    result = session.execute(
        update(Run).where(_held(run_id, token)).values(**values).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


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


def start(session: Session, *, run_id: uuid.UUID) -> None:
    """Record when the run first started and count tokens from zero (kept across attempts)."""
    session.execute(
        update(Run)
        .where(Run.id == run_id)
        .values(
            started_at=func.coalesce(Run.started_at, utcnow()),
            input_tokens=func.coalesce(Run.input_tokens, 0),
            output_tokens=func.coalesce(Run.output_tokens, 0),
        )
    )


def renew(session: Session, *, run_id: uuid.UUID, token: str, **values: object) -> bool:
    """Extend the lease and record progress; False when the run is no longer ours (cancelled, swept)."""
    lease = timedelta(seconds=get_settings().run_lease_seconds)
    return _update_held(session, run_id=run_id, token=token, lease_until=utcnow() + lease, **values)


def record_basis(
    session: Session, *, run_id: uuid.UUID, token: str, characters: int, characters_cached: int, credits: int
) -> tuple[int, int] | None:
    """Fix the run's price basis the first time it looks into the memory, and show its estimate as
    `credits` while it runs (0 for a free engine), topping up the hold when the text is worth more
    than the pages it was made from. Returns the basis kept (an earlier attempt's wins: the translations it
    stored are not "from memory" for this run), or None when the run is no longer ours."""
    if not _update_held(
        session,
        run_id=run_id,
        token=token,
        characters=func.coalesce(Run.characters, characters),
        characters_cached=func.coalesce(Run.characters_cached, characters_cached),
    ):
        return None
    kept = session.execute(select(Run.characters, Run.characters_cached).where(Run.id == run_id)).one()
    if tuple(kept) == (characters, characters_cached):
        account_id, held = session.execute(
            select(Run.account_id, Run.hold_credits).where(Run.id == run_id)
        ).one()
        if credits > held:
            # the hold was made from the page count; the text is worth more (billing.Basis.by_text):
            # hold the rest now, before anything is sent, or end the run 402 with nothing spent
            billing.top_up(session, account_id=account_id, run_id=run_id, amount=credits - held)
            held = credits
        _update_held(session, run_id=run_id, token=token, credits=credits, hold_credits=held)
    return int(kept[0]), int(kept[1])


def finish(
    session: Session,
    *,
    run_id: uuid.UUID,
    token: str,
    account_id: uuid.UUID,
    output: Path,
    name: str,
    fmt: str,
    language: str,
    cost: int,
    note: str,
    route: str,
    segments_total: int,
    segments_cached: int,
    segments_failed: int,
    warnings: list[str],
) -> bool:
    """End the run Succeeded with its output file row and its charge (`cost`, at most the hold;
    `note` says how it was priced), under the account lock. False (and nothing written) when the
    run is no longer ours."""
    out_id = output_file_id(run_id)
    key = output_key(run_id, fmt)
    billing.lock_account(session, account_id)
    held = session.scalar(select(Run.hold_credits).where(Run.id == run_id)) or 0
    cost = min(cost, held)
    ended = _update_held(
        session,
        run_id=run_id,
        token=token,
        status="Succeeded",
        stage="done",
        progress=1.0,
        finished_at=utcnow(),
        lease_until=None,
        output_file_id=out_id,
        credits=cost,
        route=route,
        segments_total=segments_total,
        segments_done=segments_total,
        segments_cached=segments_cached,
        segments_failed=segments_failed,
        warnings=warnings[:100],
    )
    if not ended:
        return False
    if session.get(File, out_id) is None:
        now = utcnow()
        session.add(
            File(
                id=out_id,
                account_id=account_id,
                filename=name,
                size=output.stat().st_size,
                num_pages=0,
                format=fmt,
                language=language,
                s3_key=key,
                sha256=sha256_of(output),
                created_at=now,
                expires_at=now + timedelta(seconds=get_settings().file_ttl),
                run_id=run_id,
            )
        )
    billing.settle(session, account_id=account_id, run_id=run_id, held_amount=held, cost=cost, note=note)
    webhooks.record_run_event(session, run_id=run_id, event="run.succeeded")  # the outbox, this transaction
    return True


def hand_back(session: Session, *, run_id: uuid.UUID, token: str) -> bool:
    """The worker is stopping: queue the run again (after the commit) for another worker."""
    handed = _update_held(
        session,
        run_id=run_id,
        token=token,
        stage="queued",
        worker=None,
        lease_until=utcnow() + timedelta(seconds=get_settings().queue_grace_seconds),
    )
    if handed:
        after_commit(session, lambda: enqueue(run_id))
    return handed


def release_to_sweep(session: Session, *, run_id: uuid.UUID, token: str) -> bool:
    """Give the run back with its lease already expired: the next sweep re-queues it, counting the
    attempt, so a run that keeps losing the database still ends."""
    return _update_held(
        session, run_id=run_id, token=token, stage="queued", worker=None, lease_until=utcnow()
    )


def fail(session: Session, run: Run, *, code: str, message: str, stage: str = "failed") -> None:
    """End a run as Failed and release its hold (idempotent)."""
    run.status, run.stage = "Failed", stage
    run.error_code, run.error_message = code, message
    run.finished_at = utcnow()
    run.lease_until = None
    run.credits = None  # it showed the estimate while running; a failed run costs nothing
    billing.release(session, account_id=run.account_id, run_id=run.id, amount=run.hold_credits)
    webhooks.record_run_event(session, run_id=run.id, event="run.failed")  # the outbox, this transaction
    session.flush()


def fail_held(session: Session, *, run_id: uuid.UUID, token: str, code: str, message: str) -> bool:
    """End the run Failed if this worker still holds it (a cancel or a takeover wins)."""
    billing.lock_account(session, session.scalar(select(Run.account_id).where(Run.id == run_id)))
    run = session.scalar(select(Run).where(_held(run_id, token)))
    if run is None:
        return False
    fail(session, run, code=code, message=message)
    return True


def orphan_output(session: Session, *, run_id: uuid.UUID) -> str | None:
    """The blob a cancelled run may have stored just before it noticed (None unless it ended
    Failed); the caller removes it once out of the transaction."""
    run = session.get(Run, run_id)
    if run is None or run.status != "Failed":
        return None
    fmt = session.scalar(select(File.format).where(File.id == run.input_file_id))
    return output_key(run_id, fmt)


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
            key = output_key(run.id, fmt)
            after_commit(session, lambda key=key: get_store().delete(key))
            continue
        run.stage = "queued"
        run.lease_until = utcnow() + timedelta(seconds=settings.queue_grace_seconds)
        requeued.append(run.id)
    session.flush()
    for run_id in requeued:
        after_commit(session, lambda rid=run_id: enqueue(rid))
    return requeued
