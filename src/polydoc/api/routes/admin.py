"""Admin operations (the admin token, not an account key): accounts and credits."""

from __future__ import annotations

from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from polydoc import billing
from polydoc.api.deps import AdminOnly, SessionDep
from polydoc.services import accounts

router = APIRouter(prefix="/v1/admin", tags=["admin"], dependencies=[AdminOnly])


class AccountCreate(BaseModel):
    model_config = ConfigDict(strict=True)  # `"credits": false` or `"1"` is not an integer

    name: str = Field(min_length=1, max_length=200)
    credits: int = Field(0, ge=0)


class AccountCreated(BaseModel):
    id: UUID
    name: str
    api_key: str = Field(description="Shown once; only its hash is stored")
    balance: int


class CreditGrant(BaseModel):
    model_config = ConfigDict(strict=True)

    amount: int = Field(description="Credits to add (negative to remove)")
    note: str = Field("", max_length=200)


class Balance(BaseModel):
    account_id: UUID
    balance: int


@router.post("/accounts", response_model=AccountCreated, operation_id="admin_accounts_create")
def create_account(body: AccountCreate, session: SessionDep) -> AccountCreated:
    account, key = accounts.create_account(session, name=body.name, credits=body.credits)
    return AccountCreated(id=account.id, name=account.name, api_key=key, balance=body.credits)


@router.post("/accounts/{account_id}/credits", response_model=Balance, operation_id="admin_accounts_credit")
def add_credits(account_id: str, body: CreditGrant, session: SessionDep) -> Balance:
    account = accounts.get_account(session, account_id=account_id)
    billing.grant(session, account_id=account.id, amount=body.amount, note=body.note or "admin")
    return Balance(account_id=account.id, balance=billing.balance(session, account.id))
