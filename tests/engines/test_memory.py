"""The translation memory on a real (migrated) database: who may replace a row, and fuzzy lookups."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from polydoc.db.models import Account, CachedSegment
from polydoc.db.session import read_scope, session_scope
from polydoc.engines.memory import SegmentCache

SOURCE = "The <g1>red</g1> house is very big and the garden is full of flowers."


def _account() -> uuid.UUID:
    with session_scope() as s:
        account = Account(name=f"memory-{uuid.uuid4().hex[:6]}")
        s.add(account)
        s.flush()
        return account.id


@pytest.fixture
def memory(local_db: Path) -> SegmentCache:
    return SegmentCache(_account(), "apertium", "en", "es")


def _row(memory: SegmentCache, source: str) -> tuple[str, str]:
    with session_scope() as s:
        row = s.execute(
            select(CachedSegment.target_text, CachedSegment.origin).where(
                CachedSegment.account_id == memory.key["account_id"], CachedSegment.source_text == source
            )
        ).one()
    return row.target_text, row.origin


def test_a_human_edit_replaces_the_engine_and_a_later_engine_store_does_not(memory: SegmentCache) -> None:
    with session_scope() as s:
        memory.store(s, [(SOURCE, "engine 1")])
    with session_scope() as s:
        memory.store_human(s, [(SOURCE, "la casa <g1>roja</g1>, revisada")])
    with session_scope() as s:
        memory.store(s, [(SOURCE, "engine 2")])  # a later run's engine translation
    assert _row(memory, SOURCE) == ("la casa <g1>roja</g1>, revisada", "human")
    with session_scope() as s:
        assert memory.lookup(s, [SOURCE]) == {SOURCE: "la casa <g1>roja</g1>, revisada"}
        memory.store_human(s, [(SOURCE, "second edit")])  # a person may change their mind
    assert _row(memory, SOURCE) == ("second edit", "human")


def test_an_import_replaces_the_engine_but_never_a_person(memory: SegmentCache) -> None:
    other = "The dog sleeps in the garden."
    when = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
    with session_scope() as s:
        memory.store(s, [(SOURCE, "engine"), (other, "engine")])
        memory.store_human(s, [(SOURCE, "human")])
    with session_scope() as s:
        assert memory.store_import(s, [(SOURCE, "imported", when), (other, "imported", when)]) == (1, 1)
    assert _row(memory, SOURCE) == ("human", "human")
    assert _row(memory, other) == ("imported", "import")
    with session_scope() as s:
        memory.store(s, [(other, "engine again")])
    assert _row(memory, other) == ("imported", "import")


def test_fuzzy_finds_the_sentence_one_word_away_and_nothing_unrelated(memory: SegmentCache) -> None:
    stored = [
        (SOURCE, "La casa <g1>roja</g1> es muy grande y el jardín está lleno de flores."),
        ("Press the button to save the document.", "Pulsa el botón para guardar el documento."),
        ("Nothing at all to do with anything else here.", "Nada."),
    ]
    with session_scope() as s:
        memory.store(s, stored)
    query = SOURCE.replace("big", "small")
    unrelated = "Quarterly revenue grew by twelve percent."
    with session_scope() as s:
        found = memory.fuzzy(s, [query, unrelated, SOURCE], 0.75)
    assert set(found) == {query}  # the exact copy is `lookup`'s, the unrelated text has none
    assert found[query].score >= 0.9 and found[query].source == SOURCE
    assert found[query].target == stored[0][1]
    # another account's memory, the same pair and engine: nothing of this one shows
    with session_scope() as s:
        assert SegmentCache(_account(), "apertium", "en", "es").fuzzy(s, [query], 0.5) == {}


def test_a_fuzzy_search_leaves_the_write_lock_to_others(memory: SegmentCache, local_db: Path) -> None:
    """The worker searches the memory in a `read_scope`: API requests and lease renewals that
    write meanwhile get the lock at once (under `session_scope` they waited for the whole search)."""
    with session_scope() as s:
        memory.store(s, [(SOURCE, "la casa")])
    with read_scope() as s:
        assert memory.fuzzy(s, [SOURCE.replace("big", "small")], 0.75)
        writer = sqlite3.connect(local_db / "polydoc.sqlite", timeout=0.2, isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")  # "database is locked" if the search held the lock
        writer.execute("UPDATE accounts SET name = 'renamed' WHERE id IS NOT NULL")
        writer.execute("COMMIT")
        writer.close()


def test_near_identical_segments_each_find_their_neighbour(memory: SegmentCache) -> None:
    """Numbered lines share every index key with each other: each still gets its closest entry,
    and each key's entries are read a bounded number at a time (the search stays linear)."""
    line = "Paragraph {}: the red house near the river is very big."
    with session_scope() as s:
        memory.store(s, [(line.format(i), f"Párrafo {i}") for i in range(0, 3000, 2)])
    asked = [line.format(i) for i in range(1, 3000, 2)]
    with read_scope() as s:
        found = memory.fuzzy(s, asked, 0.9)
    assert set(found) == set(asked)
    assert all(m.score >= 0.95 and m.target.startswith("Párrafo") for m in found.values())


def test_fuzzy_up_to_sees_the_memory_as_it_was(memory: SegmentCache) -> None:
    """A run looks up its batches while it stores the ones before: it must match what the memory
    held when it started, not its own sentences of a moment ago."""
    with read_scope() as s:
        assert memory.newest(s) is None  # empty: a run skips the search altogether
    with session_scope() as s:
        memory.store(s, [("The red house near the river is very big.", "La casa roja…")])
    with read_scope() as s:
        before = memory.newest(s)
    assert before is not None
    with session_scope() as s:
        memory.store(s, [("The blue house near the river is very big.", "La casa azul…")])
    asked = ["The blue house near the river is very big"]  # the blue one is the closer
    with read_scope() as s:
        then = memory.fuzzy(s, asked, 0.75, up_to=before)
        now = memory.fuzzy(s, asked, 0.75)
    assert [m.target for m in then.values()] == ["La casa roja…"]
    assert [m.target for m in now.values()] == ["La casa azul…"]
