"""Wire schemas of what connects Polydoc to a team's systems: webhooks, text translation, TMX."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, model_validator

from polydoc.api.schemas import GlossaryTerm
from polydoc.db.models import Webhook, WebhookDelivery

WebhookEvent = Literal["run.succeeded", "run.failed"]


class WebhookCreate(BaseModel):
    url: str = Field(min_length=1, max_length=2000, description="http(s) URL on a public address")
    events: list[WebhookEvent] = Field(min_length=1, max_length=10)


class WebhookRead(BaseModel):
    id: UUID
    account_id: UUID
    url: str
    events: list[str]
    created_at: datetime

    @classmethod
    def of(cls, row: Webhook) -> WebhookRead:
        return cls(**{k: getattr(row, k) for k in ("id", "account_id", "url", "events", "created_at")})


class WebhookCreated(WebhookRead):
    secret: str = Field(description="Shown once: verify Polydoc-Signature with it")


class WebhookDeliveryRead(BaseModel):
    id: UUID = Field(description="The Polydoc-Delivery header: the same on every attempt")
    webhook_id: UUID | None
    run_id: UUID
    event: str
    url: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None = Field(description="When the next attempt is due, while pending")
    created_at: datetime
    delivered_at: datetime | None

    @classmethod
    def of(cls, row: WebhookDelivery) -> WebhookDeliveryRead:
        data = {
            k: getattr(row, k)
            for k in ("id", "webhook_id", "run_id", "event", "url", "status", "attempts", "last_status_code")
        }
        return cls(
            **data,
            last_error=row.last_error,
            next_attempt_at=row.next_attempt_at if row.status == "pending" else None,
            created_at=row.created_at,
            delivered_at=row.delivered_at,
        )


# -- text translation ---------------------------------------------------------------------------------


class TranslateRequest(BaseModel):
    # exactly one of the two, as the schema says (`oneOf`); neither may be null
    model_config = ConfigDict(json_schema_extra={"oneOf": [{"required": ["texts"]}, {"required": ["text"]}]})

    texts: list[str] = Field(None, min_length=1, max_length=1000, description="Texts, in order")
    text: str = Field(None, description="One text (instead of texts)")
    target_language: str = Field(min_length=1, max_length=64)
    source_language: str | None = Field(None, max_length=64, description="Detected when left out")
    engine: str | None = Field(None, max_length=64)
    glossary: list[GlossaryTerm] | str | None = Field(
        None, description="Term pairs, or the id of a stored glossary (POST /v1/glossaries)"
    )
    format: Literal["text", "html"] = Field("text", description="html: tags kept, their text translated")

    @model_validator(mode="after")
    def _text_or_texts(self) -> TranslateRequest:
        if (self.text is None) == (self.texts is None):
            raise ValueError("send either `text` or `texts`")
        return self


class TranslateRead(BaseModel):
    translations: list[str] = Field(description="One per text, in order")
    source_language: str
    route: str
    input_tokens: int
    output_tokens: int
    credits: int = Field(description="Charged for this request (0 when the memory served everything)")
    # extras
    target_language: str
    engine: str
    characters: int = Field(description="Untagged characters of the unique segments")
    characters_cached: int = Field(description="Of those, served from translation memory")


class MemoryPairRead(BaseModel):
    source_language: str
    target_language: str
    engine: str  # the memory's name: the engine, with a glossary's fingerprint where one was used
    imported: int
    skipped: int  # kept because a person's translation of the same source is there


class MemoryImportRead(BaseModel):
    """What `POST /v1/memory.tmx` stored (origin `import`) and what it left, and why."""

    imported: int
    skipped: int
    skipped_reasons: dict[str, int]
    pairs: list[MemoryPairRead]
