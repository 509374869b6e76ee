"""Admin operations (the admin token, not an account key): accounts and credits."""

from __future__ import annotations

from fastapi import APIRouter

from polydoc import billing
from polydoc.api.deps import AdminOnly, SessionDep, one_thread
from polydoc.api.schemas import AccountCreate, AccountCreated, Balance, CreditGrant, ErrorBody
from polydoc.services import accounts

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[AdminOnly],
    responses={403: {"model": ErrorBody, "description": "No admin token is configured"}},
)


@router.post("/accounts", response_model=AccountCreated, operation_id="admin_accounts_create")
@one_thread
def create_account(body: AccountCreate, session: SessionDep) -> AccountCreated:
    account, key = accounts.create_account(session, name=body.name, credits=body.credits)
    return AccountCreated(id=account.id, name=account.name, api_key=key, balance=body.credits)


@router.post("/accounts/{account_id}/credits", response_model=Balance, operation_id="admin_accounts_credit")
@one_thread
def add_credits(account_id: str, body: CreditGrant, session: SessionDep) -> Balance:
    account = accounts.get_account(session, account_id=account_id)
    billing.grant(session, account_id=account.id, amount=body.amount, note=body.note or "admin")
    return Balance(account_id=account.id, balance=billing.balance(session, account.id))
