"""Execute one claimed run: input blob → segments → engine (cached, batched) → output blob.

The stages carry weights that turn into the run's `progress`. Side effects are
deterministic, so a run retried after a crash produces one output and one charge: the
output key is `runs/<id>/output.<ext>`, the output file id is derived from the run id, the
ledger keys are `run:<id>:…` and cache rows are inserted with ON CONFLICT DO NOTHING.
"""

from __future__ import annotations

import hashlib
import logging
import tempfile
import threading
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path, PurePosixPath

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session

from polydoc import billing
from polydoc.config import get_settings
from polydoc.db.models import CachedSegment, File, Run, utcnow
from polydoc.db.session import session_scope
from polydoc.engines import BatchContext, Route, find_route, get_engine, translate_batches
from polydoc.errors import PolydocError
from polydoc.formats import Segment, handler_for
from polydoc.services import runs as runs_service
from polydoc.storage import get_store
from polydoc.pipeline.overlap import StreamedTranslations

log = logging.getLogger("polydoc.pipeline")

# share of `progress` each stage ends at
STAGE_END = {"extracting": 0.05, "translating": 0.90, "rebuilding": 0.97, "done": 1.0}


SHUTTING_DOWN = threading.Event()  # set when the worker is asked to stop


class RunLost(Exception):
    """The run was cancelled or taken over by another worker while we worked on it."""


class HandBack(Exception):
    """The worker is stopping: give the run back to the queue instead of finishing it."""


@dataclass
class Tally:
    total: int = 0
    done: int = 0
    cached: int = 0
    failed: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    warnings: list[str] = field(default_factory=list)


def _hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def output_name(filename: str, target: str) -> str:
    path = PurePosixPath(filename)
    return f"{path.stem}.{target}{path.suffix}" if path.suffix else f"{filename}.{target}"


def output_file_id(run_id: uuid.UUID) -> uuid.UUID:
    return uuid.uuid5(run_id, "output")


class SegmentCache:
    """The account's translation memory for one engine and language pair."""

    def __init__(self, account_id: uuid.UUID, engine: str, source: str, target: str) -> None:
        self.key = dict(account_id=account_id, engine=engine, source_language=source, target_language=target)

    def lookup(self, session: Session, texts: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        by_hash = {_hash(t): t for t in texts}
        hashes = list(by_hash)
        for i in range(0, len(hashes), 500):
            rows = session.execute(
                select(CachedSegment.source_hash, CachedSegment.target_text).where(
                    *(getattr(CachedSegment, k) == v for k, v in self.key.items()),
                    CachedSegment.source_hash.in_(hashes[i : i + 500]),
                )
            )
            found.update({by_hash[h]: target for h, target in rows})
        return found

    def store(self, session: Session, pairs: list[tuple[str, str]]) -> None:
        if not pairs:
            return
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        rows = [dict(self.key, source_hash=_hash(s), target_text=t, created_at=utcnow()) for s, t in pairs]
        # one parameter set per row: a statement with every row in its VALUES is compiled anew
        # each batch (0.1 s for 200 rows), this one once
        session.connection().execute(insert(CachedSegment.__table__).on_conflict_do_nothing(), rows)


class RunExecution:
    def __init__(self, run_id: uuid.UUID, token: str) -> None:
        self.run_id = run_id
        self.token = token
        self.tally = Tally()

    # -- bookkeeping --------------------------------------------------------------------------
    def _renew(self, **values: object) -> None:
        with session_scope() as s:
            if not runs_service.renew(s, run_id=self.run_id, token=self.token, **values):
                raise RunLost(str(self.run_id))

    def _stage(self, stage: str, progress: float) -> None:
        self._renew(stage=stage, progress=round(progress, 4))

    # -- the stages ---------------------------------------------------------------------------
    def run(self) -> None:
        with session_scope() as s:
            run = s.get(Run, self.run_id)
            src_file = s.get(File, run.input_file_id)
            assert run is not None and src_file is not None
            self.account_id, self.target = run.account_id, run.target_language
            self.source, self.engine_name = run.source_language, run.engine
            self.options = dict(run.options or {})
            self.glossary = tuple((str(a), str(b)) for a, b in self.options.get("glossary") or ())
            file_key, fmt, filename = src_file.s3_key, src_file.format, src_file.filename
            cost = run.hold_credits
            s.execute(
                update(Run)
                .where(Run.id == self.run_id)
                .values(
                    started_at=func.coalesce(Run.started_at, utcnow()),
                    input_tokens=func.coalesce(Run.input_tokens, 0),
                    output_tokens=func.coalesce(Run.output_tokens, 0),
                )
            )
        handler = handler_for(fmt)
        with tempfile.TemporaryDirectory(prefix="polydoc-run-") as tmp:
            src = Path(tmp) / f"input.{fmt}"
            dst = Path(tmp) / f"output.{fmt}"
            get_store().get_file(file_key, src)
            segments = list(handler.extract(src))
            route = find_route(self.engine_name, self.source, self.target)
            self.tally.total = len(segments)
            self._stage("translating", STAGE_END["extracting"])
            mode = self.options.get("output_mode", "translated")
            # the output is rebuilt beside the engine, each segment as soon as it is translated
            table = StreamedTranslations()
            for seg in segments:
                table.add_segment(seg.id, seg.text)
            with ThreadPoolExecutor(1, thread_name_prefix="rebuild") as pool:
                rebuilt = pool.submit(
                    handler.rebuild, src, dst, table, target_language=self.target, output_mode=mode
                )
                try:
                    self.translate(
                        segments,
                        route,
                        title=filename,
                        into=table,
                        stop=lambda: rebuilt.done() and rebuilt.exception() is not None,
                    )
                    table.complete()
                    self._stage("rebuilding", STAGE_END["translating"])
                    report = rebuilt.result()
                except BaseException:
                    table.abandon()
                    raise
            self.tally.warnings.extend(report.warnings)
            self._stage("rebuilding", STAGE_END["rebuilding"])
            key = f"runs/{self.run_id}/output.{fmt}"
            get_store().put_file(key, dst)
            self.finish(key, dst, output_name(filename, self.target), fmt, cost, route)

    def translate(
        self,
        segments: list[Segment],
        route: Route,
        *,
        title: str,
        into: StreamedTranslations,
        stop: Callable[[], bool] = lambda: False,
    ) -> None:
        """Translations from the memory, then from the engine, handed to `into` as they come.

        No batch is sent once `stop()` is true (the rebuild failed: its error ends the run)."""
        counts = Counter(seg.text for seg in segments)
        unique = list(counts)
        # a glossary changes translations: its fingerprint is part of the memory's key
        memory_key = route.engine_name + (f"#g{_hash(repr(self.glossary))[:16]}" if self.glossary else "")
        cache = SegmentCache(self.account_id, memory_key, self.source, self.target)
        with session_scope() as s:
            known = cache.lookup(s, unique)
        into.add_translations(known.items())
        # every occurrence not sent to the engine counts as cached (memory hits and repeats)
        self.tally.cached = sum(counts[t] for t in known) + sum(
            counts[t] - 1 for t in unique if t not in known
        )
        self.tally.done = sum(counts[t] for t in known)
        todo = [t for t in unique if t not in known]
        engine = get_engine(route.engine_name)
        batch_size = max(1, engine.batch_size)
        span = STAGE_END["translating"] - STAGE_END["extracting"]
        starts = range(0, len(todo), batch_size)
        batches = [todo[start : start + batch_size] for start in starts]

        sent: deque[list[str]] = deque()  # batches inside translate_batches, oldest first

        def requests() -> Iterator[tuple[list[str], BatchContext]]:
            for start, batch in zip(starts, batches, strict=True):
                if SHUTTING_DOWN.is_set():  # hand back before sending more to the engine
                    raise HandBack(str(self.run_id))
                if stop():
                    return
                sent.append(batch)
                before = tuple(todo[max(0, start - 3) : start])
                yield batch, BatchContext(title=title, before=before, glossary=self.glossary)

        for result, engine_seconds in translate_batches(route, requests()):
            batch = sent.popleft()
            failed = set(result.failed)
            for i in failed:
                self.tally.warnings.append(f"segment not translated by the engine: {batch[i][:60]!r}")
            new = [
                (src, out)
                for i, (src, out) in enumerate(zip(batch, result.texts, strict=True))
                if i not in failed
            ]
            into.add_translations(zip(batch, result.texts, strict=True))
            self.tally.done += sum(counts[t] for t in batch)
            self.tally.failed += sum(counts[batch[i]] for i in failed)
            self.tally.input_tokens += result.input_tokens
            self.tally.output_tokens += result.output_tokens
            with session_scope() as s:
                cache.store(s, new)
                ok = runs_service.renew(
                    s,
                    run_id=self.run_id,
                    token=self.token,
                    input_tokens=Run.input_tokens + result.input_tokens,
                    output_tokens=Run.output_tokens + result.output_tokens,
                    segments_done=min(self.tally.done, self.tally.total),
                    segments_total=self.tally.total,
                    segments_cached=self.tally.cached,
                    segments_failed=self.tally.failed,
                    engine_seconds=Run.engine_seconds + engine_seconds,
                    progress=round(
                        STAGE_END["extracting"] + span * self.tally.done / max(1, self.tally.total), 4
                    ),
                )
                if not ok:
                    raise RunLost(str(self.run_id))

    def finish(self, key: str, dst: Path, name: str, fmt: str, cost: int, route: Route) -> None:
        out_id = output_file_id(self.run_id)
        with session_scope() as s:
            billing._lock_account(s, self.account_id)
            ended = s.execute(
                update(Run)
                .where(Run.id == self.run_id, Run.worker == self.token, Run.status == "Running")
                .values(
                    status="Succeeded",
                    stage="done",
                    progress=1.0,
                    finished_at=utcnow(),
                    lease_until=None,
                    output_file_id=out_id,
                    credits=cost,
                    route=route.label,
                    segments_total=self.tally.total,
                    segments_done=self.tally.total,
                    segments_cached=self.tally.cached,
                    segments_failed=self.tally.failed,
                    warnings=self.tally.warnings[:100],
                )
                .execution_options(synchronize_session=False)
            )
            if ended.rowcount != 1:
                raise RunLost(str(self.run_id))
            if s.get(File, out_id) is None:
                from polydoc.services.files import sha256_of

                now = utcnow()
                s.add(
                    File(
                        id=out_id,
                        account_id=self.account_id,
                        filename=name,
                        size=dst.stat().st_size,
                        num_pages=0,
                        format=fmt,
                        language=self.target,
                        s3_key=key,
                        sha256=sha256_of(dst),
                        created_at=now,
                        expires_at=now + timedelta(seconds=get_settings().file_ttl),
                        run_id=self.run_id,
                    )
                )
            billing.settle(s, account_id=self.account_id, run_id=self.run_id, held_amount=cost, cost=cost)


def execute(
    run_id: uuid.UUID, token: str, *, on_error: Callable[[BaseException], None] | None = None
) -> None:
    """Run the pipeline for a claimed run; any failure ends it Failed with a precise code."""
    try:
        with _Heartbeat(run_id, token):
            RunExecution(run_id, token).run()
    except RunLost:
        log.info("run %s was cancelled or taken over; stopping", run_id)
        _drop_orphan_output(run_id)
    except HandBack:
        log.info("worker stopping: run %s handed back to the queue", run_id)
        _hand_back(run_id, token)
    except PolydocError as exc:
        _fail(run_id, token, exc.code, exc.message)
    except Exception as exc:
        if _database_lost(exc):
            log.warning("run %s lost its database connection (%s); giving it back", run_id, exc)
            _release_to_sweep(run_id, token)
            return
        log.exception("run %s failed unexpectedly", run_id)
        _fail(run_id, token, "internal_error", "An unexpected error stopped the run; it has been logged")
        if on_error:
            on_error(exc)


class _Heartbeat:
    """Renews the run's lease in the background, so one long engine call (an LLM batch can take
    minutes) does not look like a dead worker to the sweep."""

    def __init__(self, run_id: uuid.UUID, token: str) -> None:
        self.run_id, self.token = run_id, token
        self.every = max(0.5, get_settings().run_lease_seconds / 3)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{run_id}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.every):
            try:
                with session_scope() as s:
                    if not runs_service.renew(s, run_id=self.run_id, token=self.token):
                        return  # cancelled or taken over: the worker notices at its next step
            except Exception:  # a database hiccup: try again at the next beat
                log.warning("could not renew the lease of run %s", self.run_id, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _hand_back(run_id: uuid.UUID, token: str) -> None:
    with session_scope() as s:
        handed = s.execute(
            update(Run)
            .where(Run.id == run_id, Run.worker == token, Run.status == "Running")
            .values(
                stage="queued",
                worker=None,
                lease_until=utcnow() + timedelta(seconds=get_settings().queue_grace_seconds),
            )
            .execution_options(synchronize_session=False)
        )
        if handed.rowcount == 1:
            from polydoc.db.session import after_commit

            after_commit(s, lambda: runs_service.enqueue(run_id))


def _database_lost(exc: BaseException) -> bool:
    """A dropped or refused database connection (restart, failover, terminated backend): not the run's fault."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _release_to_sweep(run_id: uuid.UUID, token: str) -> None:
    """Give the run back with its lease already expired: the next sweep re-queues it, counting the
    attempt, so a run that keeps losing the database still ends. If the database is still away,
    the lease runs out on its own and the sweep does the same."""
    try:
        with session_scope() as s:
            s.execute(
                update(Run)
                .where(Run.id == run_id, Run.worker == token, Run.status == "Running")
                .values(stage="queued", worker=None, lease_until=utcnow())
                .execution_options(synchronize_session=False)
            )
    except Exception:
        log.warning("run %s could not be given back; its lease will run out", run_id, exc_info=True)


def _drop_orphan_output(run_id: uuid.UUID) -> None:
    """A cancelled run may have stored its output just before it noticed; remove that blob."""
    with session_scope() as s:
        run = s.get(Run, run_id)
        if run is None or run.status != "Failed":
            return
        fmt = s.scalar(select(File.format).where(File.id == run.input_file_id))
    get_store().delete(f"runs/{run_id}/output.{fmt}")


def _fail(run_id: uuid.UUID, token: str, code: str, message: str) -> None:
    with session_scope() as s:
        billing._lock_account(s, s.scalar(select(Run.account_id).where(Run.id == run_id)))
        run = s.get(Run, run_id)
        if run is not None and run.status == "Running" and run.worker == token:
            runs_service.fail(s, run, code=code, message=message)
