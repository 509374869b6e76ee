"""Review and post-editing: a person's translation of a segment, and the output rebuilt from them.

An edit keeps the source's inline tags (same set, properly nested) or changes nothing; it is
checked again like the engine's translation, enters the account's memory as `human` (it wins over
the engine's there), and counts on the run. Rendering rebuilds the output document from the current
segments with the format handler alone: no engine, no credits, the run stays Succeeded.
"""

from __future__ import annotations

import tempfile
import uuid
from collections import Counter
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from polydoc import quality
from polydoc.config import get_settings
from polydoc.db.models import File, Run, RunSegment, utcnow
from polydoc.db.session import session_scope
from polydoc.engines import glossary
from polydoc.engines.memory import SegmentCache, memory_name
from polydoc.errors import BadRequest, Conflict, NotFound
from polydoc.formats import handler_for
from polydoc.pipeline.naming import output_name
from polydoc.segments import TAG, same_tags, well_formed
from polydoc.services.files import ensure_available, sha256_of
from polydoc.services.review.segments import segment_index
from polydoc.services.runs import get_run
from polydoc.storage import get_store


class TagsMismatch(BadRequest):
    code = "tags_mismatch"
    http_status = 422


class UnknownSegments(BadRequest):
    code = "unknown_segments"
    http_status = 422


def _reviewable(run: Run) -> None:
    if run.status == "Running":
        raise Conflict("The run is still running: its segments can be edited once it has ended")


def edit_segment(
    session: Session, *, account_id: uuid.UUID, run_id: str, segment_id: str, target: str
) -> RunSegment:
    """Store a person's translation of one segment (422 `tags_mismatch` when its tags are not the
    source's: nothing is changed then)."""
    run = get_run(session, account_id=account_id, run_id=run_id)
    _reviewable(run)
    row = session.get(RunSegment, (run.id, segment_index(segment_id)))
    if row is None:
        raise NotFound(f"The run has no segment {segment_id}")
    apply_edits(session, run, {row.index: target})
    return row


def apply_edits(session: Session, run: Run, edits: dict[int, str]) -> list[RunSegment]:
    """Apply several edits (segment index → target) all or nothing: every target is checked first."""
    _reviewable(run)
    rows = {
        r.index: r
        for r in session.scalars(
            select(RunSegment).where(RunSegment.run_id == run.id, RunSegment.index.in_(list(edits)))
        )
    }
    unknown = [f"s{i}" for i in edits if i not in rows]
    if unknown:
        raise UnknownSegments(f"The run has no segment {', '.join(unknown[:20])}")
    for index, target in edits.items():
        source = rows[index].source
        if not (same_tags(source, target) and well_formed(target)):
            raise TagsMismatch(
                f"Segment s{index}: the translation must keep the source's inline tags, properly nested "
                f"(the source has {_tag_list(source) or 'none'}; the translation has {_tag_list(target) or 'none'})"
            )
    pair = quality.Pair(
        run.source_language or "", run.target_language, glossary.of_options(run.options or {})
    )
    now = utcnow()
    for index, target in edits.items():
        row = rows[index]
        found = quality.check_segment(row.source, target, pair) if row.source != target else []
        row.target, row.origin, row.edited_at = target, "human", now
        row.flags = [f.as_json() for f in found]
        row.flag_names = "".join(f" {f.flag} " for f in found)
    memory = SegmentCache(
        run.account_id,
        memory_name(run.engine, glossary.of_options(run.options or {})),
        run.source_language or "",
        run.target_language,
    )
    memory.store_human(session, [(rows[i].source, t) for i, t in edits.items()])
    session.flush()
    _recount(session, run, now)
    return [rows[i] for i in edits]


def _tag_list(text: str) -> str:
    return " ".join(m.group(0) for m in TAG.finditer(text))


def _recount(session: Session, run: Run, now: object) -> None:
    """The run's flag summary and edit count, from its segments as they now are."""
    counts: Counter[str] = Counter()
    flagged = 0
    for names in session.scalars(
        select(RunSegment.flag_names).where(RunSegment.run_id == run.id, RunSegment.flag_names != "")
    ):
        flagged += 1
        counts.update(set(names.split()))
    edited = session.scalar(
        select(func.count()).where(RunSegment.run_id == run.id, RunSegment.origin == "human")
    )
    run.segments_flagged, run.flag_counts = flagged, dict(counts)
    run.segments_edited, run.edited_at = edited or 0, now


def render(*, account_id: uuid.UUID, run_id: str) -> uuid.UUID:
    """Rebuild the run's output from its current segments; answers the run's id. The input file must
    still be there (410 otherwise). No transaction is open while the document is rebuilt."""
    with session_scope() as s:
        run = get_run(s, account_id=account_id, run_id=run_id)
        _reviewable(run)
        if run.status != "Succeeded":
            raise Conflict(
                "Only a run that succeeded can be rendered (edits of a failed run still reach the memory)"
            )
        src_file = s.get(File, run.input_file_id)
        assert src_file is not None
        ensure_available(src_file)
        key, fmt, filename = src_file.s3_key, src_file.format, src_file.filename
        target, mode = run.target_language, (run.options or {}).get("output_mode", "translated")
        table = dict(
            s.execute(
                select(RunSegment.segment_key, RunSegment.target).where(RunSegment.run_id == run.id)
            ).all()
        )
        rid = run.id
    if not table:
        raise Conflict("The run has no segments to render (its document was deleted or it predates reviews)")
    with tempfile.TemporaryDirectory(prefix="polydoc-render-") as tmp:
        src, dst = Path(tmp) / f"input.{fmt}", Path(tmp) / f"output.{fmt}"
        get_store().get_file(key, src)
        report = handler_for(fmt).rebuild(src, dst, table, target_language=target, output_mode=mode)
        out_id = uuid.uuid4()
        out_key = f"runs/{rid}/render-{out_id}.{fmt}"
        get_store().put_file(out_key, dst)
        now = utcnow()
        with session_scope() as s:
            s.add(
                File(
                    id=out_id,
                    account_id=account_id,
                    filename=output_name(filename, target),
                    size=dst.stat().st_size,
                    num_pages=0,
                    format=fmt,
                    language=target,
                    s3_key=out_key,
                    sha256=sha256_of(dst),
                    created_at=now,
                    expires_at=now + timedelta(seconds=get_settings().file_ttl),
                    run_id=rid,
                )
            )
            warnings = [w for w in report.warnings if w]
            values: dict[str, object] = {"output_file_id": out_id, "edited_at": now}
            if warnings:
                values["warnings"] = (s.scalar(select(Run.warnings).where(Run.id == rid)) or [])[
                    :90
                ] + warnings[:10]
            s.execute(update(Run).where(Run.id == rid).values(**values))
    return rid
