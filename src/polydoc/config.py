"""Settings from POLYDOC_* environment variables. No other module reads os.environ."""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="POLYDOC_", extra="ignore")

    env: str = Field("development", description="development or production")
    data_dir: Path = Field(Path("./data"), description="Folder for the database, broker and blobs")
    host: str = "127.0.0.1"
    port: int = 30000

    database_url: str = Field("", description="SQLAlchemy URL; default sqlite in data_dir")
    broker_url: str = Field("", description="Celery broker; default SQLite file in data_dir")
    storage_url: str = Field("", description="Blob store; default the blobs folder in data_dir")

    s3_endpoint_url: str = Field("", description="S3-compatible endpoint; empty for AWS")
    s3_region: str = "us-east-1"
    s3_access_key_id: str = ""
    s3_secret_access_key: str = ""
    log_format: str = Field("text", description="text or json")
    log_level: str = "INFO"

    admin_token: str = Field("", description="Token for admin endpoints; empty disables them")
    file_ttl: int = Field(7 * 24 * 3600, description="Seconds until an uploaded file expires")
    max_upload_bytes: int = 100 * 1024 * 1024
    credits_per_page: int = Field(1, ge=0, description="Credits per billed page (1,800 characters)")
    memory_price_share: float = Field(
        0.0, ge=0.0, le=1.0, description="Share of the page price charged for text served from memory"
    )
    max_pages_per_run: int = 2000
    max_running_runs_per_account: int = 50
    rate_limit_per_minute: int = 1200  # requests per API key per minute, per API process
    demo_credits: int = 1000
    default_engine: str = "apertium"
    pseudo_expansion: float = Field(
        0.4, ge=0.0, le=10.0, description="Share by which engine pseudo lengthens text"
    )
    max_pivots: int = Field(
        1, ge=0, le=4, description="Pivot languages a route may go through (each step can lose meaning)"
    )

    worker_concurrency: int = 2  # per lane
    # lanes a `polydoc worker` consumes (queue.LANES); both: a child process takes the small lane
    worker_queues: str = Field("small,large", pattern=r"^(small|large|small,large|large,small)$")
    small_run_pages: int = Field(20, ge=1, description="Runs of at most this many pages take the small lane")
    run_lease_seconds: float = 60.0
    queue_grace_seconds: float = 300.0
    sweep_interval_seconds: float = 30.0
    purge_interval_seconds: float = 3600.0
    max_attempts: int = 3
    broker_poll_interval: float = 0.05

    apertium_timeout: float = 120.0
    apertium_restart_after: int = 1000
    apertium_idle_seconds: float = 600.0
    # warm pipelines per pair and worker process: one pipeline's slowest stage caps it below two cores
    apertium_pipes: int = Field(default_factory=lambda: max(1, (os.cpu_count() or 1) // 2), ge=1)

    # engine "openai": the default profile; more named profiles as JSON in openai_profiles,
    # e.g. {"local": {"base_url": "http://127.0.0.1:8080/v1", "model": "qwen"}}
    openai_base_url: str = ""
    openai_model: str = ""
    openai_api_key: str = ""
    openai_timeout: float = 60.0
    openai_max_concurrency: int = 8
    openai_max_segments: int = 20
    openai_max_tokens: int = 4000
    openai_temperature: float = 0.0
    openai_headers: dict[str, str] = Field(default_factory=dict)
    openai_profiles: dict[str, dict[str, object]] = Field(default_factory=dict)
    openai_retry_budget_seconds: float = 120.0

    # webhooks: retried with exponential backoff (backoff × 2^n, at most backoff_max) — by default
    # 14 attempts over about a day; hosts listed in allow_hosts may resolve to private addresses
    webhook_allow_hosts: str = Field("", description="Comma-separated hosts exempt from the SSRF check")
    webhook_max_attempts: int = Field(14, ge=1)
    webhook_backoff_seconds: float = Field(20.0, gt=0)
    webhook_backoff_max_seconds: float = Field(6 * 3600.0, gt=0)
    webhook_timeout_seconds: float = Field(10.0, gt=0)
    webhook_poll_seconds: float = Field(1.0, gt=0, description="How often a worker looks for due deliveries")

    max_text_chars: int = Field(20_000, ge=1, description="Characters one POST /v1/translate may send")

    # the translation memory: fuzzy matches (reported per segment, LLM prompt examples), TMX import
    fuzzy_threshold: float = Field(0.75, ge=0.0, le=1.0, description="Least similarity of a fuzzy match")
    tmx_max_bytes: int = Field(200 * 1024 * 1024, ge=1, description="Largest TMX file an import accepts")

    # archive and XML safety limits
    zip_max_members: int = 10_000
    zip_max_total_bytes: int = 1024 * 1024 * 1024
    zip_max_member_bytes: int = 256 * 1024 * 1024
    zip_max_ratio: float = 200.0

    # parsing in a cage (src/polydoc/cage): each document read in a warm pool of limited processes
    cage_processes: int = Field(2, ge=1, description="Parser processes per API or worker process")
    cage_memory_mb: int = Field(512, ge=64, description="Memory one document may use in a parser process")
    cage_seconds: float = Field(300.0, gt=0, description="Worker: extraction or rebuild of one document")
    cage_inspect_seconds: float = Field(30.0, gt=0, description="API: reading an upload or an estimate")
    cage_wait_seconds: float = Field(20.0, gt=0, description="Wait for a free parser, then 503 busy")

    # connections (api/_connections.py)
    http_max_connections: int = Field(900, ge=16, description="Open connections; idle ones make room")
    http_header_timeout: float = Field(10.0, gt=0, description="Seconds to send a request's headers")
    http_body_timeout: float = Field(30.0, gt=0, description="Seconds a request body may stall")
    http_keepalive_timeout: int = Field(5, ge=1, description="Seconds an idle kept-alive connection stays")

    public_url: str = Field("", description="Base URL clients reach the API at, for Link headers")
    metrics_access: str = Field(
        "local",
        pattern="^(local|admin|public|off)$",
        description="/metrics: local (or token), admin, public, off",
    )
    auth_failures_per_minute: int = Field(60, ge=1, description="Invalid keys per client address")

    @model_validator(mode="after")
    def _enforce_production_secrets(self) -> Settings:
        if self.env == "production" and self.admin_token in {"", "changeme", "admin"}:
            raise ValueError("POLYDOC_ADMIN_TOKEN must be set to a real secret in production")
        return self

    @property
    def webhook_allowed(self) -> frozenset[str]:
        return frozenset(
            h.strip().lower().strip("[]") for h in self.webhook_allow_hosts.split(",") if h.strip()
        )

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{(self.data_dir / 'polydoc.sqlite').resolve()}"

    @property
    def resolved_broker_url(self) -> str:
        return self.broker_url or f"sqla+sqlite:///{(self.data_dir / 'broker.sqlite').resolve()}"

    @property
    def resolved_storage_url(self) -> str:
        return self.storage_url or f"file://{(self.data_dir / 'blobs').resolve()}"


@cache
def get_settings() -> Settings:
    return Settings()


def configure(**overrides: object) -> Settings:
    """Apply command-line overrides (as POLYDOC_* variables, so child processes inherit them)."""
    for name, value in overrides.items():
        if value is not None:
            os.environ[f"POLYDOC_{name.upper()}"] = str(value)
    get_settings.cache_clear()
    return get_settings()
