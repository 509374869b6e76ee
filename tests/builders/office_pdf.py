"""Office documents turned into PDF by LibreOffice, as users' real PDFs are made.

Each call runs one headless soffice with a private profile (a shared or default profile
makes a second soffice hand its work to the first and exit at once). A missing soffice
skips the test; a conversion that fails or hangs fails it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NoReturn

TIMEOUT_S = 120


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        import pytest  # only here: benchmarks import this module without pytest

        pytest.skip("LibreOffice (soffice) is not installed")
    return found


def _fail(message: str) -> NoReturn:
    import pytest

    pytest.fail(message)


def _convert(data: bytes, suffix: str, folder: Path) -> bytes:
    soffice = _soffice()
    work = Path(tempfile.mkdtemp(prefix="soffice-", dir=folder))
    source = work / f"document.{suffix}"
    source.write_bytes(data)
    out = work / "pdf"
    cmd = [
        soffice,
        f"-env:UserInstallation=file://{work}/profile",
        "--headless",
        "--norestore",
        "--convert-to",
        "pdf",
        "--outdir",
        str(out),
        str(source),
    ]
    env = {**os.environ, "HOME": str(work)}
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, timeout=TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        _fail(f"soffice did not convert {source.name} within {TIMEOUT_S} s")
    pdf = out / "document.pdf"
    if not pdf.exists():
        _fail(f"soffice could not convert {source.name}: {done.stderr.decode(errors='replace')[-500:]}")
    return pdf.read_bytes()


def docx_to_pdf(docx: bytes, folder: Path) -> bytes:
    """The PDF LibreOffice exports from a Word document (bytes in, bytes out)."""
    return _convert(docx, "docx", folder)


def pptx_to_pdf(pptx: bytes, folder: Path) -> bytes:
    """The PDF LibreOffice exports from a PowerPoint deck (bytes in, bytes out)."""
    return _convert(pptx, "pptx", folder)
