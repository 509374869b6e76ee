"""The credit ledger: append-only entries, balance = SUM(amount).

A run reserves its estimate with a `hold` entry; success adds a `release` of the hold and a
`charge` of the final cost; failure or cancel adds only the `release`. Every entry carries an
idempotency key (`run:<id>:charge`), so a retried run can never be charged twice.
"""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from polydoc.db.models import Account, CreditEntry
from polydoc.errors import InsufficientCredits


def balance(session: Session, account_id: uuid.UUID) -> int:
    """Credits available now (holds already subtracted)."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(CreditEntry.account_id == account_id)
    )
    return int(total or 0)


def held(session: Session, account_id: uuid.UUID) -> int:
    """Credits reserved by runs that have not finished."""
    total = session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
            CreditEntry.account_id == account_id, CreditEntry.kind.in_(("hold", "release"))
        )
    )
    return -int(total or 0)


def spent(session: Session, account_id: uuid.UUID) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(
            CreditEntry.account_id == account_id, CreditEntry.kind == "charge"
        )
    )
    return -int(total or 0)


def add_entry(
    session: Session,
    *,
    account_id: uuid.UUID,
    amount: int,
    kind: str,
    idem_key: str,
    run_id: uuid.UUID | None = None,
    note: str = "",
) -> bool:
    """Append an entry unless one with the same idempotency key exists. True if appended."""
    exists = session.scalar(
        select(CreditEntry.id).where(CreditEntry.account_id == account_id, CreditEntry.idem_key == idem_key)
    )
    if exists is not None:
        return False
    session.add(
        CreditEntry(
            account_id=account_id, amount=amount, kind=kind, idem_key=idem_key, run_id=run_id, note=note
        )
    )
    session.flush()
    return True


def lock_account(session: Session, account_id: uuid.UUID) -> None:
    """Hold the account until the transaction ends, so concurrent ledger changes take turns.

    PostgreSQL: row lock serialises concurrent reservations; SQLite: BEGIN IMMEDIATE already does."""
    session.execute(select(Account.id).where(Account.id == account_id).with_for_update())


def grant(
    session: Session, *, account_id: uuid.UUID, amount: int, note: str = "", idem_key: str | None = None
) -> None:
    lock_account(session, account_id)
    add_entry(
        session,
        account_id=account_id,
        amount=amount,
        kind="grant",
        idem_key=idem_key or f"grant:{uuid.uuid4()}",
        note=note,
    )


def reserve(session: Session, *, account_id: uuid.UUID, run_id: uuid.UUID, amount: int) -> None:
    lock_account(session, account_id)
    available = balance(session, account_id)
    if available < amount:
        raise InsufficientCredits(f"This run needs {amount} credits but the account has {available}")
    add_entry(
        session,
        account_id=account_id,
        amount=-amount,
        kind="hold",
        idem_key=f"run:{run_id}:hold",
        run_id=run_id,
    )


def release(session: Session, *, account_id: uuid.UUID, run_id: uuid.UUID, amount: int) -> None:
    add_entry(
        session,
        account_id=account_id,
        amount=amount,
        kind="release",
        idem_key=f"run:{run_id}:release",
        run_id=run_id,
    )


def settle(
    session: Session, *, account_id: uuid.UUID, run_id: uuid.UUID, held_amount: int, cost: int
) -> None:
    lock_account(session, account_id)
    release(session, account_id=account_id, run_id=run_id, amount=held_amount)
    add_entry(
        session,
        account_id=account_id,
        amount=-cost,
        kind="charge",
        idem_key=f"run:{run_id}:charge",
        run_id=run_id,
    )
