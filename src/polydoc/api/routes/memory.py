"""The account's translation memory as TMX 1.4b: export (streamed) and import (streamed, bounded)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from polydoc.api.deps import CurrentAccount, SessionDep, one_thread
from polydoc.api.schemas.integrations import MemoryImportRead, MemoryPairRead
from polydoc.api.upload import receive_upload, temp_folder
from polydoc.config import get_settings
from polydoc.services import memory_tmx

router = APIRouter(prefix="/v1", tags=["memory"])
TMX_TYPE = "application/x-tmx+xml"

_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["data"],
                    "properties": {
                        "data": {"type": "string", "format": "binary"},
                        "engine": {
                            "type": "string",
                            "description": "Memory for every unit (default: each "
                            "unit's x-polydoc-engine prop, else apertium)",
                        },
                    },
                }
            }
        },
    }
}


@router.get(
    "/memory.tmx",
    operation_id="memory_export",
    response_class=StreamingResponse,
    responses={200: {"content": {TMX_TYPE: {"schema": {"type": "string", "format": "binary"}}}}},
)
@one_thread
def export_memory(
    session: SessionDep,
    account: CurrentAccount,
    source_language: Annotated[str | None, Query(description="Only this source language")] = None,
    target_language: Annotated[str | None, Query(description="Only this target language")] = None,
) -> StreamingResponse:
    plan = memory_tmx.plan_export(
        session, account_id=account.id, source=source_language, target=target_language
    )
    headers = {
        "Content-Disposition": 'attachment; filename="polydoc-memory.tmx"',
        "X-Polydoc-Skipped": str(plan.skipped),  # entries without a source text, not exported
    }
    return StreamingResponse(memory_tmx.export_stream(plan), media_type=TMX_TYPE, headers=headers)


@router.post(
    "/memory.tmx", response_model=MemoryImportRead, openapi_extra=_IMPORT_BODY, operation_id="memory_import"
)
async def import_memory(request: Request, account: CurrentAccount) -> MemoryImportRead:
    fields = {"engine": ""}
    with temp_folder() as folder:
        path, _name, _sha = await receive_upload(
            request, Path(folder), limit=get_settings().tmx_max_bytes, fields=fields
        )
        result = await run_in_threadpool(
            memory_tmx.import_tmx, path, account_id=account.id, engine=fields["engine"].strip() or None
        )
    return MemoryImportRead(
        imported=result.imported,
        skipped=result.skipped,
        skipped_reasons=dict(result.reasons),
        pairs=[
            MemoryPairRead(source_language=s, target_language=t, engine=e, imported=n[0], skipped=n[1])
            for (s, t, e), n in sorted(result.pairs.items())
        ],
    )
