"""Request dependencies: the session owns the transaction; the account comes from the key."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlalchemy.orm import Session

from polydoc.api.ratelimit import SlidingWindow
from polydoc.config import get_settings
from polydoc.db.models import Account
from polydoc.db.session import get_sessionmaker, session_scope
from polydoc.errors import Forbidden, Unauthorized
from polydoc.services import accounts
from polydoc.services.idempotency import check_key


def get_session() -> Iterator[Session]:
    """Commit when the endpoint returns (before the response is sent), roll back on error."""
    with session_scope() as session:
        yield session


# scope="function": the commit happens before the response, so a failed commit is an error answer
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


@cache
def _limiter() -> SlidingWindow:
    return SlidingWindow(get_settings().rate_limit_per_minute)


def current_account(request: Request) -> Account:
    """Authenticate in a short session of its own, so no transaction stays open while an upload streams."""
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("Send your API key as `Authorization: Bearer <key>`")
    with get_sessionmaker()() as session:
        account = accounts.authenticate(session, key=key.strip())
        session.commit()
    _limiter().hit(accounts.hash_key(key.strip()))
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]


def idempotency_key(key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> str | None:
    return check_key(key) if key is not None else None


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]


def require_admin(authorization: Annotated[str | None, Header()] = None) -> None:
    import hmac

    token = get_settings().admin_token
    scheme, _, given = (authorization or "").partition(" ")
    if not token:
        raise Forbidden("Admin operations are disabled: set POLYDOC_ADMIN_TOKEN", code="admin_disabled")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise Unauthorized("This operation needs the admin token")


AdminOnly = Depends(require_admin)
