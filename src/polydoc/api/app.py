"""The FastAPI application: routers, the error format and the web page."""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

from polydoc import __version__
from polydoc.api import upload
from polydoc.api.docs import add_docs
from polydoc.api.routes import (
    account,
    admin,
    estimates,
    files,
    glossaries,
    keys,
    languages,
    memory,
    metrics,
    runs,
    segments,
    translate,
    webhooks,
)
from polydoc.api.schemas import ErrorBody
from polydoc.config import get_settings
from polydoc.errors import PolydocError, RateLimited
from polydoc.logs import setup_logging

log = logging.getLogger("polydoc.api")
WEB = Path(__file__).resolve().parent.parent / "web"
_ERRORS = {c: {"model": ErrorBody} for c in (400, 401, 402, 404, 409, 410, 413, 415, 422, 429)}


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _allowed_methods(request: Request) -> str:
    """Every method the path answers to (RFC 9110 `Allow`). Starlette's own 405 names only the
    methods of the first route whose path matched, e.g. `POST` for `/v1/files`, which is also GET."""
    methods: set[str] = set()
    for route in request.app.router.routes:
        if getattr(route, "methods", None) and route.matches(request.scope)[0] is not Match.NONE:
            methods |= route.methods
    return ", ".join(sorted(methods))


def create_app() -> FastAPI:
    settings = get_settings()
    setup_logging(settings.log_format, settings.log_level)
    app = FastAPI(
        title="Polydoc",
        version=__version__,
        description="Self-hosted document translation. Authenticate with `Authorization: Bearer <api key>`.",
        responses=_ERRORS,
        docs_url=None,  # add_docs: the same pages with assets served by us, not a CDN
        redoc_url=None,
    )
    add_docs(app)
    upload.startup()  # temp sweep, warm parser processes (issue 16)
    for module in (files, runs, estimates, glossaries, account, keys, languages, admin, metrics):
        app.include_router(module.router)
    for module in (translate, webhooks, segments, memory):
        app.include_router(module.router)

    @app.exception_handler(PolydocError)
    async def _polydoc_error(_request: Request, exc: PolydocError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if exc.http_status == 401 else None
        if isinstance(exc, RateLimited):
            headers = {"Retry-After": str(exc.retry_after)}
        return _error(exc.http_status, exc.code, exc.message, headers)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()) if p != "body")
        return _error(422, "invalid_request", f"{where}: {first.get('msg', 'invalid')}".strip(": "))

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        headers = {"Allow": _allowed_methods(request)} if exc.status_code == 405 else exc.headers
        return _error(exc.status_code, code, str(exc.detail), headers)

    @app.exception_handler(Exception)
    async def _unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error", exc_info=exc)
        return _error(500, "internal_error", "An unexpected error occurred; it has been logged")

    @app.get("/healthz", tags=["health"], operation_id="health")
    async def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/", include_in_schema=False)
    def index() -> FileResponse:
        return FileResponse(WEB / "index.html", media_type="text/html")

    app.mount("/static", StaticFiles(directory=WEB), name="static")  # the web page's scripts and styles
    return app
