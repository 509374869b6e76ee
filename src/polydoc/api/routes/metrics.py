"""`/metrics` in Prometheus format, computed from the database at scrape time.

The database is the one place every API and worker process writes to, so any API process
answers for the whole cluster, and a restart loses no counts.
"""

from __future__ import annotations

import ipaddress
from collections import Counter
from collections.abc import Iterator

from fastapi import APIRouter, Request, Response
from fastapi.security import HTTPAuthorizationCredentials
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from polydoc.api.deps import BearerScheme, require_admin
from polydoc.config import get_settings
from polydoc.db.models import CreditEntry, Run
from polydoc.db.session import get_sessionmaker
from polydoc.errors import NotFound
from polydoc.quality import FLAGS

router = APIRouter(tags=["health"])
DURATION_BUCKETS = (0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600)
ENGINE_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900)


def _seconds_between(session: Session, start: object, end: object) -> object:
    if session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _histogram(session: Session, name: str, doc: str, value: object, buckets: tuple[float, ...]):
    finished = Run.finished_at.is_not(None) & Run.started_at.is_not(None) & (Run.status == "Succeeded")
    columns = [func.sum(case((value <= b, 1), else_=0)) for b in buckets]
    row = session.execute(
        select(func.count(), func.coalesce(func.sum(value), 0.0), *columns).where(finished)
    ).one()
    count, total, *cumulative = row
    family = HistogramMetricFamily(name, doc)
    family.add_metric(
        [],
        [(str(b), int(c or 0)) for b, c in zip(buckets, cumulative, strict=True)] + [("+Inf", count)],
        total,
    )
    return family


def _flags(session: Session) -> CounterMetricFamily:
    """Segments flagged by the quality checks, by flag (summed from the runs' summaries: a JSON
    column every database can read, so no per-dialect query)."""
    family = CounterMetricFamily(
        "polydoc_segments_flagged", "Segments flagged by quality checks", labels=["flag"]
    )
    totals: Counter[str] = Counter(dict.fromkeys(FLAGS, 0))
    for counts in session.scalars(select(Run.flag_counts).where(Run.segments_flagged > 0)):
        totals.update(counts or {})
    for flag, n in sorted(totals.items()):
        family.add_metric([flag], n)
    return family


class DatabaseCollector(Collector):
    def collect(self) -> Iterator[object]:
        with get_sessionmaker()() as s:
            runs = GaugeMetricFamily("polydoc_runs", "Runs by status and stage", labels=["status", "stage"])
            for status, stage, n in s.execute(
                select(Run.status, Run.stage, func.count()).group_by(Run.status, Run.stage)
            ):
                runs.add_metric([status, stage], n)
            yield runs
            depth = s.scalar(select(func.count()).where(Run.status == "Running", Run.stage == "queued"))
            yield GaugeMetricFamily("polydoc_queue_depth", "Runs waiting for a worker", value=depth or 0)
            tokens = CounterMetricFamily("polydoc_tokens", "Tokens consumed by engines", labels=["direction"])
            inp, out = s.execute(
                select(
                    func.coalesce(func.sum(Run.input_tokens), 0),
                    func.coalesce(func.sum(Run.output_tokens), 0),
                )
            ).one()
            tokens.add_metric(["input"], inp)
            tokens.add_metric(["output"], out)
            yield tokens
            charged = s.scalar(
                select(func.coalesce(func.sum(CreditEntry.amount), 0)).where(CreditEntry.kind == "charge")
            )
            yield CounterMetricFamily(
                "polydoc_credits_charged", "Credits charged for runs", value=-(charged or 0)
            )
            yield _histogram(
                s,
                "polydoc_run_duration_seconds",
                "Run duration from start to success",
                _seconds_between(s, Run.started_at, Run.finished_at),
                DURATION_BUCKETS,
            )
            yield _flags(s)
            yield _histogram(
                s,
                "polydoc_engine_seconds",
                "Time a run spent waiting on its engine",
                Run.engine_seconds,
                ENGINE_BUCKETS,
            )


def _allowed(request: Request, credentials: HTTPAuthorizationCredentials | None) -> None:
    """`metrics_access`: "public"; "admin", the admin token only; "local" (the default), clients on
    this machine, others with the admin token. The totals are global: never for an account's key."""
    mode = get_settings().metrics_access
    if mode == "public":
        return
    if mode == "local" and ipaddress.ip_address(_host(request)).is_loopback:
        return
    if mode in ("local", "admin"):
        require_admin(credentials)
        return
    raise NotFound("Not found")  # "off"


def _host(request: Request) -> str:
    host = request.client.host if request.client else ""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return "0.0.0.0"
    return host


_registry = CollectorRegistry(auto_describe=False)
_registry.register(DatabaseCollector())


@router.get(
    "/metrics",
    operation_id="metrics",
    response_class=Response,
    responses={200: {"content": {"text/plain": {"schema": {"type": "string"}}}}},
)
def metrics(request: Request, credentials: BearerScheme) -> Response:
    _allowed(request, credentials)
    return Response(generate_latest(_registry), media_type="text/plain; version=0.0.4; charset=utf-8")
