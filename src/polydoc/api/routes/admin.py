"""Admin operations (the admin token, not an account key): accounts and credits."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, BeforeValidator, Field

from polydoc import billing
from polydoc.api.deps import AdminOnly, SessionDep, one_thread
from polydoc.api.schemas import ErrorBody
from polydoc.services import accounts

router = APIRouter(
    prefix="/v1/admin",
    tags=["admin"],
    dependencies=[AdminOnly],
    responses={403: {"model": ErrorBody, "description": "No admin token is configured"}},
)


def _json_integer(value: object) -> object:
    """A JSON integer as JSON Schema means it (`5` or `5.0`), not `true` or `"5"`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be an integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
MAX_CREDITS = 10**12  # ledger amounts are 64-bit; larger values were a 500 from the database driver


class AccountCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    credits: JsonInt = Field(0, ge=0, le=MAX_CREDITS)


class AccountCreated(BaseModel):
    id: UUID
    name: str
    api_key: str = Field(description="Shown once; only its hash is stored")
    balance: int


class CreditGrant(BaseModel):
    amount: JsonInt = Field(
        description="Credits to add (negative to remove)", ge=-MAX_CREDITS, le=MAX_CREDITS
    )
    note: str = Field("", max_length=200)


class Balance(BaseModel):
    account_id: UUID
    balance: int


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
