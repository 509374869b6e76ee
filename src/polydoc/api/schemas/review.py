"""Wire schemas of a run's segments and their review (edits, XLIFF)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from polydoc.api.schemas import RunRead
from polydoc.db.models import RunSegment


class FlagRead(BaseModel):
    flag: str = Field(description="One of the quality flags listed in the README (number_changed, …)")
    detail: str = Field(description="What the check found, for a person")


class SegmentRead(BaseModel):
    """One segment of a run's document, in document order."""

    id: str = Field(description="Stable within the run (`s<index>`)")
    index: int = Field(description="0-based position in the document")
    source: str = Field(description="Source text, inline formatting as <gN>…</gN> and <xN/> tags")
    target: str = Field(description="Translation, with the same tags")
    origin: Literal["engine", "memory", "human", "kept"]
    context: str = ""
    flags: list[str] = Field([], description="Quality flags (an empty list: nothing doubtful found)")
    flag_details: list[FlagRead] = []
    match: float | None = Field(None, description="Similarity of the closest translation memory entry (0–1)")
    edited_at: datetime | None = None

    @classmethod
    def of(cls, row: RunSegment) -> SegmentRead:
        return cls(
            id=f"s{row.index}",
            index=row.index,
            source=row.source,
            target=row.target,
            origin=row.origin,
            context=row.context,
            flags=[f["flag"] for f in row.flags or ()],
            flag_details=[FlagRead(**f) for f in row.flags or ()],
            match=row.match,
            edited_at=row.edited_at,
        )


class SegmentEdit(BaseModel):
    target: str = Field(max_length=100_000, description="The translation, with the source's inline tags")


class XliffApplied(BaseModel):
    segments_changed: int = Field(description="Units whose target differed from the run's and were applied")
    run: RunRead
