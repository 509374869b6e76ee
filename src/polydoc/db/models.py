"""Tables: accounts, API keys, files, runs, the credit ledger, the segment cache and webhooks.

The database is the source of truth. Relationships are `raise_on_sql` so no query runs
implicitly; services load what they need explicitly.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Stores UTC, always returns an aware datetime (SQLite forgets offsets)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: object) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


BigId = BigInteger().with_variant(Integer, "sqlite")


class Base(DeclarativeBase):
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


class Account(Base):
    __tablename__ = "accounts"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class File(Base):
    __tablename__ = "files"
    __table_args__ = (Index("ix_files_account_created", "account_id", "created_at"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(BigInteger)
    num_pages: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(35), default=None)  # detected at upload
    s3_key: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)
    purged_at: Mapped[datetime | None] = mapped_column(default=None)
    run_id: Mapped[uuid.UUID | None] = mapped_column(default=None)  # set on a run's output file


class Run(Base):
    __tablename__ = "runs"
    __table_args__ = (
        Index("ix_runs_account_created", "account_id", "created_at"),
        Index("ix_runs_status_lease", "status", "lease_until"),
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    input_file_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("files.id"))
    target_language: Mapped[str] = mapped_column(String(35))
    source_language: Mapped[str | None] = mapped_column(String(35), default=None)
    engine: Mapped[str] = mapped_column(String(64))
    route: Mapped[str | None] = mapped_column(String(200), default=None)  # "apertium en→es→pt"
    options: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(16), default="Running")  # Running | Succeeded | Failed
    stage: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    warnings: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    output_file_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    input_tokens: Mapped[int | None] = mapped_column(BigInteger, default=None)
    output_tokens: Mapped[int | None] = mapped_column(BigInteger, default=None)
    credits: Mapped[int | None] = mapped_column(BigInteger, default=None)
    hold_credits: Mapped[int] = mapped_column(BigInteger, default=0)
    # the price's basis (billing.Basis), fixed by the first attempt's look into the memory, so a
    # retry does not count the translations its predecessor stored as served from memory
    characters: Mapped[int | None] = mapped_column(BigInteger, default=None)
    characters_cached: Mapped[int | None] = mapped_column(BigInteger, default=None)
    segments_total: Mapped[int] = mapped_column(Integer, default=0)
    segments_done: Mapped[int] = mapped_column(Integer, default=0)
    segments_cached: Mapped[int] = mapped_column(Integer, default=0)
    segments_failed: Mapped[int] = mapped_column(Integer, default=0)
    # quality checks (polydoc.quality): how many segments got a flag, and how many of each kind
    segments_flagged: Mapped[int] = mapped_column(Integer, default=0)
    flag_counts: Mapped[dict | None] = mapped_column(JSON, default=dict)
    # review: segments a person edited, and when the last edit was made
    segments_edited: Mapped[int] = mapped_column(Integer, default=0)
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    worker: Mapped[str | None] = mapped_column(String(200), default=None)
    engine_seconds: Mapped[float] = mapped_column(Float, default=0.0)  # time spent waiting on engines


class RunSegment(Base):
    """One segment of a run's document, in document order: its source, its translation, where the
    translation came from and what the quality checks found. The review and the flags read these."""

    __tablename__ = "run_segments"
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True)
    index: Mapped[int] = mapped_column(Integer, primary_key=True)  # 0-based, document order
    segment_key: Mapped[str] = mapped_column(Text)  # the format's structural path (Segment.id)
    source: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(8))  # engine | memory | human | kept
    context: Mapped[str] = mapped_column(String(64), default="")
    flags: Mapped[list] = mapped_column(JSON, default=list)  # [{"flag": "number_changed", "detail": "…"}]
    flag_names: Mapped[str] = mapped_column(String(400), default="")  # " number_changed tags_changed ": filters
    edited_at: Mapped[datetime | None] = mapped_column(default=None)
    match: Mapped[float | None] = mapped_column(Float, default=None)  # best fuzzy match in the memory, 0–1


class Glossary(Base):
    """Stored terminology: (source term, target term) pairs a run can name by id."""

    __tablename__ = "glossaries"
    __table_args__ = (Index("ix_glossaries_account_created", "account_id", "created_at"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    source_language: Mapped[str | None] = mapped_column(String(35), default=None)
    target_language: Mapped[str | None] = mapped_column(String(35), default=None)
    terms: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IdempotentRequest(Base):
    """The first answer to a request sent with an Idempotency-Key, replayed for repeats."""

    __tablename__ = "idempotent_requests"
    __table_args__ = (UniqueConstraint("account_id", "scope", "key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    scope: Mapped[str] = mapped_column(String(64))  # "POST /v1/runs"
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))  # hash of the request body, where known
    response: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PeriodicSlot(Base):
    """Who runs a periodic task this period: workers race for the row, one wins per period."""

    __tablename__ = "periodic_slots"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_run_at: Mapped[datetime] = mapped_column()
    holder: Mapped[str | None] = mapped_column(String(200), default=None)


class CreditEntry(Base):
    """Append-only ledger: balance = SUM(amount). Never updated, never deleted."""

    __tablename__ = "credit_entries"
    __table_args__ = (UniqueConstraint("account_id", "idem_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"), index=True)
    amount: Mapped[int] = mapped_column(BigInteger)  # + grant/release, - hold/charge
    kind: Mapped[str] = mapped_column(String(16))  # grant | hold | release | charge
    run_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    idem_key: Mapped[str] = mapped_column(String(100))  # "run:<id>:hold"
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CachedSegment(Base):
    """Translation memory, scoped to one account so nobody's text answers another's."""

    __tablename__ = "segment_cache"
    __table_args__ = (
        UniqueConstraint("account_id", "engine", "source_language", "target_language", "source_hash"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    engine: Mapped[str] = mapped_column(String(64))
    source_language: Mapped[str] = mapped_column(String(35))
    target_language: Mapped[str] = mapped_column(String(35))
    source_hash: Mapped[str] = mapped_column(String(64))
    target_text: Mapped[str] = mapped_column(Text)
    source_text: Mapped[str | None] = mapped_column(Text, default=None)  # for TMX export and fuzzy matches
    origin: Mapped[str] = mapped_column(String(8), default="engine")  # engine | human | import
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CachedSegmentBand(Base):
    """The memory's fuzzy index: an entry's locality-sensitive hash keys (engines.similarity), so a
    lookup reads the entries sharing a key instead of scoring every entry."""

    __tablename__ = "segment_cache_bands"
    __table_args__ = (Index("ix_segment_cache_bands_cache_id", "cache_id"),)
    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    cache_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("segment_cache.id", ondelete="CASCADE"), primary_key=True
    )


class Webhook(Base):
    """An account's endpoint for run events; `secret` signs each delivery (shown once, at creation)."""

    __tablename__ = "webhooks"
    __table_args__ = (Index("ix_webhooks_account_created", "account_id", "created_at"),)
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSON)  # ["run.succeeded", "run.failed"]
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebhookDelivery(Base):
    """The outbox: one event for one endpoint, inserted in the transaction that ends the run and
    sent after it commits, retried until delivered or out of attempts. The id is `Polydoc-Delivery`."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_hook_created", "webhook_id", "created_at"),
    )
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)  # derived from run, event and endpoint
    account_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    webhook_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("webhooks.id", ondelete="CASCADE"), default=None
    )  # None: the run's own webhook_url
    run_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("runs.id", ondelete="CASCADE"), index=True)
    event: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(String(2000))
    secret: Mapped[str] = mapped_column(String(100))
    payload: Mapped[dict | None] = mapped_column(JSON, default=None)  # frozen at the first attempt
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | succeeded | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)  # a sender is on it
    last_status_code: Mapped[int | None] = mapped_column(Integer, default=None)
    last_error: Mapped[str | None] = mapped_column(String(500), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(default=None)
