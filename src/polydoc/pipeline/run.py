"""Execute one claimed run: input blob → segments → engine (cached, batched) → output blob.

The stages carry weights that turn into the run's `progress`. Side effects are
deterministic, so a run retried after a crash produces one output and one charge: the
output key and the output file id are derived from the run id (`lifecycle.output_key`,
`lifecycle.output_file_id`), the ledger keys are `run:<id>:…` and cache rows are inserted with
ON CONFLICT DO NOTHING. Every change of the run's state goes through `services.lifecycle`.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from sqlalchemy.exc import DBAPIError, OperationalError

from polydoc import billing, cage, quality
from polydoc.config import get_settings
from polydoc.db.models import File, Run
from polydoc.db.session import read_scope, session_scope
from polydoc.engines import BatchContext, Route, find_route, get_engine, glossary
from polydoc.engines.memory import SegmentCache, memory_name, served_without_engine
from polydoc.errors import PolydocError, Untranslated
from polydoc.formats import Segment, handler_for
from polydoc.pipeline.naming import output_name
from polydoc.pipeline.overlap import StreamedTranslations, send_batches, translate_while_rebuilding
from polydoc.quality import Finding
from polydoc.services import lifecycle
from polydoc.services.review import segments as run_segments
from polydoc.storage import get_store

log = logging.getLogger("polydoc.pipeline")

# share of `progress` each stage ends at
STAGE_END = {"extracting": 0.05, "translating": 0.90, "rebuilding": 0.97, "done": 1.0}


SHUTTING_DOWN = threading.Event()  # set when the worker is asked to stop


_ENGINE_FAILED = Finding("not_translated", "the engine did not translate this segment: source kept")


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
    failed_characters: int = 0  # of unique segments the engine did not translate: not billed
    input_tokens: int = 0
    output_tokens: int = 0
    warnings: list[str] = field(default_factory=list)
    from_memory: set[str] = field(default_factory=set)  # source texts the memory answered
    failures: dict[str, Finding] = field(default_factory=dict)  # source text → why the engine failed
    checked: dict[str, list[Finding]] = field(default_factory=dict)  # source text → its checks' findings
    review: quality.Summary = field(default_factory=quality.Summary)
    matches: dict[str, float] = field(default_factory=dict)  # source text → best fuzzy match in the memory


class RunExecution:
    def __init__(self, run_id: uuid.UUID, token: str) -> None:
        self.run_id = run_id
        self.token = token
        self.tally = Tally()

    # -- bookkeeping --------------------------------------------------------------------------
    def _renew(self, **values: object) -> None:
        with session_scope() as s:
            if not lifecycle.renew(s, run_id=self.run_id, token=self.token, **values):
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
            self.tally.warnings[:0] = run.warnings or []  # said at creation (a pivot route): kept
            self.glossary = glossary.of_options(self.options)
            self.pair = quality.Pair(
                self.source, self.target, self.glossary, any_language=get_engine(self.engine_name).any_pair
            )
            file_key, fmt, filename = src_file.s3_key, src_file.format, src_file.filename
            num_pages = src_file.num_pages
            lifecycle.start(s, run_id=self.run_id)
        handler = handler_for(fmt)
        self.paged, self.num_pages = handler.paged, num_pages
        with tempfile.TemporaryDirectory(prefix="polydoc-run-") as tmp:
            src = Path(tmp) / f"input.{fmt}"
            dst = Path(tmp) / f"output.{fmt}"
            get_store().get_file(file_key, src)
            segments = cage.extract(fmt, src)  # in a limited process: a hostile file cannot hang us
            route = find_route(self.engine_name, self.source, self.target)
            self.tally.total = len(segments)
            self._stage("translating", STAGE_END["extracting"])
            mode = self.options.get("output_mode", "translated")
            # the output is rebuilt beside the engine, each segment as soon as it is translated
            report = translate_while_rebuilding(
                lambda t: cage.rebuild(fmt, src, dst, t, target_language=self.target, output_mode=mode),
                lambda table, stop: self.translate(segments, route, title=filename, into=table, stop=stop),
                segments=segments,
                translated=lambda: self.review(segments),
            )
            self.tally.warnings.extend(report.warnings)
            self._stage("rebuilding", STAGE_END["rebuilding"])
            key = lifecycle.output_key(self.run_id, fmt)
            get_store().put_file(key, dst)
            self.finish(dst, output_name(filename, self.target), fmt, route)

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
        memory = memory_name(route.engine_name, self.glossary)
        cache = SegmentCache(self.account_id, memory, self.source, self.target)
        with session_scope() as s:
            known = cache.lookup(s, unique)
            # the price's basis, as the estimate computes it (billing.Basis; kept from a first attempt)
            basis = billing.Basis.of(unique, known, paged=self.paged, pages=self.num_pages)
            kept = lifecycle.record_basis(
                s,
                run_id=self.run_id,
                token=self.token,
                characters=basis.characters,
                characters_cached=basis.characters_cached,
                credits=0 if get_engine(route.engine_name).free else basis.credits(),
            )
            if kept is None:
                raise RunLost(str(self.run_id))
            self.basis = replace(basis, characters=kept[0], characters_cached=kept[1])
        into.add_translations(known.items())
        self.table = into
        self.tally.from_memory = set(known)
        self.tally.cached = served_without_engine(counts, known)
        self.tally.done = sum(counts[t] for t in known)
        todo = [t for t in unique if t not in known]
        with read_scope() as s:
            newest = cache.newest(s) if todo else None  # the memory as it was before this run
        direct = len(route.hops) == 1
        threshold = get_settings().fuzzy_threshold

        def examples(batch: list[str]) -> tuple[tuple[str, str], ...]:
            """The memory's closest entries to the batch: each segment's `match`, and examples for
            the engine (a direct route only: a pivot's later hops translate from another language).
            Looked up batch by batch, while the engine works on the batches before."""
            if newest is None:
                return ()
            with read_scope() as s:
                near = cache.fuzzy(s, batch, threshold, up_to=newest)
            self.tally.matches.update({t: m.score for t, m in near.items()})
            return tuple(dict.fromkeys((near[t].source, near[t].target) for t in batch if t in near and direct))

        engine = get_engine(route.engine_name)
        batch_size = max(1, engine.batch_size)
        span = STAGE_END["translating"] - STAGE_END["extracting"]

        def requests() -> Iterator[tuple[list[str], BatchContext]]:
            for start in range(0, len(todo), batch_size):
                if SHUTTING_DOWN.is_set():  # hand back before sending more to the engine
                    raise HandBack(str(self.run_id))
                before = tuple(todo[max(0, start - 3) : start])
                yield (
                    todo[start : start + batch_size],
                    BatchContext(
                        title=title,
                        before=before,
                        glossary=self.glossary,
                        examples=examples(todo[start : start + batch_size]),
                    ),
                )

        for batch, result, engine_seconds in send_batches(route, requests(), into=into, stop=stop):
            failed = set(result.failed)
            for i in failed:
                self.tally.warnings.append(f"segment not translated by the engine: {batch[i][:60]!r}")
                self.tally.failures[batch[i]] = result.why.get(i) or _ENGINE_FAILED
            new = [
                (src, out)
                for i, (src, out) in enumerate(zip(batch, result.texts, strict=True))
                if i not in failed
            ]
            self.tally.done += sum(counts[t] for t in batch)
            self.tally.failed += sum(counts[batch[i]] for i in failed)
            self.tally.failed_characters += sum(billing.billed_characters(batch[i]) for i in failed)
            # checked now, while the engine works on the next batches, not all at the end
            self.tally.checked.update((src, quality.check_segment(src, out, self.pair)) for src, out in new)
            self.tally.input_tokens += result.input_tokens
            self.tally.output_tokens += result.output_tokens
            with session_scope() as s:
                cache.store(s, new)
                ok = lifecycle.renew(
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

    def review(self, segments: list[Segment]) -> None:
        """Every translation is in (the rebuild is finishing): check each segment, store the run's
        segments with their flags, and stop a run that translated nothing."""
        self._stage("rebuilding", STAGE_END["translating"])
        translations = self.table.by_source()
        found = quality.check_translations(
            translations, self.pair, failures=self.tally.failures, checked=self.tally.checked
        )
        self.tally.review = review = quality.summarise((seg.text for seg in segments), translations, found)
        rows = (
            {
                "index": i,
                "segment_key": seg.id,
                "source": seg.text,
                "target": translations.get(seg.text, seg.text),
                "origin": "memory" if seg.text in self.tally.from_memory else "engine",
                "context": seg.context[:64],
                "flags": [f.as_json() for f in found.get(seg.text, ())],
                "flag_names": "".join(f" {f.flag} " for f in found.get(seg.text, ())),
                "match": 1.0 if seg.text in self.tally.from_memory else self.tally.matches.get(seg.text),
            }
            for i, seg in enumerate(segments)
        )
        with session_scope() as s:
            if not lifecycle.renew(
                s,
                run_id=self.run_id,
                token=self.token,
                segments_flagged=review.segments_flagged,
                flag_counts=dict(review.counts),
            ):
                raise RunLost(str(self.run_id))
            run_segments.replace_all(s, self.run_id, rows)
        if review.nothing_translated:
            raise Untranslated(
                f"Nothing was translated: all {len(segments)} segments came back in the source language "
                f"({quality.describe(review.counts)}); see the run's segments for the reasons"
            )

    def finish(self, dst: Path, name: str, fmt: str, route: Route) -> None:
        # billed: what the engine translated; not what memory served (but its share), nor what failed
        sent = max(0, self.basis.characters_sent - self.tally.failed_characters)
        with session_scope() as s:
            ended = lifecycle.finish(
                s,
                run_id=self.run_id,
                token=self.token,
                account_id=self.account_id,
                output=dst,
                name=name,
                fmt=fmt,
                language=self.target,
                cost=self.basis.credits(sent=sent),
                note=self.basis.note(sent=sent),
                route=route.label,
                segments_total=self.tally.total,
                segments_cached=self.tally.cached,
                segments_failed=self.tally.failed,
                warnings=self.tally.warnings,
            )
            if not ended:
                raise RunLost(str(self.run_id))


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
        with session_scope() as s:
            lifecycle.hand_back(s, run_id=run_id, token=token)
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
                    if not lifecycle.renew(s, run_id=self.run_id, token=self.token):
                        return  # cancelled or taken over: the worker notices at its next step
            except Exception:  # a database hiccup: try again at the next beat
                log.warning("could not renew the lease of run %s", self.run_id, exc_info=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


def _database_lost(exc: BaseException) -> bool:
    """A dropped or refused database connection (restart, failover, terminated backend): not the run's fault."""
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)


def _release_to_sweep(run_id: uuid.UUID, token: str) -> None:
    """Give the run back for the sweep (`lifecycle.release_to_sweep`). If the database is still
    away, the lease runs out on its own and the sweep does the same."""
    try:
        with session_scope() as s:
            lifecycle.release_to_sweep(s, run_id=run_id, token=token)
    except Exception:
        log.warning("run %s could not be given back; its lease will run out", run_id, exc_info=True)


def _drop_orphan_output(run_id: uuid.UUID) -> None:
    """A cancelled run may have stored its output just before it noticed; remove that blob."""
    with session_scope() as s:
        key = lifecycle.orphan_output(s, run_id=run_id)
    if key is not None:
        get_store().delete(key)


def _fail(run_id: uuid.UUID, token: str, code: str, message: str) -> None:
    with session_scope() as s:
        lifecycle.fail_held(s, run_id=run_id, token=token, code=code, message=message)
