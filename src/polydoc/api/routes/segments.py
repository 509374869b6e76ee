"""A run's segments (source, translation, origin and quality flags, in document order), a person's
edits of them, the output rebuilt from them, and the run as XLIFF 2.1 for CAT tools."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import quote

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from polydoc.api.deps import CurrentAccount, SessionDep, one_thread
from polydoc.api.routes._links import set_next_link
from polydoc.api.schemas import RunRead
from polydoc.api.schemas.review import SegmentEdit, SegmentRead, XliffApplied
from polydoc.api.upload import receive_upload, temp_folder
from polydoc.db.session import session_scope
from polydoc.errors import TooLarge
from polydoc.quality import FLAGS
from polydoc.services import runs as runs_service
from polydoc.services.review import edits as review
from polydoc.services.review import segments as segments_service
from polydoc.services.review import xliff as review_xliff

router = APIRouter(prefix="/v1/runs", tags=["runs"])
FlagName = Literal[tuple(sorted(FLAGS))]  # type: ignore[valid-type]  # the flags, named in the schema


@router.get("/{run_id}/segments", response_model=list[SegmentRead], operation_id="runs_segments")
@one_thread
def list_segments(
    run_id: str,
    request: Request,
    response: Response,
    session: SessionDep,
    account: CurrentAccount,
    limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    after: Annotated[str | None, Query(description="Continue after this segment id (s12)")] = None,
    flagged: Annotated[bool, Query(description="Only the segments with a quality flag")] = False,
    flag: Annotated[FlagName | None, Query(description="Only the segments with this flag")] = None,
    edited: Annotated[bool, Query(description="Only the segments a person edited")] = False,
) -> list[SegmentRead]:
    rows = segments_service.list_segments(
        session, account_id=account.id, run_id=run_id, limit=limit, after=after, flag=flag, flagged=flagged, edited=edited
    )
    items = [SegmentRead.of(r) for r in rows]
    set_next_link(request, response, items, limit)
    return items


@router.patch(
    "/{run_id}/segments/{segment_id}", response_model=SegmentRead, operation_id="runs_segments_edit"
)
@one_thread
def edit_segment(
    run_id: str, segment_id: str, body: SegmentEdit, session: SessionDep, account: CurrentAccount
) -> SegmentRead:
    """A person's translation of one segment: it must keep the source's inline tags (422
    `tags_mismatch`, nothing changed), is checked like the engine's, and enters the memory as human."""
    row = review.edit_segment(
        session, account_id=account.id, run_id=run_id, segment_id=segment_id, target=body.target
    )
    return SegmentRead.of(row)


@router.post("/{run_id}/render", response_model=RunRead, operation_id="runs_render")
async def render_run(run_id: str, account: CurrentAccount) -> RunRead:
    """Rebuild the output from the current segments: a new `output_file_id`, no credits, no engine
    (410 when the input file has expired)."""
    rid = await run_in_threadpool(review.render, account_id=account.id, run_id=run_id)
    return await run_in_threadpool(_run_now, account.id, str(rid))


def _run_now(account_id: object, run_id: str) -> RunRead:
    with session_scope() as s:
        return RunRead.of(runs_service.get_run(s, account_id=account_id, run_id=run_id))


@router.get(
    "/{run_id}/xliff",
    operation_id="runs_xliff",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/xliff+xml": {"schema": {"type": "string"}}}}},
)
async def download_xliff(run_id: str, account: CurrentAccount) -> StreamingResponse:
    """The run as XLIFF 2.1: one unit per segment (id = segment id), tags as pc/ph, state translated/reviewed."""
    name, chunks = await run_in_threadpool(review_xliff.export, account_id=account.id, run_id=run_id)
    disposition = f"attachment; filename*=UTF-8''{quote(name)}"
    return StreamingResponse(
        chunks, media_type="application/xliff+xml", headers={"Content-Disposition": disposition}
    )


@router.post(
    "/{run_id}/xliff",
    response_model=XliffApplied,
    operation_id="runs_xliff_apply",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["data"],
                        "properties": {"data": {"type": "string", "format": "binary"}},
                    }
                }
            },
        }
    },
)
async def apply_xliff(run_id: str, request: Request, account: CurrentAccount) -> XliffApplied:
    """Apply the targets of an edited XLIFF (same checks as PATCH; units the run does not have are
    refused by id and nothing changes), then render the output."""
    with temp_folder() as folder:
        path, _name, _sha = await receive_upload(request, Path(folder))
        if path.stat().st_size > _MAX_XLIFF:
            raise TooLarge(f"An XLIFF file may be at most {_MAX_XLIFF} bytes")
        data = path.read_bytes()

    def apply() -> int:
        with session_scope() as s:
            return review_xliff.apply(s, account_id=account.id, run_id=run_id, data=data)

    changed = await run_in_threadpool(apply)
    await run_in_threadpool(review.render, account_id=account.id, run_id=run_id)
    return XliffApplied(segments_changed=changed, run=await run_in_threadpool(_run_now, account.id, run_id))


_MAX_XLIFF = 200 * 1024 * 1024  # parsed whole (lxml): a run of 20,000 long segments is ~20 MB
