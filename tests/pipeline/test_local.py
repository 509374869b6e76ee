"""`translate_file`: extraction, translation and rebuild overlapped, on real documents."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import docx
import pytest

from polydoc.engines import register_engine
from polydoc.engines.base import BatchContext, BatchResult, LangPair
from polydoc.errors import EngineUnavailable
from polydoc.pipeline.local import translate_file
from polydoc.pipeline.overlap import StreamedTranslations, TranslationAbandoned
from tests.builders.docx import build_docx, build_long_docx
from tests.fakes import FakeEngine


def test_a_long_document_is_translated_while_it_is_read(tmp_path: Path) -> None:
    src = build_long_docx(tmp_path, 700)
    seen: list[tuple[int, int | None]] = []
    result = translate_file(
        src, target="es", source="en", output=tmp_path / "out.docx", progress=lambda d, t: seen.append((d, t))
    )
    paragraphs = [p.text for p in docx.Document(str(tmp_path / "out.docx")).paragraphs]
    assert len(paragraphs) == 700 and all("mar" in p and "sea" not in p for p in paragraphs)
    assert paragraphs[5].startswith("Número de párrafo 005")
    assert (result.segments, result.unique_segments) == (700, 700)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen) and seen[-1] == (700, 700)
    assert seen[0][1] is None  # the first batches left before the end of the document was read
    assert sorted(p.name for p in tmp_path.iterdir()) == ["long.docx", "out.docx"]  # no partial file


def test_the_source_language_is_detected_and_inline_formatting_kept(tmp_path: Path) -> None:
    src = build_docx(tmp_path)
    result = translate_file(src, target="es", output=tmp_path / "out.docx")
    assert result.source_language == "en" and result.route == "apertium"
    out = docx.Document(str(tmp_path / "out.docx"))
    car = next(p for p in out.paragraphs if "coche" in p.text)
    assert [r.text for r in car.runs if r.bold] == ["rojo"]
    assert out.core_properties.title != "Annual sales report"


class _FailingEngine(FakeEngine):
    """Fake engine that fails its third batch, as an engine going away mid-document does."""

    batch_size = 20

    def translate_batch(
        self, pair: LangPair, texts: Sequence[str], *, context: BatchContext | None = None
    ) -> BatchResult:
        if len(self.calls) == 2:
            raise EngineUnavailable("the fake engine went away")
        return super().translate_batch(pair, texts, context=context)


def test_an_engine_failure_leaves_no_output_and_stops_the_rebuild(tmp_path: Path) -> None:
    register_engine("failing", _FailingEngine())
    src = build_long_docx(tmp_path, 200)
    with pytest.raises(EngineUnavailable):
        translate_file(src, target="es", source="en", engine="failing", output=tmp_path / "out.docx")
    assert [p.name for p in tmp_path.iterdir()] == ["long.docx"]
    assert not [t for t in threading.enumerate() if t.name.startswith("rebuild")]


def test_streamed_translations_wait_for_the_answer() -> None:
    table = StreamedTranslations()
    table.add_segment("p1", "Hello")
    table.add_segment("p2", "Hello")
    got: list[str | None] = []

    def read() -> None:
        got.append(table.get("p2"))
        got.append(table.get("nowhere"))

    reader = threading.Thread(target=read)
    reader.start()
    reader.join(0.2)
    assert reader.is_alive() and got == []  # nothing known yet: the reader waits
    table.add_translations([("Hello", "Hola")])
    reader.join(0.2)
    assert got == ["Hola"]  # the second lookup still waits: "nowhere" may yet be extracted
    table.complete()
    reader.join(5)
    assert got == ["Hola", None] and dict(table) == {"p1": "Hola", "p2": "Hola"}
    assert "p1" in table and "nowhere" not in table


def test_abandoned_translations_release_a_waiting_reader() -> None:
    table = StreamedTranslations()
    table.add_segment("p1", "Hello")
    errors: list[BaseException] = []

    def read() -> None:
        try:
            table["p1"]
        except TranslationAbandoned as exc:
            errors.append(exc)

    reader = threading.Thread(target=read)
    reader.start()
    table.abandon()
    reader.join(5)
    assert not reader.is_alive() and len(errors) == 1
