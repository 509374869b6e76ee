"""The pipeline with a fake format, a fake engine and an in-memory blob store (STYLE §3.8).

No real format, no network, no subprocess: what a run does with any handler that fulfils the
`FormatHandler` contract. Only the public entries are used (`create_run`, `claim`, `execute`).
"""

from __future__ import annotations

import importlib
import inspect
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from polydoc import cage, storage
from polydoc.db.models import File, Run
from polydoc.db.session import session_scope
from polydoc.engines import register_engine
from polydoc.errors import BadRequest
from polydoc.formats import registry
from polydoc.pipeline.run import execute
from polydoc.services import accounts, files, runs
from tests.fakes import FakeEngine, FakeFormatHandler, InProcessCage, MemoryBlobStore, mark_words

try:
    from polydoc.services.lifecycle import claim
except ImportError:  # before the run's lifecycle has its own module
    from polydoc.services.runs import claim

DOC = "The red house is big.\n\nThe dog sleeps.\nThe red house is big.\n"


class BilingualFakeFormat(FakeFormatHandler):
    output_modes = ("translated", "bilingual")


@dataclass
class World:
    store: MemoryBlobStore
    engine: FakeEngine
    account_id: object
    tmp: Path
    use_format: Callable[[FakeFormatHandler], None]


def _replace_everywhere(monkeypatch: pytest.MonkeyPatch, name: str, new: object, keep: Callable) -> None:
    """Set `name` to `new` in every loaded polydoc module where `keep(current value)` holds, so
    the fake is found however a module imported it."""
    for modname, module in list(sys.modules.items()):
        if modname.split(".")[0] == "polydoc" and module is not None and keep(getattr(module, name, None)):
            monkeypatch.setattr(module, name, new)


@pytest.fixture
def world(local_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    for optional in ("polydoc.queue", "polydoc.services.lifecycle"):
        try:
            importlib.import_module(optional)
        except ImportError:
            pass
    store = MemoryBlobStore()
    real_get_store = storage.get_store
    _replace_everywhere(monkeypatch, "get_store", lambda url=None: store, lambda v: v is real_get_store)
    # the test drives the worker side itself: publishing a run's message does nothing
    _replace_everywhere(monkeypatch, "enqueue", lambda run_id, **kwargs: None, inspect.isfunction)
    monkeypatch.setattr(cage, "get_cage", InProcessCage)  # handlers patched in this process
    engine = FakeEngine(mark_words, pairs={("en", "es")})
    register_engine("fake", engine)

    def use_format(handler: FakeFormatHandler) -> None:
        monkeypatch.setitem(registry.handlers(), handler.name, handler)
        registry.by_extension.cache_clear()

    with session_scope() as s:
        account, _ = accounts.create_account(s, name="fake-format", credits=10)
    yield World(store, engine, account.id, tmp_path, use_format)
    registry.by_extension.cache_clear()


def _create(world: World, text: str = DOC, **options: object) -> Run:
    doc = world.tmp / "doc.fake"
    doc.write_text(text, encoding="utf-8")
    with session_scope() as s:
        f = files.create_file(s, account_id=world.account_id, upload=doc, filename="doc.fake")
        assert f.format == "fake"  # detection found the handler from its own metadata
        return runs.create_run(
            s,
            account_id=world.account_id,
            input_file_id=str(f.id),
            source_language="en",
            target_language="es",
            engine="fake",
            options=options or None,
        )


def _execute(run_id: object, token: str = "w1") -> tuple[Run, File | None]:
    with session_scope() as s:
        assert claim(s, run_id=run_id, token=token)
    execute(run_id, token)
    with session_scope() as s:
        run = s.get(Run, run_id)
        out = s.get(File, run.output_file_id) if run.output_file_id else None
        s.expunge_all()
        return run, out


def test_the_output_is_the_handlers_rebuild_of_the_engines_translations(world: World) -> None:
    handler = FakeFormatHandler()
    world.use_format(handler)
    run, out = _execute(_create(world).id)
    assert run.status == "Succeeded", run.error_message
    assert (run.segments_total, run.segments_done, run.segments_cached) == (3, 3, 1)
    assert world.engine.calls == [["The red house is big.", "The dog sleeps."]]  # the repeat sent once
    red, dog = mark_words("The red house is big."), mark_words("The dog sleeps.")
    assert handler.rebuilt == [
        {
            "translations": {"line1": red, "line3": dog, "line4": red},
            "target_language": "es",
            "mode": "translated",
        }
    ]
    assert out is not None and out.filename == "doc.es.fake" and out.format == "fake"
    assert world.store.blobs[out.s3_key].decode() == f"{red}\n\n{dog}\n{red}\n"
    assert run.warnings == []


def test_a_rebuild_reports_warnings_into_the_run(world: World) -> None:
    world.use_format(FakeFormatHandler(warnings=["line 3 kept its source text: the tags differ"]))
    run, _ = _execute(_create(world).id)
    assert run.status == "Succeeded"
    assert "line 3 kept its source text: the tags differ" in run.warnings


def test_an_output_mode_the_handler_does_not_declare_is_refused_at_create(world: World) -> None:
    world.use_format(FakeFormatHandler())
    with pytest.raises(BadRequest) as refused:
        _create(world, output_mode="bilingual")
    assert refused.value.code == "invalid_option" and "bilingual" in refused.value.message
    assert world.engine.calls == []


def test_a_declared_output_mode_is_accepted_and_reaches_the_rebuild(world: World) -> None:
    handler = BilingualFakeFormat()
    world.use_format(handler)
    run, out = _execute(_create(world, output_mode="bilingual").id)
    assert run.status == "Succeeded", run.error_message
    assert [call["mode"] for call in handler.rebuilt] == ["bilingual"]
    red, dog = mark_words("The red house is big."), mark_words("The dog sleeps.")
    assert out is not None
    assert world.store.blobs[out.s3_key].decode() == (
        f"The red house is big. | {red}\n\nThe dog sleeps. | {dog}\nThe red house is big. | {red}\n"
    )
