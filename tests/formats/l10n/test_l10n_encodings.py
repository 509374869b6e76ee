"""The encoding rules of the localisation formats: PO reads its header's charset, XLIFF its BOM
or XML declaration; detection asks the same rule; the output keeps the encoding when the
translation fits it and is UTF-8 with the declaration updated (and a warning) when it does not."""

from __future__ import annotations

import codecs
import shutil
import subprocess
from pathlib import Path

import polib
import pytest
from lxml import etree

from polydoc.errors import MalformedDocument
from polydoc.formats import detect, handler_for
from polydoc.formats.l10n.po import charset
from polydoc.formats.l10n.xliff import xml_encoding
from tests.builders.localisation import LATIN1_XLIFF, build_latin9_po, build_xliff12_latin1


def _run(fmt: str, src: Path, dst: Path, fn):
    handler = handler_for(fmt)
    translations = {s.id: fn(s.text) for s in handler.extract(src)}
    return handler.rebuild(src, dst, translations, target_language="es")


def _msgfmt(path: Path) -> None:
    if shutil.which("msgfmt") is None:
        pytest.skip("gettext's msgfmt is not installed")
    done = subprocess.run(["msgfmt", "-c", "-o", "/dev/null", str(path)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


# -- PO: the header's charset ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=ISO-8859-15\\n"\n', (b"", "ISO-8859-15")),
        (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=windows-1252\\n"\n', (b"", "windows-1252")),
        (b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=CHARSET\\n"\n', (b"", "utf-8")),
        (b'msgid "Hello"\nmsgstr ""\n', (b"", "utf-8")),
        (codecs.BOM_UTF8 + b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n', (codecs.BOM_UTF8, "UTF-8")),
    ],
)  # fmt: skip
def test_po_charset_rule(head: bytes, expected: tuple[bytes, str]) -> None:
    assert charset(head) == expected


def test_po_unknown_charset_is_malformed(tmp_path: Path) -> None:
    src = tmp_path / "odd.po"
    src.write_bytes(
        b'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=KLINGON-8\\n"\n\nmsgid "Caf\xe9"\nmsgstr ""\n'
    )
    with pytest.raises(MalformedDocument, match="unknown charset"):
        detect(src, "blob")


def test_latin9_po_is_detected_and_read_by_its_header(tmp_path: Path) -> None:
    src = build_latin9_po(tmp_path)
    assert detect(src, "blob") == detect(src, "shop.po") == "po"
    texts = [s.text for s in handler_for("po").extract(src)]
    assert "The ticket costs 12 € at the entrance." in texts


def test_po_whose_bytes_contradict_its_charset_is_malformed_at_detection(tmp_path: Path) -> None:
    src = tmp_path / "lying.po"
    src.write_bytes(build_latin9_po(tmp_path).read_bytes().replace(b"charset=ISO-8859-15", b"charset=UTF-8"))
    with pytest.raises(MalformedDocument, match="not valid UTF-8 text"):
        detect(src, "lying.po")


def test_latin9_po_stays_latin9_when_the_translation_fits(tmp_path: Path) -> None:
    src, out = build_latin9_po(tmp_path), tmp_path / "out.po"
    report = _run("po", src, out, lambda t: "Precio: " + t.replace("costs", "cuesta"))
    assert report.warnings == []
    data = out.read_bytes()
    assert b"charset=ISO-8859-15" in data and b"12 \xa4" in data  # € is 0xA4 in Latin-9
    _msgfmt(out)
    po = polib.pofile(data.decode("iso-8859-15"))
    assert po.find("Our café serves crème brûlée every day.").msgstr.startswith("Precio: Our café")


def test_latin9_po_becomes_utf8_when_the_translation_does_not_fit(tmp_path: Path) -> None:
    src, out = build_latin9_po(tmp_path), tmp_path / "out.po"
    report = _run("po", src, out, lambda t: t + " →")
    assert report.warnings == ["The translation does not fit the ISO-8859-15 charset; the file is now UTF-8"]
    _msgfmt(out)
    po = polib.pofile(out.read_bytes().decode("utf-8"))
    assert po.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert po.metadata["Last-Translator"] == "Zoë Martín <zoe@example.com>"
    assert (
        po.find("The ticket costs 12 € at the entrance.").msgstr == "The ticket costs 12 € at the entrance. →"
    )


# -- XLIFF: BOM, else the XML declaration ----------------------------------------------------------


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<xliff/>', (b"", "ISO-8859-1")),
        (b"<?xml version='1.0' encoding='windows-1252' standalone='yes'?><xliff/>", (b"", "windows-1252")),
        (b'<?xml version="1.0"?>\n<xliff/>', (b"", "utf-8")),
        (b"<xliff/>", (b"", "utf-8")),
        (b'<xliff encoding="ISO-8859-1"/>', (b"", "utf-8")),  # an attribute, not the declaration
        (codecs.BOM_UTF8 + b'<?xml version="1.0" encoding="ISO-8859-1"?>', (codecs.BOM_UTF8, "utf-8")),
        (codecs.BOM_UTF16_LE + "<?xml".encode("utf-16-le"), (codecs.BOM_UTF16_LE, "utf-16-le")),
        ("<?xml".encode("utf-16-be"), (b"", "utf-16-be")),
    ],
)
def test_xml_encoding_rule(head: bytes, expected: tuple[bytes, str]) -> None:
    assert xml_encoding(head) == expected


def test_xliff_declared_latin1_is_detected(tmp_path: Path) -> None:
    src = build_xliff12_latin1(tmp_path)
    assert detect(src, "blob") == detect(src, "shop.xlf") == "xliff"
    assert handler_for("xliff").text_encoding(src) == "ISO-8859-1"


def test_xliff_whose_bytes_contradict_its_declaration_is_malformed_at_detection(tmp_path: Path) -> None:
    src = tmp_path / "lying.xlf"
    src.write_bytes(LATIN1_XLIFF.replace("ISO-8859-1", "UTF-8").encode("iso-8859-1"))
    with pytest.raises(MalformedDocument, match="not valid UTF-8 text"):
        detect(src, "lying.xlf")


def test_xliff_stays_latin1_with_its_own_declaration_when_the_translation_fits(tmp_path: Path) -> None:
    src, out = build_xliff12_latin1(tmp_path), tmp_path / "out.xlf"
    report = _run("xliff", src, out, lambda t: "Traducción: " + t)
    assert report.warnings == []
    data = out.read_bytes()
    assert data.startswith(b'<?xml version="1.0" encoding="ISO-8859-1"?>\n<xliff') and data.endswith(
        b"</xliff>\n"
    )
    assert "Traducción: Our café".encode("iso-8859-1") in data
    assert etree.fromstring(data).getroottree().docinfo.encoding == "ISO-8859-1"


def test_xliff_becomes_utf8_with_its_declaration_updated_when_the_translation_does_not_fit(
    tmp_path: Path,
) -> None:
    src, out = tmp_path / "single.xlf", tmp_path / "out.xlf"
    src.write_bytes(
        LATIN1_XLIFF.replace('"1.0" encoding="ISO-8859-1"', "'1.0' encoding='iso-8859-1'").encode("latin-1")
    )
    report = _run("xliff", src, out, lambda t: t + " →")
    assert report.warnings == ["The translation does not fit the iso-8859-1 encoding; the file is now UTF-8"]
    data = out.read_bytes()
    assert data.startswith(b"<?xml version='1.0' encoding='UTF-8'?>\n<xliff")
    root = etree.fromstring(data)
    assert root.getroottree().docinfo.encoding == "UTF-8"
    assert "Our café serves crème brûlée every day. →" in data.decode("utf-8")


def test_utf16_xliff_keeps_its_bom_and_byte_order(tmp_path: Path) -> None:
    src, out = tmp_path / "wide.xlf", tmp_path / "out.xlf"
    text = LATIN1_XLIFF.replace("ISO-8859-1", "UTF-16")
    src.write_bytes(codecs.BOM_UTF16_BE + text.encode("utf-16-be"))
    assert detect(src, "blob") == "xliff"
    assert _run("xliff", src, out, lambda t: t + " →").warnings == []
    data = out.read_bytes()
    assert data.startswith(
        codecs.BOM_UTF16_BE + '<?xml version="1.0" encoding="UTF-16"?>'.encode("utf-16-be")
    )
    assert "crème brûlée every day. →" in data[2:].decode("utf-16-be")
