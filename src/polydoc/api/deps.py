"""Request dependencies: the session owns the transaction; the account comes from the key."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from polydoc.db.models import Account
from polydoc.db.session import get_sessionmaker
from polydoc.errors import Unauthorized
from polydoc.services import accounts


def get_session() -> Iterator[Session]:
    """Commit when the endpoint returns (before the response is sent), roll back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the commit happens before the response, so a failed commit is an error answer
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def current_account(request: Request, session: SessionDep) -> Account:
    header = request.headers.get("authorization", "")
    scheme, _, key = header.partition(" ")
    if scheme.lower() != "bearer" or not key.strip():
        raise Unauthorized("Send your API key as `Authorization: Bearer <key>`")
    return accounts.authenticate(session, key=key.strip())


CurrentAccount = Annotated[Account, Depends(current_account)]
