"""Runs: create, list, get, cancel, and live progress as server-sent events."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Annotated, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse
from sqlalchemy.orm import Session

from polydoc.api.deps import CurrentAccount, Idempotent, SessionDep, idempotent, one_thread
from polydoc.api.routes._links import set_next_link
from polydoc.api.schemas import RunCreate, RunRead
from polydoc.db.session import get_sessionmaker, session_scope
from polydoc.errors import BadRequest
from polydoc.services import estimates, glossaries, webhooks
from polydoc.services import runs as runs_service

router = APIRouter(prefix="/v1/runs", tags=["runs"])
Once = Annotated[Idempotent, Depends(idempotent("POST /v1/runs"))]


@router.post("", response_model=RunRead, operation_id="runs_create")
@one_thread
def create_run(
    body: RunCreate, session: SessionDep, account: CurrentAccount, once: Once
) -> RunRead | JSONResponse:
    """Start a run. With `max_credits` its estimate comes first, before this request's transaction
    begins (the document is read: `estimates.estimate_run`), and a run above it is refused with 402."""
    priced = None
    if body.max_credits is not None:
        priced = estimate_run(account.id, body)
    hook = webhooks.run_hook(body.webhook_url)  # 422 for a private address; its DNS look-up holds no lock

    def create() -> RunRead:
        run = runs_service.create_run(
            session,
            account_id=account.id,
            input_file_id=body.input_file_id,
            target_language=body.target_language,
            source_language=body.source_language,
            engine=body.engine,
            options=run_options(session, account.id, body) | hook,
            max_credits=body.max_credits,
            priced=priced,
        )
        return RunRead.of(run).model_copy(update={"webhook_secret": run.options.get("webhook_secret")})

    # without max_credits (webhook_url) the fingerprint is the one requests had before the field existed
    unset = {name for name in ("max_credits", "webhook_url") if getattr(body, name) is None}
    return once(body.model_dump(mode="json", exclude=unset or None), create)


def estimate_run(account_id: UUID, body: RunCreate) -> estimates.Estimate:
    """The estimate of the run `body` asks for (its glossary read in a short session of its own)."""
    with session_scope() as s:
        options = run_options(s, account_id, body)
    return estimates.estimate_run(
        account_id=account_id,
        input_file_id=body.input_file_id,
        target_language=body.target_language,
        source_language=body.source_language,
        engine=body.engine,
        options=options,
        max_credits=body.max_credits,
    )


def run_options(session: Session, account_id: UUID, body: RunCreate) -> dict:
    """The run's options: its output mode and glossary terms (a stored glossary's are copied)."""
    options: dict = {}
    if body.output_mode:
        options["output_mode"] = body.output_mode
    if isinstance(body.glossary, str):
        stored = glossaries.get(session, account_id=account_id, glossary_id=body.glossary)
        options["glossary"], options["glossary_id"] = stored.terms, str(stored.id)
    elif body.glossary:
        if len(body.glossary) > 5000:
            raise BadRequest("A glossary may have at most 5000 terms", code="invalid_glossary")
        options["glossary"] = [[t.source, t.target] for t in body.glossary]
    return options


@router.get("", response_model=list[RunRead], operation_id="runs_list")
@one_thread
def list_runs(
    request: Request,
    response: Response,
    session: SessionDep,
    account: CurrentAccount,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: UUID | None = None,
    status: Literal["Running", "Succeeded", "Failed"] | None = None,
) -> list[RunRead]:
    rows = runs_service.list_runs(session, account_id=account.id, limit=limit, after=after, status=status)
    set_next_link(request, response, rows, limit)
    return [RunRead.of(r) for r in rows]


@router.get("/{run_id}", response_model=RunRead, operation_id="runs_get")
@one_thread
def get_run(run_id: str, session: SessionDep, account: CurrentAccount) -> RunRead:
    return RunRead.of(runs_service.get_run(session, account_id=account.id, run_id=run_id))


@router.post("/{run_id}/cancel", response_model=RunRead, operation_id="runs_cancel")
@one_thread
def cancel_run(run_id: str, session: SessionDep, account: CurrentAccount) -> RunRead:
    return RunRead.of(runs_service.cancel_run(session, account_id=account.id, run_id=run_id))


# OpenAPI 3.1 describes a text/event-stream by the schema of one event (`itemSchema` is 3.2)
_RUN_EVENT = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"const": "run"},
        "id": {"type": "string", "description": "<stage>-<progress>"},
        "data": {
            "type": "string",
            "contentMediaType": "application/json",
            "contentSchema": {"$ref": "#/components/schemas/RunRead"},
        },
    },
}


def _snapshot(account_id: object, run_id: str) -> RunRead:
    with get_sessionmaker()() as s:
        return RunRead.of(runs_service.get_run(s, account_id=account_id, run_id=run_id))


@router.get(
    "/{run_id}/events",
    operation_id="runs_events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {"schema": _RUN_EVENT}}}},
)
@one_thread
def run_events(run_id: str, session: SessionDep, account: CurrentAccount) -> StreamingResponse:
    """Server-sent events: a `run` event whenever the run changes, until it ends."""
    first = RunRead.of(runs_service.get_run(session, account_id=account.id, run_id=run_id))
    account_id = account.id

    async def stream() -> AsyncIterator[str]:
        current, last = first, ""
        idle = 0.0
        while True:
            data = current.model_dump_json()
            if data != last:
                yield f"event: run\nid: {current.stage}-{current.progress}\ndata: {data}\n\n"
                last, idle = data, 0.0
            elif idle >= 15:
                yield ": keep-alive\n\n"
                idle = 0.0
            if current.status != "Running":
                return
            await asyncio.sleep(0.25)
            idle += 0.25
            current = await run_in_threadpool(_snapshot, account_id, run_id)

    return StreamingResponse(stream(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"})
