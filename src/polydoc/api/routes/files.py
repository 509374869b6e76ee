"""Files: upload (streamed), list, get, download, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated
from urllib.parse import quote
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, StreamingResponse

from polydoc.api.deps import CurrentAccount, Idempotent, SessionDep, idempotent, one_thread
from polydoc.api.routes._links import set_next_link
from polydoc.api.schemas import FileRead
from polydoc.api.upload import inspect_upload, receive_upload, temp_folder
from polydoc.services import files as files_service
from polydoc.storage import get_store

router = APIRouter(prefix="/v1/files", tags=["files"])
Once = Annotated[Idempotent, Depends(idempotent("POST /v1/files"))]

_UPLOAD_BODY = {
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
}


@router.post("", response_model=FileRead, openapi_extra=_UPLOAD_BODY, operation_id="files_create")
async def create_file(
    request: Request, session: SessionDep, account: CurrentAccount, once: Once
) -> FileRead | JSONResponse:
    with temp_folder() as folder:
        path, filename, sha256 = await receive_upload(request, Path(folder))
        # the document is read before any transaction begins, the database work is one thread's (deps.one_thread)
        inspected = await inspect_upload(path, files_service.clean_filename(filename))

        def create() -> FileRead:
            row = files_service.create_file(
                session,
                account_id=account.id,
                upload=path,
                filename=filename,
                inspected=inspected,
                sha256=sha256,
            )
            return FileRead.of(row)

        return await run_in_threadpool(once, [sha256, filename], create)


@router.get("", response_model=list[FileRead], operation_id="files_list")
@one_thread
def list_files(
    request: Request,
    response: Response,
    session: SessionDep,
    account: CurrentAccount,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    after: UUID | None = None,
) -> list[FileRead]:
    rows = files_service.list_files(session, account_id=account.id, limit=limit, after=after)
    set_next_link(request, response, rows, limit)
    return [FileRead.of(r) for r in rows]


@router.get("/{file_id}", response_model=FileRead, operation_id="files_get")
@one_thread
def get_file(file_id: str, session: SessionDep, account: CurrentAccount) -> FileRead:
    return FileRead.of(files_service.get_file(session, account_id=account.id, file_id=file_id))


@router.delete("/{file_id}", response_model=FileRead, operation_id="files_delete")
@one_thread
def delete_file(file_id: str, session: SessionDep, account: CurrentAccount) -> FileRead:
    return FileRead.of(files_service.delete_file(session, account_id=account.id, file_id=file_id))


@router.get(
    "/{file_id}/download",
    operation_id="files_download",
    response_class=StreamingResponse,
    responses={
        200: {"content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}
    },
)
@one_thread
def download_file(file_id: str, session: SessionDep, account: CurrentAccount) -> StreamingResponse:
    row = files_service.get_file(session, account_id=account.id, file_id=file_id)
    files_service.ensure_available(row)
    ascii_name = row.filename.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    headers = {
        "Content-Disposition": f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(row.filename)}",
        "Content-Length": str(row.size),
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return StreamingResponse(
        get_store().iter_bytes(row.s3_key), media_type="application/octet-stream", headers=headers
    )
