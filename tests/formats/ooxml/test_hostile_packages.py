"""Hostile and broken DOCX and PPTX packages are refused quickly, at extract and at rebuild.

The payloads come from tests/builders/hostile.py; each case patches one member of a real document.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from polydoc.errors import EncryptedDocument, HostileDocument, MalformedDocument
from polydoc.formats import handler_for
from tests.builders import hostile
from tests.builders.docx import build_docx
from tests.builders.pptx import build_pptx

P_NS = "http://schemas.openxmlformats.org/presentationml/2006/main"


@dataclass(frozen=True)
class Package:
    fmt: str
    build: Callable[[Path], Path]
    media: str  # where an embedded bomb goes
    main: str  # the part the billion laughs replace
    other: str  # a text part the external entity goes in
    entities: Callable[[str], bytes]  # a text part using the entity payload of a kind
    structure: str  # the part left unclosed
    unclosed: bytes


PACKAGES = [
    Package(
        "docx",
        build_docx,
        "word/media/zeros.bin",
        "word/document.xml",
        "word/footer1.xml",
        hostile.docx_document_entities,
        "word/document.xml",
        b"<w:document><w:body>",
    ),
    Package(
        "pptx",
        build_pptx,
        "ppt/media/zeros.bin",
        "ppt/slides/slide1.xml",
        "ppt/charts/chart1.xml",
        lambda kind: hostile.entity_part(kind, f'<p:sld xmlns:p="{P_NS}">{{ref}}</p:sld>'),
        "ppt/presentation.xml",
        b"<p:presentation",
    ),
]

# each case: the bad file's bytes from the package and its built source, and the error it must raise
CASES: dict[str, tuple[Callable[[Package, Path], bytes], type[Exception]]] = {
    "zip-bomb": (lambda p, src: hostile.repacked(src, {p.media: bytes(8 << 20)}), HostileDocument),
    "billion-laughs": (
        lambda p, src: hostile.repacked(src, {p.main: p.entities("laughs")}),
        HostileDocument,
    ),
    "external-entity": (
        lambda p, src: hostile.repacked(src, {p.other: p.entities("file")}),
        HostileDocument,
    ),
    "broken-xml": (lambda p, src: hostile.repacked(src, {p.structure: p.unclosed}), MalformedDocument),
    "truncated": (lambda p, src: hostile.truncated(src.read_bytes()), MalformedDocument),
    "encrypted": (lambda p, src: hostile.ole_encrypted(), EncryptedDocument),
}


@pytest.fixture(scope="module", params=PACKAGES, ids=[p.fmt for p in PACKAGES])
def package(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> tuple[Package, Path]:
    p: Package = request.param
    return p, p.build(tmp_path_factory.mktemp(p.fmt))


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_quickly(package: tuple[Package, Path], tmp_path: Path, case: str) -> None:
    p, source = package
    make, error = CASES[case]
    bad = tmp_path / f"bad.{p.fmt}"
    bad.write_bytes(make(p, source))
    handler = handler_for(p.fmt)
    started = time.monotonic()
    with pytest.raises(error):
        list(handler.extract(bad))
    with pytest.raises(error):
        handler.rebuild(bad, tmp_path / f"out.{p.fmt}", {}, target_language="es")
    assert time.monotonic() - started < 5
