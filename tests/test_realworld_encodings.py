"""What real uploads are wrapped in: legacy encodings and password protection (issue 19).

Through the real service with real Apertium (eng→spa): a Latin-9 PO, a Windows-1252 TXT, SRT
and CSV, and an XLIFF declared ISO-8859-1 come back translated in their own encoding; when a
glossary puts a character the encoding lacks into the translation (Łódź), the file comes back
as UTF-8 with its declaration updated and a warning on the run. Password-protected DOCX, XLSX
and PPTX (encrypted with msoffcrypto-tool, as Office does) are refused at upload with 422
`encrypted`; legacy .doc/.xls/.ppt (converted by LibreOffice) with 415; nothing is stored.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import polib
import pytest
from lxml import etree

from polydoc.errors import EncryptedDocument, MalformedDocument, UnsupportedFormat
from polydoc.formats import detect
from tests.builders import csv as csv_builders
from tests.builders import docx as docx_builders
from tests.builders import localisation, pptx, subtitles, web
from tests.builders import xlsx as xlsx_builders
from tests.helpers import Service, translate

SPANISH = re.compile(r"\b(el|la|los|las|de|del|en|es|y|un|una|con|nuestro|abre|cada)\b", re.I)
LODZ = [{"source": "Lodz", "target": "Łódź"}]  # Ł is in none of the legacy encodings here
_XLIFF = "{urn:oasis:names:tc:xliff:document:1.2}"


def _msgfmt(path: Path) -> None:
    done = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def _not_utf8(data: bytes) -> None:
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")


# -- encodings kept --------------------------------------------------------------------------------


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_latin9_po_comes_back_in_latin9_valid_and_translated(service: Service, tmp_path: Path) -> None:
    source = localisation.build_latin9_po(tmp_path)
    _msgfmt(source)
    with service.client() as c:
        run, data = translate(c, "blob", source.read_bytes())
    assert run["warnings"] == []
    out = tmp_path / "out.po"
    out.write_bytes(data)
    _msgfmt(out)
    _not_utf8(data)
    po = polib.pofile(data.decode("iso-8859-15"))
    assert po.metadata["Content-Type"] == "text/plain; charset=ISO-8859-15"
    assert po.metadata["Last-Translator"] == "Zoë Martín <zoe@example.com>"  # header kept
    price = po.find("The ticket costs 12 € at the entrance.")
    assert "12 €" in price.msgstr and SPANISH.search(price.msgstr), price.msgstr
    assert b"12 \xa4" in data  # € as Latin-9 writes it
    plural = po.find("You have %d ticket in your basket.")
    assert all("%d" in form and form != plural.msgid for form in plural.msgstr_plural.values())
    for entry in po:
        assert entry.msgstr or entry.msgstr_plural, entry.msgid
        assert entry.msgstr != entry.msgid


def _cp1252_txt(folder: Path) -> Path:
    path = folder / "notes.txt"
    text = "The café opens at nine \u2014 every day.\r\nOur \u201ccrème brûlée\u201d is famous.\r\n"
    path.write_bytes(text.encode("cp1252"))
    return path


@pytest.mark.parametrize(
    ("build", "lines"),
    [
        (_cp1252_txt, lambda text: text.splitlines()),
        (subtitles.build_srt_cp1252, lambda text: [ln for ln in text.splitlines() if ln[:1].isalpha()]),
        (csv_builders.build_cp1252_csv, lambda text: [r[1] for r in csv.reader(io.StringIO(text), delimiter=";")][1:]),
    ],
    ids=["txt", "srt", "csv"],
)  # fmt: skip
def test_cp1252_text_stays_cp1252(
    service: Service, tmp_path: Path, build: Callable[[Path], Path], lines: Callable[[str], list[str]]
) -> None:
    source = build(tmp_path)
    with service.client() as c:
        run, data = translate(c, source.name, source.read_bytes())
    assert run["warnings"] == []
    _not_utf8(data)
    assert not data.startswith(b"\xef\xbb\xbf")
    before, after = lines(source.read_bytes().decode("cp1252")), lines(data.decode("cp1252"))
    assert len(before) == len(after)
    assert all(a != b and SPANISH.search(a) for a, b in zip(after, before, strict=True)), after
    assert data.count(b"\r\n") == source.read_bytes().count(b"\r\n")


def test_xliff_declared_latin1_stays_latin1(service: Service, tmp_path: Path) -> None:
    source = localisation.build_xliff12_latin1(tmp_path)
    with service.client() as c:
        run, data = translate(c, "blob", source.read_bytes())
    assert run["warnings"] == []
    assert data.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<xliff')
    _not_utf8(data)
    root = etree.fromstring(data)
    units = list(root.iter(f"{_XLIFF}trans-unit"))
    assert root.getroottree().docinfo.encoding == "ISO-8859-1" and len(units) == 3
    for unit in units:
        target = "".join(unit.find(f"{_XLIFF}target").itertext())
        assert SPANISH.search(target) and target != "".join(unit.find(f"{_XLIFF}source").itertext())
    assert root.find(f"{_XLIFF}file").get("target-language") == "es"


def test_html_declared_windows_1252_stays_so(service: Service, tmp_path: Path) -> None:
    source = web.build_html_cp1252(tmp_path)
    assert detect(source, "blob") == "html"
    with service.client() as c:
        # a two-sentence page full of French loan words: say it is English
        run, data = translate(c, "blob", source.read_bytes(), source_language="en")
    assert run["warnings"] == []
    _not_utf8(data)
    page = data.decode("cp1252")
    assert '<meta charset="windows-1252">' in page and '<html lang="es">' in page
    assert SPANISH.search(page.split("<body>")[1]) and "The café serves" not in page


# -- a translation the encoding cannot hold ----------------------------------------------------------


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="gettext's msgfmt is not installed")
def test_po_becomes_utf8_with_its_header_updated(service: Service, tmp_path: Path) -> None:
    source = localisation.build_latin9_po(tmp_path)
    with service.client() as c:
        run, data = translate(c, "shop.po", source.read_bytes(), glossary=LODZ)
    assert any("UTF-8" in w and "ISO-8859-15" in w for w in run["warnings"]), run["warnings"]
    out = tmp_path / "out.po"
    out.write_bytes(data)
    _msgfmt(out)
    po = polib.pofile(data.decode("utf-8"))
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert "Łódź" in po.find("The office in Lodz opens on Monday.").msgstr
    assert "12 €" in po.find("The ticket costs 12 € at the entrance.").msgstr


def test_xliff_becomes_utf8_with_its_declaration_updated(service: Service, tmp_path: Path) -> None:
    source = localisation.build_xliff12_latin1(tmp_path)
    with service.client() as c:
        run, data = translate(c, "shop.xlf", source.read_bytes(), glossary=LODZ)
    assert any("UTF-8" in w for w in run["warnings"]), run["warnings"]
    assert data.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<xliff')
    root = etree.fromstring(data)
    targets = {
        u.get("id"): "".join(u.find(f"{_XLIFF}target").itertext()) for u in root.iter(f"{_XLIFF}trans-unit")
    }
    assert "Łódź" in targets["office"] and SPANISH.search(targets["cafe"])
    assert "café" in data.decode("utf-8")  # the untouched source text is transcoded too


@pytest.mark.parametrize(
    "build",
    [_cp1252_txt, subtitles.build_srt_cp1252, csv_builders.build_cp1252_csv],
    ids=["txt", "srt", "csv"],
)
def test_cp1252_text_becomes_utf8_with_a_bom(
    service: Service, tmp_path: Path, build: Callable[[Path], Path]
) -> None:
    source = build(tmp_path)
    if source.suffix == ".txt":
        source.write_bytes(source.read_bytes() + b"The office in Lodz opens on Monday.\r\n")
    with service.client() as c:
        run, data = translate(c, source.name, source.read_bytes(), glossary=LODZ)
    assert any("cp1252" in w and "UTF-8" in w for w in run["warnings"]), run["warnings"]
    assert data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8-sig")
    assert "Łódź" in text and "\u201c" in text  # Windows-1252's curly quotes transcoded, not lost


# -- password-protected and legacy Office files ------------------------------------------------------

OFFICE: dict[str, Callable[[Path], Path]] = {
    "docx": docx_builders.build_docx,
    "xlsx": xlsx_builders.build_sales_workbook,
    "pptx": pptx.build_pptx,
}


def _encrypted(source: Path) -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    with source.open("rb") as fh:
        OOXMLFile(fh).encrypt("s3cret-Passw0rd", out)
    return out.getvalue()


@pytest.mark.parametrize("fmt", list(OFFICE))
def test_detect_says_encrypted(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / "locked.bin"
    path.write_bytes(_encrypted(OFFICE[fmt](tmp_path)))
    for name in (f"locked.{fmt}", "blob", "locked.txt"):
        with pytest.raises(EncryptedDocument, match="password-protected.*remove the password"):
            detect(path, name)


def test_detect_says_damaged_for_a_broken_compound_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.docx"
    path.write_bytes(_encrypted(docx_builders.build_docx(tmp_path))[:1000])
    with pytest.raises(MalformedDocument, match="damaged"):
        detect(path, "broken.docx")


@pytest.mark.parametrize("fmt", list(OFFICE))
@pytest.mark.parametrize("name", ["locked", "blob"])
def test_encrypted_office_upload_is_422_and_stores_nothing(
    service: Service, tmp_path: Path, fmt: str, name: str
) -> None:
    data = _encrypted(OFFICE[fmt](tmp_path))
    filename = f"{name}.{fmt}" if name != "blob" else name
    with service.client() as c:
        before = c.get("/v1/files").json()
        resp = c.post("/v1/files", files={"data": (filename, data)})
        assert resp.status_code == 422, resp.text
        error = resp.json()["error"]
        assert error["code"] == "encrypted"
        assert "password-protected" in error["message"] and "remove the password" in error["message"]
        assert c.get("/v1/files").json() == before


_LEGACY = {"docx": ("doc", "Word"), "xlsx": ("xls", "Excel"), "pptx": ("ppt", "PowerPoint")}


@pytest.fixture(scope="module")
def legacy_files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Real .doc, .xls and .ppt files: the builders' documents saved by LibreOffice."""
    if shutil.which("soffice") is None:
        pytest.skip("LibreOffice is not installed")
    folder = tmp_path_factory.mktemp("legacy")
    found = {}
    for fmt, (old, _) in _LEGACY.items():
        source = OFFICE[fmt](folder)
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{folder}/profile", "--headless",
             "--convert-to", old, "--outdir", str(folder / "out"), str(source)],
            check=True, capture_output=True, timeout=120,
        )  # fmt: skip
        found[old] = folder / "out" / f"{source.stem}.{old}"
    return found


@pytest.mark.parametrize("fmt", list(_LEGACY))
def test_legacy_office_upload_is_415_with_what_to_do(
    service: Service, legacy_files: dict[str, Path], fmt: str
) -> None:
    old, app = _LEGACY[fmt]
    path = legacy_files[old]
    with pytest.raises(UnsupportedFormat, match=f"legacy binary Office file.*{app}.*save it as .{fmt}"):
        detect(path, "blob")
    with service.client() as c:
        before = c.get("/v1/files").json()
        for name in (path.name, "blob"):
            resp = c.post("/v1/files", files={"data": (name, path.read_bytes())})
            assert resp.status_code == 415, resp.text
            error = resp.json()["error"]
            assert error["code"] == "unsupported_format" and f"save it as .{fmt}" in error["message"]
        assert c.get("/v1/files").json() == before
