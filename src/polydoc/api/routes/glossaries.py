"""Glossaries: terminology a run enforces (`"glossary": "<id>"` or inline pairs on the run)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from fastapi import APIRouter
from pydantic import BaseModel, Field

from polydoc.api.deps import CurrentAccount, SessionDep, one_thread
from polydoc.api.schemas import GlossaryTerm
from polydoc.languages import normalise
from polydoc.services import glossaries

router = APIRouter(prefix="/v1/glossaries", tags=["glossaries"])


class GlossaryCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    terms: list[GlossaryTerm] = Field(min_length=1, max_length=5000)
    source_language: str | None = None
    target_language: str | None = None


class GlossaryRead(BaseModel):
    id: UUID
    account_id: UUID
    name: str
    terms: list[GlossaryTerm]
    source_language: str | None
    target_language: str | None
    created_at: datetime

    @classmethod
    def of(cls, row: object) -> GlossaryRead:
        data = {
            k: getattr(row, k)
            for k in ("id", "account_id", "name", "source_language", "target_language", "created_at")
        }
        return cls(**data, terms=[GlossaryTerm(source=s, target=t) for s, t in row.terms])  # type: ignore[attr-defined]


@router.post("", response_model=GlossaryRead, operation_id="glossaries_create")
@one_thread
def create_glossary(body: GlossaryCreate, session: SessionDep, account: CurrentAccount) -> GlossaryRead:
    row = glossaries.create(
        session,
        account_id=account.id,
        name=body.name,
        terms=[(t.source, t.target) for t in body.terms],
        source_language=normalise(body.source_language) if body.source_language else None,
        target_language=normalise(body.target_language) if body.target_language else None,
    )
    return GlossaryRead.of(row)


@router.get("", response_model=list[GlossaryRead], operation_id="glossaries_list")
@one_thread
def list_glossaries(session: SessionDep, account: CurrentAccount) -> list[GlossaryRead]:
    return [GlossaryRead.of(r) for r in glossaries.list_(session, account_id=account.id)]


@router.get("/{glossary_id}", response_model=GlossaryRead, operation_id="glossaries_get")
@one_thread
def get_glossary(glossary_id: str, session: SessionDep, account: CurrentAccount) -> GlossaryRead:
    return GlossaryRead.of(glossaries.get(session, account_id=account.id, glossary_id=glossary_id))


@router.delete("/{glossary_id}", response_model=GlossaryRead, operation_id="glossaries_delete")
@one_thread
def delete_glossary(glossary_id: str, session: SessionDep, account: CurrentAccount) -> GlossaryRead:
    return GlossaryRead.of(glossaries.delete(session, account_id=account.id, glossary_id=glossary_id))
