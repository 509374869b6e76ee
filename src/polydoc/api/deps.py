"""Request dependencies: the session owns the transaction; the account comes from the key; a
POST's `Idempotency-Key` replays its first answer (`idempotent`).

Endpoints that use the session are async, or sync and wrapped in `one_thread`: see there why.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from functools import cache, wraps
from typing import Annotated, ParamSpec, TypeVar

from fastapi import Depends, Header, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from sqlalchemy.orm import Session

from polydoc.api.ratelimit import SlidingWindow
from polydoc.config import get_settings
from polydoc.db.models import Account
from polydoc.db.session import get_sessionmaker, session_scope
from polydoc.errors import Forbidden, Unauthorized
from polydoc.services import accounts, idempotency


def get_session() -> Iterator[Session]:
    """Commit when the endpoint returns (before the response is sent), roll back on error."""
    with session_scope() as session:
        yield session


# scope="function": the commit happens before the response, so a failed commit is an error answer
SessionDep = Annotated[Session, Depends(get_session, scope="function")]

P = ParamSpec("P")
R = TypeVar("R")


def one_thread(endpoint: Callable[P, R]) -> Callable[P, Awaitable[R]]:
    """Run a synchronous endpoint that uses the session in one pool thread, as an async endpoint.

    Once a transaction has begun it holds SQLite's write lock (BEGIN IMMEDIATE) until the
    commit, so nothing may then wait for a thread of the pool: under load all of them can be
    waiting for that very lock or for a connection, and the request that holds it never gets
    the thread it needs (measured: 60 clients stalled the API for the 30 s busy timeout, then
    answered 500s). FastAPI validates a sync endpoint's answer in another pool thread before the
    session's commit; an async endpoint's answer is validated on the event loop, and the commit
    runs on a thread of its own (fastapi.concurrency.contextmanager_in_threadpool).
    """

    @wraps(endpoint)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run


@cache
def _limiter() -> SlidingWindow:
    return SlidingWindow(get_settings().rate_limit_per_minute)


# `Authorization: Bearer <key>`, also described in the OpenAPI document (a security scheme, so
# clients and Schemathesis know every /v1 operation needs it); None when missing or not Bearer
_BEARER = HTTPBearer(auto_error=False, description="An account's API key, or the admin token for /v1/admin")
BearerScheme = Annotated[HTTPAuthorizationCredentials | None, Depends(_BEARER)]


def _bearer(credentials: HTTPAuthorizationCredentials | None) -> str:
    return credentials.credentials.strip() if credentials is not None else ""


@cache
def _failures() -> SlidingWindow:
    return SlidingWindow(
        get_settings().auth_failures_per_minute, what="invalid API keys a minute from this address"
    )


def client_address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def current_account(request: Request, credentials: BearerScheme) -> Account:
    """Authenticate in a short session of its own, so no transaction stays open while an upload streams.

    Invalid keys are counted by client address: past `auth_failures_per_minute` the address gets
    429 before any key is looked at, so keys cannot be guessed at the request rate."""
    key = _bearer(credentials)
    if not key:
        raise Unauthorized("Send your API key as `Authorization: Bearer <key>`")
    address = client_address(request)
    _failures().check(address)
    try:
        with get_sessionmaker()() as session:
            account = accounts.authenticate(session, key=key)
            session.commit()
    except Unauthorized:
        _failures().record(address)
        raise
    _limiter().hit(accounts.hash_key(key))
    return account


CurrentAccount = Annotated[Account, Depends(current_account)]


def idempotency_key(key: Annotated[str | None, Header(alias="Idempotency-Key")] = None) -> str | None:
    return idempotency.check_key(key) if key is not None else None


IdempotencyKey = Annotated[str | None, Depends(idempotency_key)]
Answer = TypeVar("Answer", bound=BaseModel)


class Idempotent:
    """One operation's `Idempotency-Key`: a repeated request gets the first answer and creates
    nothing; the same key with a different request is a conflict. Without a key, it just creates.

    Call it where the session is used (the endpoint's one thread, see `one_thread`).
    """

    def __init__(self, session: Session, *, account_id: uuid.UUID, scope: str, key: str | None) -> None:
        self.session, self.account_id, self.scope, self.key = session, account_id, scope, key

    def __call__(self, request: object, create: Callable[[], Answer]) -> Answer | JSONResponse:
        """The answer `create()` makes, remembered under the key; or the one remembered for `request`."""
        if self.key is None:
            return create()
        print_ = idempotency.fingerprint(request)
        prior = idempotency.replay(
            self.session, account_id=self.account_id, scope=self.scope, key=self.key, print_=print_
        )
        if prior is not None:
            return JSONResponse(prior)
        answer = create()
        idempotency.remember(
            self.session,
            account_id=self.account_id,
            scope=self.scope,
            key=self.key,
            print_=print_,
            response=answer.model_dump(mode="json"),
        )
        return answer


def idempotent(scope: str) -> Callable[..., Awaitable[Idempotent]]:
    """The dependency giving `scope`'s `Idempotent` (e.g. "POST /v1/runs") for the request."""

    async def dependency(session: SessionDep, account: CurrentAccount, key: IdempotencyKey) -> Idempotent:
        return Idempotent(session, account_id=account.id, scope=scope, key=key)

    return dependency


def require_admin(credentials: BearerScheme) -> None:
    import hmac

    token = get_settings().admin_token
    if not token:
        raise Forbidden("Admin operations are disabled: set POLYDOC_ADMIN_TOKEN", code="admin_disabled")
    if not hmac.compare_digest(_bearer(credentials).encode(), token.encode()):
        raise Unauthorized("This operation needs the admin token")


AdminOnly = Depends(require_admin)
