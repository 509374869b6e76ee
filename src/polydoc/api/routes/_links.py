"""Paged lists: the `after` cursor, and the `Link: <…>; rel="next"` header."""

from __future__ import annotations

import uuid

from fastapi import Request, Response
from sqlalchemy.orm import Session

from polydoc.errors import NotFound


def cursor(session: Session, model: type, account_id: uuid.UUID, after: uuid.UUID | None) -> str | None:
    """`after` must name one of the caller's objects (a deleted one too: the list may have changed
    since the page was read). Any other id is not found, whether it exists or not: a cursor must
    not tell whether another account's object exists."""
    if after is None:
        return None
    row = session.get(model, after)
    if row is None or row.account_id != account_id:
        raise NotFound(f"`after` names no object of this list: {after}", code="invalid_cursor")
    return str(after)


def set_next_link(request: Request, response: Response, items: list, limit: int) -> None:
    if len(items) < limit:
        return
    url = request.url.include_query_params(limit=limit, after=str(items[-1].id))
    response.headers["Link"] = f'<{url}>; rel="next"'
