"""Wire schemas, every request and response body of `/v1`.

The SDK's fields come first; extra fields are ours (the SDK ignores them).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from polydoc.db.models import File, Glossary, Run, utcnow


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


class FileRead(BaseModel):
    id: UUID
    account_id: UUID
    filename: str
    size: int
    num_pages: int
    s3_key: str
    created_at: datetime
    expires_at: datetime
    format: str = Field(description="Detected format, e.g. docx")
    language: str | None = Field(None, description="Language detected at upload")
    run_id: UUID | None = Field(None, description="The run that produced this file, for outputs")
    expired: bool = False

    @classmethod
    def of(cls, row: File) -> FileRead:
        return cls(
            id=row.id,
            account_id=row.account_id,
            filename=row.filename,
            size=row.size,
            num_pages=row.num_pages,
            s3_key=row.s3_key,
            created_at=row.created_at,
            expires_at=row.expires_at,
            format=row.format,
            language=row.language,
            run_id=row.run_id,
            expired=row.purged_at is not None or row.expires_at <= utcnow(),
        )


class GlossaryTerm(BaseModel):
    source: str = Field(min_length=1, max_length=200)
    target: str = Field(min_length=1, max_length=200)


class RunCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    input_file_id: str
    target_language: str = Field(min_length=1, max_length=64)
    source_language: str | None = Field(None, max_length=64)
    engine: str | None = Field(None, max_length=64)
    output_mode: Literal["translated", "bilingual"] | None = None
    glossary: list[GlossaryTerm] | str | None = Field(
        None, description="Term pairs, or the id of a stored glossary (POST /v1/glossaries)"
    )


class RunRead(BaseModel):
    id: UUID
    account_id: UUID
    input_file_id: UUID
    target_language: str
    status: Literal["Running", "Succeeded", "Failed"]
    created_at: datetime
    finished_at: datetime | None = None
    output_file_id: UUID | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    credits: int | None = None
    # extras
    stage: str
    progress: float
    eta_seconds: float | None = None
    source_language: str | None = None
    engine: str
    route: str | None = None
    error: ErrorDetail | None = None
    warnings: list[str] = []
    segments_total: int = 0
    segments_done: int = 0
    segments_cached: int = 0
    segments_failed: int = 0
    started_at: datetime | None = None
    attempts: int = 0
    output_mode: str = "translated"
    glossary_terms: int = 0

    @classmethod
    def of(cls, run: Run) -> RunRead:
        return cls(
            id=run.id,
            account_id=run.account_id,
            input_file_id=run.input_file_id,
            target_language=run.target_language,
            status=run.status,
            created_at=run.created_at,
            finished_at=run.finished_at,
            output_file_id=run.output_file_id,
            input_tokens=run.input_tokens,
            output_tokens=run.output_tokens,
            credits=run.credits,
            stage=run.stage,
            progress=run.progress,
            eta_seconds=_eta(run),
            source_language=run.source_language,
            engine=run.engine,
            route=run.route,
            error=ErrorDetail(code=run.error_code, message=run.error_message or "")
            if run.error_code
            else None,
            warnings=list(run.warnings or []),
            segments_total=run.segments_total,
            segments_done=run.segments_done,
            segments_cached=run.segments_cached,
            segments_failed=run.segments_failed,
            started_at=run.started_at,
            attempts=run.attempts,
            output_mode=(run.options or {}).get("output_mode") or "translated",
            glossary_terms=len((run.options or {}).get("glossary") or ()),
        )


def _eta(run: Run) -> float | None:
    """Seconds left, extrapolated from progress so far."""
    if run.status != "Running" or not run.started_at or run.progress <= 0.05:
        return None
    elapsed = (utcnow() - run.started_at).total_seconds()
    return round(max(0.0, elapsed * (1 - run.progress) / run.progress), 1)


class AccountRead(BaseModel):
    id: UUID
    name: str
    created_at: datetime
    balance: int = Field(description="Credits available now (holds subtracted)")
    held: int = Field(description="Credits reserved by runs in progress")
    spent: int = Field(description="Credits charged by finished runs")
    runs_total: int
    runs_running: int
    input_tokens: int
    output_tokens: int


class LanguagePair(BaseModel):
    source: str
    target: str
    engine: str
    via: list[str] = []


class LanguageInfo(BaseModel):
    code: str
    name: str


class LanguagesRead(BaseModel):
    languages: list[LanguageInfo]
    pairs: list[LanguagePair]
    engines: list[str]
    default_engine: str


# -- glossaries ---------------------------------------------------------------------------------------


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
    def of(cls, row: Glossary) -> GlossaryRead:
        data = {
            k: getattr(row, k)
            for k in ("id", "account_id", "name", "source_language", "target_language", "created_at")
        }
        return cls(**data, terms=[GlossaryTerm(source=s, target=t) for s, t in row.terms])


# -- API keys -----------------------------------------------------------------------------------------


class KeyRead(BaseModel):
    id: UUID
    prefix: str = Field(description="The first characters, to recognise the key")
    created_at: datetime
    revoked_at: datetime | None = None


class KeyCreated(KeyRead):
    api_key: str = Field(description="Shown once; only its hash is stored")


# -- admin --------------------------------------------------------------------------------------------


def _json_integer(value: object) -> object:
    """A JSON integer as JSON Schema means it (`5` or `5.0`), not `true` or `"5"`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be an integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
MAX_CREDITS = 10**12  # ledger amounts are 64-bit; larger values were a 500 from the database driver


class AccountCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    credits: JsonInt = Field(0, ge=0, le=MAX_CREDITS)


class AccountCreated(BaseModel):
    id: UUID
    name: str
    api_key: str = Field(description="Shown once; only its hash is stored")
    balance: int


class CreditGrant(BaseModel):
    amount: JsonInt = Field(
        description="Credits to add (negative to remove)", ge=-MAX_CREDITS, le=MAX_CREDITS
    )
    note: str = Field("", max_length=200)


class Balance(BaseModel):
    account_id: UUID
    balance: int
