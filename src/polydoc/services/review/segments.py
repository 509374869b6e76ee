"""A run's segments as stored for review: source, translation, origin and quality flags.

The pipeline writes them once per attempt (a retried run replaces its predecessor's rows), in
document order, in batches so a 20,000-paragraph document is a few statements.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from itertools import islice

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from polydoc.db.models import RunSegment
from polydoc.errors import NotFound
from polydoc.services.runs import get_run

_BATCH = 2000


def replace_all(session: Session, run_id: uuid.UUID, rows: Iterable[dict]) -> None:
    """The run's segments become `rows` (dicts of RunSegment's columns, `index` in order)."""
    session.execute(delete(RunSegment).where(RunSegment.run_id == run_id))
    for batch in _batches(rows):
        session.execute(insert(RunSegment), [{"run_id": run_id, **row} for row in batch])


def _batches(rows: Iterable[dict]) -> Iterator[list[dict]]:
    it = iter(rows)
    while batch := list(islice(it, _BATCH)):
        yield batch


def list_segments(
    session: Session,
    *,
    account_id: uuid.UUID,
    run_id: str,
    limit: int,
    after: str | None = None,
    flag: str | None = None,
    flagged: bool = False,
    edited: bool = False,
) -> list[RunSegment]:
    """A page of the run's segments in document order, after the segment `after` (`s<index>`);
    only the flagged ones, those carrying `flag`, or those a person edited, when asked. Another
    account's run is not found."""
    run = get_run(session, account_id=account_id, run_id=run_id)
    query = select(RunSegment).where(RunSegment.run_id == run.id)
    if after is not None:
        query = query.where(RunSegment.index > segment_index(after, code="invalid_cursor"))
    if flag is not None:
        query = query.where(RunSegment.flag_names.contains(f" {flag} ", autoescape=True))
    elif flagged:
        query = query.where(RunSegment.flag_names != "")
    if edited:
        query = query.where(RunSegment.origin == "human")
    return list(session.scalars(query.order_by(RunSegment.index).limit(limit)))


def is_segment_id(segment_id: str) -> bool:
    return segment_id.startswith("s") and segment_id[1:].isdigit()


def segment_index(segment_id: str, *, code: str = "not_found") -> int:
    """`s12` → 12; anything else names no segment."""
    if not is_segment_id(segment_id):
        raise NotFound(f"No segment {segment_id!r}: segment ids look like s12", code=code)
    return int(segment_id[1:])
