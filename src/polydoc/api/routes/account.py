"""The caller's account: balance, holds, usage, the pricing rule and the ledger."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from polydoc import billing
from polydoc.api.deps import CurrentAccount, SessionDep, one_thread
from polydoc.api.schemas import AccountRead, LedgerEntry, Pricing
from polydoc.db.models import Run

router = APIRouter(prefix="/v1/account", tags=["account"])


@router.get("", response_model=AccountRead, operation_id="account_get")
@one_thread
def get_account(session: SessionDep, account: CurrentAccount) -> AccountRead:
    usage = session.execute(
        select(
            func.count(Run.id),
            func.coalesce(func.sum(Run.input_tokens), 0),
            func.coalesce(func.sum(Run.output_tokens), 0),
        ).where(Run.account_id == account.id)
    ).one()
    running = session.scalar(
        select(func.count(Run.id)).where(Run.account_id == account.id, Run.status == "Running")
    )
    return AccountRead(
        id=account.id,
        name=account.name,
        created_at=account.created_at,
        balance=billing.balance(session, account.id),
        held=billing.held(session, account.id),
        spent=billing.spent(session, account.id),
        runs_total=usage[0],
        runs_running=running or 0,
        input_tokens=usage[1],
        output_tokens=usage[2],
        pricing=Pricing(**billing.pricing()),
    )


@router.get("/ledger", response_model=list[LedgerEntry], operation_id="account_ledger")
@one_thread
def get_ledger(
    session: SessionDep,
    account: CurrentAccount,
    run_id: UUID | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[LedgerEntry]:
    """The account's ledger entries, newest first (of one run with `run_id`): a charge's note says
    how many pages the engine translated and how many came from memory."""
    rows = billing.entries(session, account.id, run_id=run_id, limit=limit)
    return [LedgerEntry.model_validate(row, from_attributes=True) for row in rows]
