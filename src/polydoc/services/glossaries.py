"""Stored glossaries, and resolving a run's `glossary` (inline terms or a stored id)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from polydoc.db.models import Glossary
from polydoc.errors import NotFound


def create(
    session: Session,
    *,
    account_id: uuid.UUID,
    name: str,
    terms: list[tuple[str, str]],
    source_language: str | None = None,
    target_language: str | None = None,
) -> Glossary:
    row = Glossary(
        account_id=account_id,
        name=name,
        terms=[list(t) for t in terms],
        source_language=source_language,
        target_language=target_language,
    )
    session.add(row)
    session.flush()
    return row


def get(session: Session, *, account_id: uuid.UUID, glossary_id: str) -> Glossary:
    try:
        gid = uuid.UUID(str(glossary_id))
    except ValueError:
        raise NotFound(f"No glossary {glossary_id}") from None
    row = session.get(Glossary, gid)
    if row is None or row.account_id != account_id:
        raise NotFound(f"No glossary {glossary_id}")
    return row


def list_(session: Session, *, account_id: uuid.UUID) -> list[Glossary]:
    return list(
        session.scalars(
            select(Glossary).where(Glossary.account_id == account_id).order_by(Glossary.created_at.desc())
        )
    )


def delete(session: Session, *, account_id: uuid.UUID, glossary_id: str) -> Glossary:
    row = get(session, account_id=account_id, glossary_id=glossary_id)
    session.delete(row)
    session.flush()
    return row
