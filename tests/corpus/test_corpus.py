"""Every corpus document through the real service (Apertium English → Spanish), then judged:

- it opens in its own library (and PO passes `msgfmt --check-format`);
- its structure is unchanged: members, media bytes, counts, fields, formulas, numbers, scripts,
  SVG, MathML, code, placeholders (see `_zipped` and `_flat`);
- URLs, e-mail addresses and ids come back byte for byte;
- Office and OpenDocument outputs convert to PDF with LibreOffice (one soffice call for all).

Something was translated, too: the visible text differs from the source's.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.corpus import DOCS, Doc, _flat, _zipped
from tests.helpers import Service, translate

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _structure(doc: Doc, data: bytes) -> dict[str, object]:
    return (_zipped.STRUCTURE.get(doc.fmt) or _flat.STRUCTURE[doc.fmt])(data)


def _text(doc: Doc, data: bytes) -> str:
    return (_zipped if doc.fmt in _zipped.STRUCTURE else _flat).visible_text(doc.fmt, data)


def _params(check: str, docs: list[Doc] = DOCS) -> list:
    return [
        pytest.param(
            d,
            id=d.name,
            marks=[pytest.mark.xfail(reason=d.known[check], strict=True)] if check in d.known else [],
        )
        for d in docs
    ]


class Outputs:
    """Each document translated once per session, on first use; a failed run fails only its tests."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.done: dict[str, bytes | BaseException] = {}

    def __getitem__(self, doc: Doc) -> bytes:
        if doc.name not in self.done:
            try:
                with self.service.client() as c:
                    self.done[doc.name] = translate(c, doc.name, doc.source)[1]
            except (AssertionError, TimeoutError) as exc:
                self.done[doc.name] = exc
        out = self.done[doc.name]
        if isinstance(out, BaseException):
            raise AssertionError(f"{doc.name} did not translate: {out}")
        return out


@pytest.fixture(scope="session")
def outputs(service: Service) -> Outputs:
    return Outputs(service)


@pytest.mark.parametrize("doc", _params("opens"))
def test_output_opens_in_its_library_and_is_translated(outputs: Outputs, doc: Doc) -> None:
    data = outputs[doc]
    (_zipped if doc.fmt in _zipped.STRUCTURE else _flat).opens(doc.fmt, data)
    assert _text(doc, data) != _text(doc, doc.source), "nothing was translated"


@pytest.mark.parametrize("doc", _params("structure"))
def test_structure_media_and_code_unchanged(outputs: Outputs, doc: Doc) -> None:
    source, output = _structure(doc, doc.source), _structure(doc, outputs[doc])
    assert source.keys() == output.keys()
    changed = {k: (source[k], output[k]) for k in source if source[k] != output[k]}
    assert not changed, f"changed by the translation (source, output): {changed}"


@pytest.mark.parametrize("doc", _params("keep", [d for d in DOCS if d.keep]))
def test_urls_emails_and_ids_are_byte_identical(outputs: Outputs, doc: Doc) -> None:
    source, output = _text(doc, doc.source), _text(doc, outputs[doc])
    if doc.fmt in ("xliff", "po"):  # bilingual: the source text is written back as the target
        source = _flat.decode(doc.source)
    assert all(k in source for k in doc.keep)
    assert [k for k in doc.keep if k not in output] == []


@pytest.fixture(scope="session")
def pdfs(outputs: Outputs, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every Office/OpenDocument output converted in one headless soffice run."""
    if SOFFICE is None:
        pytest.fail("LibreOffice is not installed: `bash scripts/install.sh --test` (make test) installs it")
    folder = tmp_path_factory.mktemp("libreoffice")
    inputs = []
    for doc in DOCS:
        if doc.office:
            try:
                data = outputs[doc]
            except AssertionError:
                continue
            inputs.append(folder / f"{Path(doc.name).stem}-{doc.fmt}.{doc.fmt}")
            inputs[-1].write_bytes(data)
    env = {**os.environ, "HOME": str(folder)}
    profile = f"-env:UserInstallation=file://{folder}/profile-{os.getpid()}"
    cmd = [
        SOFFICE,
        profile,
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(folder / "pdf"),
    ]
    subprocess.run([*cmd, *map(str, inputs)], env=env, capture_output=True, timeout=240, check=False)
    return {p.name: folder / "pdf" / f"{p.stem}.pdf" for p in inputs}


@pytest.mark.parametrize("doc", _params("libreoffice", [d for d in DOCS if d.office]))
def test_libreoffice_converts_the_output_to_pdf(pdfs: dict[str, Path], outputs: Outputs, doc: Doc) -> None:
    outputs[doc]  # a failed translation says so first
    import pikepdf

    pdf = pdfs[f"{Path(doc.name).stem}-{doc.fmt}.{doc.fmt}"]
    assert pdf.exists(), f"LibreOffice could not convert {doc.name}"
    with pikepdf.open(pdf) as opened:
        assert len(opened.pages) >= 1
