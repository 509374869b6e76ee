"""Glossaries: terminology a run enforces (`"glossary": "<id>"` or inline pairs on the run)."""

from __future__ import annotations

from fastapi import APIRouter

from polydoc.api.deps import CurrentAccount, SessionDep, one_thread
from polydoc.api.schemas import GlossaryCreate, GlossaryRead
from polydoc.languages import normalise
from polydoc.services import glossaries

router = APIRouter(prefix="/v1/glossaries", tags=["glossaries"])


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
