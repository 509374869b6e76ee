"""Keyset paging for lists: newest first, `after=<id>` continues below that row."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from polydoc.errors import NotFound


def page(
    session: Session, model: Any, query: Select, *, account_id: uuid.UUID, limit: int, after: uuid.UUID | None
) -> list[Any]:
    """`after` must name one of the caller's objects (a deleted one too: the list may have changed
    since the page was read). Any other id is not found, whether it exists or not: a cursor must
    not tell whether another account's object exists."""
    if after is not None:
        anchor = session.execute(
            select(model.created_at, model.id).where(model.id == after, model.account_id == account_id)
        ).first()
        if anchor is None:
            raise NotFound(f"`after` names no object of this list: {after}", code="invalid_cursor")
        query = query.where(
            or_(
                model.created_at < anchor.created_at,
                and_(model.created_at == anchor.created_at, model.id < anchor.id),
            )
        )
    return list(session.scalars(query.order_by(model.created_at.desc(), model.id.desc()).limit(limit)))
