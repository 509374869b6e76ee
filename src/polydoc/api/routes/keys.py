"""The caller's API keys: several per account, each shown once, revocable."""

from __future__ import annotations

from fastapi import APIRouter

from polydoc.api.deps import CurrentAccount, SessionDep, one_thread
from polydoc.api.schemas import KeyCreated, KeyRead
from polydoc.services import accounts

router = APIRouter(prefix="/v1/keys", tags=["account"])


@router.get("", response_model=list[KeyRead], operation_id="keys_list")
@one_thread
def list_keys(session: SessionDep, account: CurrentAccount) -> list[KeyRead]:
    return [
        KeyRead.model_validate(k, from_attributes=True)
        for k in accounts.list_keys(session, account_id=account.id)
    ]


@router.post("", response_model=KeyCreated, operation_id="keys_create")
@one_thread
def create_key(session: SessionDep, account: CurrentAccount) -> KeyCreated:
    key = accounts.create_key(session, account_id=account.id)
    row = accounts.find_key(session, key=key)
    return KeyCreated(id=row.id, prefix=row.prefix, created_at=row.created_at, api_key=key)


@router.delete("/{key_id}", response_model=KeyRead, operation_id="keys_revoke")
@one_thread
def revoke_key(key_id: str, session: SessionDep, account: CurrentAccount) -> KeyRead:
    row = accounts.revoke_key_by_id(session, account_id=account.id, key_id=key_id)
    return KeyRead.model_validate(row, from_attributes=True)
