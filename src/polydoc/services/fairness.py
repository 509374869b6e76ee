"""Turns between accounts inside a lane: one account's 50 runs do not keep another's waiting.

The lanes (`queue.lane_for`) keep small runs from waiting behind large ones; inside a lane the
broker is first in, first out. So a worker about to claim a queued run first asks `gives_way`:
when another account has a run waiting in the same lane and fewer runs in progress there than
this run's account, the run goes to the back of its lane and that account's run is reached
first (max-min fairness over runs in progress, the way a shared printer takes turns). Accounts
with equally many runs in progress keep the broker's order, so nobody passes forever.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.orm import Session

from polydoc.config import get_settings
from polydoc.db.models import File, Run
from polydoc.queue import lane_for


def _in_lane(lane: str) -> ColumnElement[bool]:
    small = get_settings().small_run_pages
    return File.num_pages <= small if lane == "small" else File.num_pages > small


def gives_way(session: Session, *, run_id: uuid.UUID) -> bool:
    """True when this queued run should let another account's waiting run go first."""
    row = session.execute(
        select(Run.account_id, File.num_pages)
        .join(File, File.id == Run.input_file_id)
        .where(Run.id == run_id, Run.status == "Running", Run.stage == "queued")
    ).one_or_none()
    if row is None:
        return False  # not a queued run (taken, ended, or a lease to take over): claim decides
    account_id, pages = row
    busy = func.sum(case((Run.stage != "queued", 1), else_=0))
    waiting = func.sum(case((Run.stage == "queued", 1), else_=0))
    per_account = session.execute(
        select(Run.account_id, busy, waiting)
        .join(File, File.id == Run.input_file_id)
        .where(Run.status == "Running", _in_lane(lane_for(pages)))
        .group_by(Run.account_id)
    ).all()
    mine = next((int(b or 0) for a, b, _w in per_account if a == account_id), 0)
    return any(a != account_id and (w or 0) > 0 and int(b or 0) < mine for a, b, w in per_account)
