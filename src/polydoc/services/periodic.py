"""Periodic work that runs once per period however many workers there are.

Each worker ticks every second and races for the task's row in `periodic_slots` with a
conditional UPDATE; only the winner runs the task, and the row then names the next due time.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from polydoc.db.models import PeriodicSlot, utcnow


def take_slot(session: Session, *, name: str, every: float, holder: str) -> bool:
    """True when this caller won the current period of task `name`."""
    now = utcnow()
    if session.scalar(select(PeriodicSlot.name).where(PeriodicSlot.name == name)) is None:
        try:
            with session.begin_nested():
                session.add(
                    PeriodicSlot(name=name, next_run_at=now + timedelta(seconds=every), holder=holder)
                )
            return True
        except IntegrityError:
            return False
    won = session.execute(
        update(PeriodicSlot)
        .where(PeriodicSlot.name == name, PeriodicSlot.next_run_at <= now)
        .values(next_run_at=now + timedelta(seconds=every), holder=holder)
        .execution_options(synchronize_session=False)
    )
    return won.rowcount == 1
