"""The pipeline in-process with a fake engine and an in-memory blob store (no subprocess, no network)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from polydoc import billing, cage, storage
from polydoc.db.models import Run
from polydoc.db.session import session_scope
from polydoc.engines import register_engine
from polydoc.errors import EngineUnavailable
from polydoc.pipeline import run as pipeline
from polydoc.services import accounts, files, lifecycle, runs
from tests.fakes import FakeEngine, InProcessCage, MemoryBlobStore, mark_words


@pytest.fixture
def world(local_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict]:
    store = MemoryBlobStore()
    monkeypatch.setattr(storage, "get_store", lambda url=None: store)
    monkeypatch.setattr(files, "get_store", lambda url=None: store)
    monkeypatch.setattr(pipeline, "get_store", lambda url=None: store)
    monkeypatch.setattr(lifecycle, "get_store", lambda url=None: store)
    monkeypatch.setattr(runs, "enqueue", lambda run_id, **kwargs: None)  # the test drives the worker side itself
    monkeypatch.setattr(cage, "get_cage", InProcessCage)  # handlers patched in this process
    engine = FakeEngine(mark_words, pairs={("en", "es")})
    register_engine("fake", engine)
    doc = tmp_path / "doc.txt"
    doc.write_text("The red house is big.\n\nThe dog sleeps.\n\nThe red house is big.\n")
    with session_scope() as s:
        account, _ = accounts.create_account(s, name="p", credits=10)
        f = files.create_file(s, account_id=account.id, upload=doc, filename="doc.txt")
        run = runs.create_run(
            s, account_id=account.id, input_file_id=str(f.id), target_language="es", engine="fake"
        )
    yield {"store": store, "engine": engine, "account_id": account.id, "run_id": run.id}


def _execute(run_id, token: str = "w1") -> Run:  # noqa: ANN001
    with session_scope() as s:
        assert lifecycle.claim(s, run_id=run_id, token=token)
    pipeline.execute(run_id, token)
    with session_scope() as s:
        return s.get(Run, run_id)


def test_success_writes_one_output_and_settles(world: dict) -> None:
    run = _execute(world["run_id"])
    assert run.status == "Succeeded" and run.segments_total == 3 and run.segments_cached == 1
    assert len(world["engine"].calls) == 1 and len(world["engine"].calls[0]) == 2  # repeat sent once
    out = world["store"].blobs[f"runs/{run.id}/output.txt"].decode()
    assert out.count("esRED esHOUSE") == 2
    with session_scope() as s:
        assert billing.balance(s, world["account_id"]) == 10 - run.credits
        assert billing.held(s, world["account_id"]) == 0
        assert not lifecycle.claim(s, run_id=run.id, token="w2")  # a redelivered message does nothing


def test_engine_failure_fails_the_run_and_releases_the_hold(world: dict) -> None:
    def broken(text: str) -> str:
        raise EngineUnavailable("the engine is down")

    world["engine"].fn = broken
    run = _execute(world["run_id"])
    assert run.status == "Failed" and run.error_code == "engine_unavailable"
    assert "down" in run.error_message and not world["store"].exists(f"runs/{run.id}/output.txt")
    with session_scope() as s:
        assert billing.balance(s, world["account_id"]) == 10


def test_unexpected_error_is_reported_without_internals(world: dict) -> None:
    def buggy(text: str) -> str:
        raise ZeroDivisionError("secret internal detail at /srv/app.py")

    world["engine"].fn = buggy
    run = _execute(world["run_id"])
    assert run.status == "Failed" and run.error_code == "internal_error"
    assert "secret" not in run.error_message and "/srv" not in run.error_message


def test_cancel_while_translating_stops_without_output(world: dict) -> None:
    def cancel_then_translate(text: str) -> str:
        with session_scope() as s:
            runs.cancel_run(s, account_id=world["account_id"], run_id=str(world["run_id"]))
        return mark_words(text)

    world["engine"].fn = cancel_then_translate
    run = _execute(world["run_id"])
    assert run.status == "Failed" and run.error_code == "cancelled" and run.output_file_id is None
    assert not world["store"].exists(f"runs/{run.id}/output.txt")
    with session_scope() as s:
        assert billing.balance(s, world["account_id"]) == 10


def test_a_second_worker_cannot_finish_a_run_it_lost(world: dict) -> None:
    with session_scope() as s:
        assert lifecycle.claim(s, run_id=world["run_id"], token="old")
        s.get(Run, world["run_id"]).lease_until = s.get(Run, world["run_id"]).created_at  # lease expired
    run = _execute(world["run_id"], token="new")  # the sweep's redelivery takes it over
    assert run.status == "Succeeded" and run.worker == "new"
    pipeline.execute(world["run_id"], "old")  # the old worker wakes up: nothing happens
    with session_scope() as s:
        assert billing.spent(s, world["account_id"]) == run.credits


def test_a_rebuild_that_fails_stops_the_engine_work(
    world: dict, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The output is rebuilt beside the engine; when the rebuild fails, no more batches are sent."""
    from polydoc.errors import MalformedDocument
    from polydoc.formats import handler_for

    def refuse(*args: object, **kwargs: object) -> None:
        raise MalformedDocument("the document could not be written back")

    def slow_marks(text: str) -> str:
        time.sleep(0.005)  # 50 segments a batch: 0.25 s, so the rebuild's failure is seen in time
        return mark_words(text)

    monkeypatch.setattr(type(handler_for("txt")), "rebuild", refuse)
    world["engine"].fn = slow_marks
    doc = tmp_path / "long.txt"
    doc.write_text("\n\n".join(f"Paragraph {n} is about the house." for n in range(400)))
    with session_scope() as s:
        f = files.create_file(s, account_id=world["account_id"], upload=doc, filename="long.txt")
        run = runs.create_run(
            s, account_id=world["account_id"], input_file_id=str(f.id), target_language="es", engine="fake"
        )
    run = _execute(run.id)
    assert run.status == "Failed" and run.error_code == "malformed"
    assert "written back" in run.error_message
    assert len(world["engine"].calls) <= 2  # of the 8 batches the document needs
