"""The translation memory: an account's earlier translations, reused instead of sent again.

Keyed by account, engine (with the glossary's fingerprint: a glossary changes translations) and
language pair; a segment is found by the hash of its source text. Rows are inserted with
ON CONFLICT DO NOTHING, so a run retried after a crash stores each translation once.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Mapping

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from polydoc.db.models import CachedSegment, utcnow


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def memory_name(engine: str, glossary: tuple[tuple[str, str], ...]) -> str:
    """The engine name the memory is keyed by: a glossary changes translations, so its
    fingerprint is part of the memory's key."""
    return engine + (f"#g{text_hash(repr(glossary))[:16]}" if glossary else "")


def served_without_engine(counts: Counter[str], known: Mapping[str, str]) -> int:
    """Occurrences a run does not send to the engine (its `segments_cached`): every occurrence of a
    text the memory knows, and every repeat of the others after their first."""
    return sum(n if text in known else n - 1 for text, n in counts.items())


class SegmentCache:
    """The account's translation memory for one engine and language pair."""

    def __init__(self, account_id: uuid.UUID, engine: str, source: str, target: str) -> None:
        self.key = dict(account_id=account_id, engine=engine, source_language=source, target_language=target)

    def lookup(self, session: Session, texts: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        by_hash = {text_hash(t): t for t in texts}
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
        rows = [dict(self.key, source_hash=text_hash(s), target_text=t, created_at=utcnow()) for s, t in pairs]
        # one parameter set per row: a statement with every row in its VALUES is compiled anew
        # each batch (0.1 s for 200 rows), this one once
        session.connection().execute(insert(CachedSegment.__table__).on_conflict_do_nothing(), rows)
