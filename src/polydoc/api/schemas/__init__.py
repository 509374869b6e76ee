"""Wire schemas, every request and response body of `/v1`: files, runs, account and languages here,
a run's segments and their review in `review`, webhooks, text translation and TMX in `integrations`.

The SDK's fields come first; extra fields are ours (the SDK ignores them).
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from polydoc.db.models import File, Glossary, Run, utcnow

if TYPE_CHECKING:
    from polydoc.services.estimates import Estimate


def _json_integer(value: object) -> object:
    """A JSON integer as JSON Schema means it (`5` or `5.0`), not `true` or `"5"`."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("Input should be an integer")
    return value


JsonInt = Annotated[int, BeforeValidator(_json_integer)]
MAX_CREDITS = 10**12  # ledger amounts are 64-bit; larger values were a 500 from the database driver


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
    max_credits: Annotated[int, Field(ge=0, le=MAX_CREDITS), BeforeValidator(_json_integer)] | None = Field(
        None, description="Refuse the run (402 over_max_credits, nothing held) if its estimate is above this"
    )
    webhook_url: str | None = Field(
        None,
        max_length=2000,
        description="Also POST run.succeeded / run.failed here, signed with the answer's webhook_secret",
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
    credits: int | None = Field(
        None,
        description="Charged, once Succeeded; while Running the estimate (the hold until the run has "
        "looked into the translation memory); null when Failed",
    )
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
    segments_flagged: int = Field(0, description="Segments the quality checks flagged for review")
    flag_counts: dict[str, int] = Field(
        {},
        description='Segments per quality flag, e.g. {"number_changed": 2}; see GET /v1/runs/{id}/segments',
    )
    segments_edited: int = Field(
        0, description="Segments a person edited (PATCH /v1/runs/{id}/segments/…, XLIFF)"
    )
    edited_at: datetime | None = Field(
        None, description="When a segment was last edited or the output rendered"
    )
    started_at: datetime | None = None
    attempts: int = 0
    output_mode: str = "translated"
    glossary_terms: int = 0
    hold_credits: int = Field(0, description="Credits reserved when the run was created")
    characters: int | None = Field(None, description="Untagged characters of the unique segments")
    characters_cached: int | None = Field(None, description="Of those, served from translation memory")
    webhook_url: str | None = Field(None, description="The run's own webhook, if it was created with one")
    webhook_secret: str | None = Field(
        None, description="Signs the deliveries to webhook_url; only in the answer that created the run"
    )

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
            credits=run.hold_credits if run.credits is None and run.status == "Running" else run.credits,
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
            segments_flagged=run.segments_flagged or 0,
            flag_counts=dict(run.flag_counts or {}),
            segments_edited=run.segments_edited or 0,
            edited_at=run.edited_at,
            started_at=run.started_at,
            attempts=run.attempts,
            output_mode=(run.options or {}).get("output_mode") or "translated",
            glossary_terms=len((run.options or {}).get("glossary") or ()),
            hold_credits=run.hold_credits,
            characters=run.characters,
            characters_cached=run.characters_cached,
            webhook_url=(run.options or {}).get("webhook_url"),
        )


def _eta(run: Run) -> float | None:
    """Seconds left, extrapolated from progress so far."""
    if run.status != "Running" or not run.started_at or run.progress <= 0.05:
        return None
    elapsed = (utcnow() - run.started_at).total_seconds()
    return round(max(0.0, elapsed * (1 - run.progress) / run.progress), 1)


class EstimateRead(BaseModel):
    """What `POST /v1/runs` with the same body would cost; nothing is held."""

    pages: int = Field(
        description="The document's pages: real pages for PDF/PPTX/ODP, else of 1,800 characters"
    )
    segments: int = Field(description="Segments to translate, repeats included (the run's segments_total)")
    segments_cached: int = Field(
        description="Served without the engine: from memory or repeated in the document"
    )
    characters: int = Field(description="Untagged characters of the unique segments")
    credits: int = Field(
        description="What the run will be charged (at most; equal for deterministic engines)"
    )
    route: str
    engine: str
    source_language: str
    warnings: list[str] = []
    # extras
    input_file_id: UUID
    target_language: str
    characters_cached: int = Field(description="Of the characters, those served from memory")
    pages_cached: float = Field(description="Billed pages served from memory")
    hold: int = Field(description="What creating the run reserves until it ends")
    balance: int = Field(description="Credits available now")
    balance_after: int = Field(description="The balance once the run is charged")

    @classmethod
    def of(cls, estimate: Estimate) -> EstimateRead:
        return cls(**asdict(estimate), balance_after=estimate.balance_after)


class Pricing(BaseModel):
    credits_per_page: int
    chars_per_page: int = Field(description="Characters in a standard page")
    memory_price_share: float = Field(description="Share of the price charged for text served from memory")
    rule: str


class LedgerEntry(BaseModel):
    id: int
    kind: Literal["grant", "hold", "release", "charge"]
    amount: int = Field(description="+ grant or release, - hold or charge")
    run_id: UUID | None = None
    note: str = Field(description="For a charge: the pages translated and the pages from memory")
    created_at: datetime


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
    pricing: Pricing


class LanguagePair(BaseModel):
    source: str
    target: str
    engine: str
    via: list[str] = []


class LanguageInfo(BaseModel):
    code: str
    name: str


class RouteInfo(BaseModel):
    source: str
    target: str
    via: list[str] = Field([], description="Pivot languages, in order; empty for a direct pair")
    quality: Literal["direct", "pivot"] = Field(
        description="pivot: the text goes through other languages, quality may be lower"
    )
    route: str = Field(description="The label a run through it carries, e.g. apertium (en→es→pt)")


class EngineRoutes(BaseModel):
    engine: str
    any_pair: bool = Field(False, description="Takes any pair directly (LLM engines); direct lists * → *")
    direct: list[RouteInfo]
    pivot: list[RouteInfo]


class FormatInfo(BaseModel):
    name: str
    extensions: list[str]
    output_modes: list[str] = Field(description="What `output_mode` on run create accepts for this format")


class LanguagesRead(BaseModel):
    languages: list[LanguageInfo]
    pairs: list[LanguagePair] = Field(description="Every pair, direct or through `via` (the flat listing)")
    engines: list[str]
    default_engine: str
    routes: list[EngineRoutes] = Field([], description="Per engine, direct pairs and pivot routes apart")
    max_pivots: int = Field(1, description="Pivot languages a route may go through (POLYDOC_MAX_PIVOTS)")
    formats: list[FormatInfo] = Field([], description="Every document format and the output modes it offers")


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


# -- webhooks -----------------------------------------------------------------------------------------
