"""Tables: accounts, API keys, files, runs, the credit ledger and the segment cache.

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
    edited_at: Mapped[datetime | None] = mapped_column(default=None)


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
