"""The translation memory: an account's earlier translations, reused instead of sent again.

Keyed by account, engine (with the glossary's fingerprint: a glossary changes translations) and
language pair; a segment is found by the hash of its source text. One row per source text, and
who wrote it decides who may replace it: a person's edit (`human`) replaces anything, an imported
TMX unit (`import`) replaces the engine's, and the engine's own translations (`engine`) are
inserted with ON CONFLICT DO NOTHING, so they never replace a row (and a run retried after a crash
stores each translation once).

Fuzzy matches come from the `segment_cache_bands` index (engines.similarity): the entries sharing
a locality-sensitive key with a text are scored with rapidfuzz, the others never read.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from polydoc.db.models import CachedSegment, CachedSegmentBand, utcnow
from polydoc.engines.similarity import band_keys, score

_CHUNK = 500  # values in one IN (...): well under SQLite's parameter limit
CANDIDATES = 20  # entries scored per text, those sharing the most keys with it
_ROWS_PER_KEY = 100  # at most this many entries read per key asked (a key shared by thousands)

_TABLE = CachedSegment.__table__
_BANDS = CachedSegmentBand.__table__
_UNIQUE = ["account_id", "engine", "source_language", "target_language", "source_hash"]


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


@dataclass(frozen=True, slots=True)
class Match:
    """The memory's closest entry to a text: its similarity (0..1) and the pair itself."""

    score: float
    source: str
    target: str


def _insert(bind: Session | Connection) -> Any:
    dialect = bind.get_bind().dialect.name if isinstance(bind, Session) else bind.dialect.name
    return postgresql.insert if dialect == "postgresql" else sqlite.insert


class SegmentCache:
    """The account's translation memory for one engine and language pair."""

    def __init__(self, account_id: uuid.UUID, engine: str, source: str, target: str) -> None:
        self.key = dict(account_id=account_id, engine=engine, source_language=source, target_language=target)
        self.scope = scope_of(account_id, engine, source, target)

    def _where(self) -> list[Any]:
        return [getattr(CachedSegment, k) == v for k, v in self.key.items()]

    def lookup(self, session: Session, texts: list[str]) -> dict[str, str]:
        found: dict[str, str] = {}
        by_hash = {text_hash(t): t for t in texts}
        hashes = list(by_hash)
        for i in range(0, len(hashes), _CHUNK):
            rows = session.execute(
                select(CachedSegment.source_hash, CachedSegment.target_text).where(
                    *self._where(), CachedSegment.source_hash.in_(hashes[i : i + _CHUNK])
                )
            )
            found.update({by_hash[h]: target for h, target in rows})
        return found

    def _rows(
        self, pairs: Iterable[tuple[str, str]], origin: str, when: datetime | None = None
    ) -> list[dict]:
        now = when or utcnow()
        return [
            dict(
                self.key,
                source_hash=text_hash(s),
                target_text=t,
                source_text=s,
                origin=origin,
                created_at=now,
            )
            for s, t in pairs
        ]

    def store(self, session: Session, pairs: list[tuple[str, str]]) -> None:
        """The engine's translations: new rows only, never replacing what the memory has."""
        if not pairs:
            return
        # one parameter set per row: a statement with every row in its VALUES is compiled anew
        # each batch (0.1 s for 200 rows), this one once
        statement = _insert(session)(_TABLE).on_conflict_do_nothing()
        session.connection().execute(statement, self._rows(pairs, "engine"))
        self._index(session.connection(), [s for s, _ in pairs])

    def store_human(self, session: Session, pairs: list[tuple[str, str]]) -> None:
        """A person's translations: they replace whatever the memory had for those sources."""
        self._upsert(session.connection(), self._rows(pairs, "human"), keep_human=False)

    def store_import(
        self, session: Session, units: Sequence[tuple[str, str, datetime | None]]
    ) -> tuple[int, int]:
        """Imported TMX units (source, target, creation date): they replace the engine's rows and
        earlier imports, never a person's. Returns (stored, kept because a person's row is there)."""
        if not units:
            return 0, 0
        human = self._human_sources(session, [s for s, _, _ in units])
        rows = [
            self._rows([(s, t)], "import", when)[0] for s, t, when in dict((u[0], u) for u in units).values()
        ]
        rows = [r for r in rows if r["source_hash"] not in human]
        self._upsert(session.connection(), rows, keep_human=True)
        return len(rows), len(units) - len(rows)

    def _human_sources(self, session: Session, sources: list[str]) -> set[str]:
        hashes = list({text_hash(s) for s in sources})
        found: set[str] = set()
        for i in range(0, len(hashes), _CHUNK):
            found.update(
                session.scalars(
                    select(CachedSegment.source_hash).where(
                        *self._where(),
                        CachedSegment.origin == "human",
                        CachedSegment.source_hash.in_(hashes[i : i + _CHUNK]),
                    )
                )
            )
        return found

    def _upsert(self, conn: Connection, rows: list[dict], *, keep_human: bool) -> None:
        if not rows:
            return
        statement = _insert(conn)(_TABLE)
        new = statement.excluded
        statement = statement.on_conflict_do_update(
            index_elements=_UNIQUE,
            set_={
                "target_text": new.target_text,
                "source_text": new.source_text,
                "origin": new.origin,
                "created_at": new.created_at,
            },
            # checked in the statement too: a person's edit committed since _human_sources stays
            where=(_TABLE.c.origin != "human") if keep_human else None,
        )
        conn.execute(statement, rows)
        self._index(conn, [r["source_text"] for r in rows])

    def _index(self, conn: Connection, sources: list[str]) -> None:
        """Put the entries of `sources` in the fuzzy index (again is harmless: same keys)."""
        by_hash = {text_hash(s): s for s in sources}
        hashes = list(by_hash)
        for i in range(0, len(hashes), _CHUNK):
            ids = conn.execute(
                select(_TABLE.c.id, _TABLE.c.source_hash).where(
                    *(_TABLE.c[k] == v for k, v in self.key.items()),
                    _TABLE.c.source_hash.in_(hashes[i : i + _CHUNK]),
                )
            )
            _insert_bands(conn, [(cid, self.scope, by_hash[h]) for cid, h in ids])

    def newest(self, session: Session) -> int | None:
        """The id of the memory's newest entry (None: the memory is empty); `fuzzy(up_to=)` with it
        sees the memory as it was, whatever is stored after."""
        return session.execute(select(func.max(CachedSegment.id)).where(*self._where())).scalar()

    def fuzzy(
        self, session: Session, texts: Sequence[str], threshold: float, *, up_to: int | None = None
    ) -> dict[str, Match]:
        """The best entry at least `threshold` alike for each text that has one (exact copies
        excluded: `lookup` answers those), among the entries up to id `up_to` when given."""
        keys = {t: set(band_keys(self.scope, t)) for t in dict.fromkeys(texts)}
        bound = [] if up_to is None else [CachedSegmentBand.cache_id <= up_to]
        # each key's entries, at most _ROWS_PER_KEY of them: a document of near-identical segments
        # ("Item 1", "Item 2"…) shares every key with every entry, and its cost must stay linear
        ids_of: dict[int, list[int]] = {}
        all_keys = list(set().union(*keys.values()))
        for i in range(0, len(all_keys), _CHUNK):
            listed = (
                select(
                    CachedSegmentBand.band,
                    CachedSegmentBand.cache_id,
                    func.row_number()
                    .over(partition_by=CachedSegmentBand.band, order_by=CachedSegmentBand.cache_id)
                    .label("n"),
                )
                .where(CachedSegmentBand.band.in_(all_keys[i : i + _CHUNK]), *bound)
                .subquery()
            )
            rows = session.execute(
                select(listed.c.band, listed.c.cache_id).where(listed.c.n <= _ROWS_PER_KEY)
            )
            for band, cache_id in rows:
                ids_of.setdefault(band, []).append(cache_id)
        wanted: dict[str, list[int]] = {}
        for text, ks in keys.items():
            # counted in C (Counter over a chain), the entries sharing the most keys first
            hits = Counter(chain.from_iterable(ids_of.get(k, ()) for k in ks))
            if hits:
                wanted[text] = [cid for cid, _ in hits.most_common(CANDIDATES)]
        entries = self._entries(session, {cid for ids in wanted.values() for cid in ids})
        best: dict[str, Match] = {}
        for text, ids in wanted.items():
            for cid in ids:
                entry = entries.get(cid)
                if entry is None or entry[0] == text:
                    continue
                s = score(text, entry[0])
                if s >= threshold and (text not in best or s > best[text].score):
                    best[text] = Match(round(s, 4), *entry)
        return best

    def _entries(self, session: Session, ids: set[int]) -> dict[int, tuple[str, str]]:
        found: dict[int, tuple[str, str]] = {}
        ordered = sorted(ids)
        for i in range(0, len(ordered), _CHUNK):
            rows = session.execute(
                select(CachedSegment.id, CachedSegment.source_text, CachedSegment.target_text).where(
                    *self._where(),  # the keys are salted with the scope; checked again all the same
                    CachedSegment.id.in_(ordered[i : i + _CHUNK]),
                    CachedSegment.source_text.is_not(None),
                )
            )
            found.update({cid: (src, tgt) for cid, src, tgt in rows})
        return found


def scope_of(account_id: uuid.UUID, engine: str, source: str, target: str) -> str:
    return f"{account_id}|{engine}|{source}|{target}"


def _insert_bands(conn: Connection, entries: Iterable[tuple[int, str, str]]) -> None:
    rows = [{"band": k, "cache_id": cid} for cid, scope, text in entries for k in set(band_keys(scope, text))]
    if rows:
        conn.execute(_insert(conn)(_BANDS).on_conflict_do_nothing(), rows)


def index_existing(conn: Connection, batch: int = 2000) -> int:
    """Index every entry that has a source text (migration 0009: rows stored before the index)."""
    done, last = 0, 0
    while True:
        rows = conn.execute(
            select(
                _TABLE.c.id,
                _TABLE.c.account_id,
                _TABLE.c.engine,
                _TABLE.c.source_language,
                _TABLE.c.target_language,
                _TABLE.c.source_text,
            )
            .where(_TABLE.c.id > last, _TABLE.c.source_text.is_not(None))
            .order_by(_TABLE.c.id)
            .limit(batch)
        ).all()
        if not rows:
            return done
        _insert_bands(conn, [(r.id, scope_of(*r[1:5]), r.source_text) for r in rows])
        done, last = done + len(rows), rows[-1].id
