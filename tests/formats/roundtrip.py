"""Translate a document with a handler and a fake translation, and read the result back as a zip."""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Mapping
from pathlib import Path

from polydoc.formats.base import FormatHandler, RebuildReport
from tests.fakes import mark_words


def fake_translations(
    handler: FormatHandler, path: Path, fn: Callable[[str], str] = mark_words
) -> dict[str, str]:
    """Segment id -> `fn` of its text, for every segment the handler extracts."""
    return {seg.id: fn(seg.text) for seg in handler.extract(path)}


def rebuilt(
    handler: FormatHandler,
    src: Path,
    translations: Mapping[str, str],
    name: str,
    output_mode: str = "translated",
) -> tuple[Path, RebuildReport]:
    """`src` rebuilt with `translations` into `name` beside it, and the handler's report."""
    dst = src.with_name(name)
    report = handler.rebuild(src, dst, translations, target_language="es", output_mode=output_mode)
    assert isinstance(report, RebuildReport)
    return dst, report


def members(path: Path) -> dict[str, bytes]:
    """Every member of a zip package, by name."""
    with zipfile.ZipFile(path) as zf:
        return {info.filename: zf.read(info) for info in zf.infolist()}
