"""`Idempotency-Key`: a repeated request returns the first answer and creates nothing new."""

from __future__ import annotations

import hashlib
import json
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from polydoc.db.models import IdempotentRequest
from polydoc.errors import BadRequest, Conflict


def fingerprint(payload: object) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def check_key(key: str) -> str:
    key = key.strip()
    if not key or len(key) > 255:
        raise BadRequest("Idempotency-Key must be 1 to 255 characters", code="invalid_idempotency_key")
    return key


def replay(session: Session, *, account_id: uuid.UUID, scope: str, key: str, print_: str) -> dict | None:
    """The stored answer for this key, or None; a key reused for a different request is a conflict."""
    row = session.scalar(
        select(IdempotentRequest).where(
            IdempotentRequest.account_id == account_id,
            IdempotentRequest.scope == scope,
            IdempotentRequest.key == key,
        )
    )
    if row is None:
        return None
    if row.fingerprint != print_:
        raise Conflict(
            "This Idempotency-Key was already used for a different request", code="idempotency_key_reused"
        )
    return row.response


def remember(
    session: Session, *, account_id: uuid.UUID, scope: str, key: str, print_: str, response: dict
) -> None:
    session.add(
        IdempotentRequest(account_id=account_id, scope=scope, key=key, fingerprint=print_, response=response)
    )
    session.flush()
