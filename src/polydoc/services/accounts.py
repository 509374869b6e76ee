"""Accounts and API keys. Keys are shown once and stored as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from polydoc import billing
from polydoc.db.models import Account, ApiKey, utcnow
from polydoc.errors import NotFound, Unauthorized

KEY_PREFIX = "pd_"


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(session: Session, *, account_id: uuid.UUID) -> str:
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    session.add(ApiKey(account_id=account_id, prefix=key[:10], key_hash=hash_key(key)))
    session.flush()
    return key


def create_account(session: Session, *, name: str, credits: int = 0) -> tuple[Account, str]:
    account = Account(name=name)
    session.add(account)
    session.flush()
    if credits:
        billing.grant(session, account_id=account.id, amount=credits, note="initial credits")
    return account, create_key(session, account_id=account.id)


def authenticate(session: Session, *, key: str) -> Account:
    row = session.execute(
        select(Account, ApiKey.revoked_at)
        .join(ApiKey, ApiKey.account_id == Account.id)
        .where(ApiKey.key_hash == hash_key(key))
    ).first()
    if row is None or row.revoked_at is not None:
        raise Unauthorized("The API key is not valid")
    return row.Account


def get_account(session: Session, *, account_id: uuid.UUID | str) -> Account:
    try:
        account = session.get(Account, uuid.UUID(str(account_id)))
    except ValueError:
        account = None
    if account is None:
        raise NotFound(f"No account {account_id}")
    return account


def revoke_key(session: Session, *, key: str) -> None:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if row is None:
        raise NotFound("No such key")
    row.revoked_at = utcnow()
    session.flush()


def find_key(session: Session, *, key: str) -> ApiKey:
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    if row is None:
        raise NotFound("No such key")
    return row


def list_keys(session: Session, *, account_id: uuid.UUID) -> list[ApiKey]:
    return list(
        session.scalars(select(ApiKey).where(ApiKey.account_id == account_id).order_by(ApiKey.created_at))
    )


def revoke_key_by_id(session: Session, *, account_id: uuid.UUID, key_id: str) -> ApiKey:
    try:
        kid = uuid.UUID(key_id)
    except ValueError:
        raise NotFound(f"No key {key_id}") from None
    row = session.get(ApiKey, kid)
    if row is None or row.account_id != account_id:
        raise NotFound(f"No key {key_id}")
    row.revoked_at = row.revoked_at or utcnow()
    session.flush()
    return row
