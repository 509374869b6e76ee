"""Keyset paging for lists: newest first, `after=<id>` continues below that row."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from polydoc.errors import BadRequest


def page(session: Session, model: Any, query: Select, *, limit: int, after: str | None) -> list[Any]:
    if after:
        try:
            after_id = uuid.UUID(after)
        except ValueError:
            raise BadRequest("`after` must be an id from the previous page", code="invalid_cursor") from None
        anchor = session.execute(select(model.created_at, model.id).where(model.id == after_id)).first()
        if anchor is None:
            raise BadRequest("`after` does not name an object in this list", code="invalid_cursor")
        query = query.where(
            or_(
                model.created_at < anchor.created_at,
                and_(model.created_at == anchor.created_at, model.id < anchor.id),
            )
        )
    return list(session.scalars(query.order_by(model.created_at.desc(), model.id.desc()).limit(limit)))
