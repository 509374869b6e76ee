"""Office documents in the shape the wild sends them, through a real `polydoc serve` with Apertium
(English to Spanish): code listings (adjacent code-style paragraphs, a monospace paragraph,
inline code) come back byte for byte, and tracked changes (insertions, deletions, moves,
formatting changes) come back with the same revisions, authors and dates."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pptx
from lxml import etree
from odf import teletype, text
from odf.opendocument import load

from tests.builders.docx import CODE_LINES, build_code_docx, build_tracked_docx, paragraph_xml, revision_marks
from tests.builders.odf import build_code_odt
from tests.builders.pptx import build_code_pptx
from tests.helpers import Service, translate

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
# what Apertium made of the listing before: "# ifconfig -Un", "Enlace encap", "/sys/Clase/"
MANGLED = ("-Un", "Enlace", "Clase", "Alcance")


def _member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return zf.read(name)


def test_docx_code_listing_comes_back_byte_for_byte(service: Service, tmp_path: Path) -> None:
    src = build_code_docx(tmp_path).read_bytes()
    with service.client() as c:
        _run, out = translate(c, "manual.docx", src, "es", source_language="en")
    before, after = (
        paragraph_xml(_member(src, "word/document.xml")),
        paragraph_xml(_member(out, "word/document.xml")),
    )
    texts = [p.text for p in docx.Document(io.BytesIO(out)).paragraphs]
    assert len(before) == len(after) == len(texts)
    assert after[1:6] == before[1:6]  # the five adjacent Source Code paragraphs
    assert after[7:10] == before[7:10]  # alone in a code style, in HTML Preformatted, in Courier New
    assert after[11] == before[11]  # in two monospace fonts
    assert texts[1:6] == list(CODE_LINES)
    assert not any(bad in t for t in texts for bad in MANGLED)
    assert texts[0] != "Configure the wireless card as follows." and "inalámbrica" in texts[0]
    # inline code in prose: the run is the same, the words around it are translated
    assert "sudo make install" in texts[-2] and texts[-2] != "Run sudo make install to install the driver."
    code_run = b"<w:t>sudo make install</w:t>"
    assert code_run in after[-2] and code_run in before[-2]


def test_pptx_and_odt_code_come_back_byte_for_byte(service: Service, tmp_path: Path) -> None:
    deck, odt = build_code_pptx(tmp_path).read_bytes(), build_code_odt(tmp_path).read_bytes()
    with service.client() as c:
        _run, deck_out = translate(c, "commands.pptx", deck, "es", source_language="en")
        _run, odt_out = translate(c, "manual.odt", odt, "es", source_language="en")
    slide = "ppt/slides/slide1.xml"
    old, new = (list(etree.fromstring(_member(d, slide)).iter(f"{A}p")) for d in (deck, deck_out))
    assert [etree.tostring(p) for p in new[-5:]] == [etree.tostring(p) for p in old[-5:]]
    shapes = [s.text_frame.text for s in pptx.Presentation(io.BytesIO(deck_out)).slides[0].shapes]
    assert shapes[-1] == "\n".join(CODE_LINES) and shapes[1] != "Type these commands in a terminal."

    old, new = (list(etree.fromstring(_member(d, "content.xml")).iter(f"{TEXT}p")) for d in (odt, odt_out))
    assert [etree.tostring(p) for p in new[1:6]] == [etree.tostring(p) for p in old[1:6]]
    assert [etree.tostring(p) for p in new[7:10]] == [etree.tostring(p) for p in old[7:10]]
    out_path = tmp_path / "out.odt"
    out_path.write_bytes(odt_out)
    shown = [teletype.extractText(p) for p in load(str(out_path)).getElementsByType(text.P)]
    assert shown[1:6] == list(CODE_LINES) and "inalámbrica" in shown[0]


def test_docx_tracked_changes_survive_with_their_authors_and_dates(service: Service, tmp_path: Path) -> None:
    src = build_tracked_docx(tmp_path).read_bytes()
    with service.client() as c:
        _run, out = translate(c, "review.docx", src, "es", source_language="en")
    body_in, body_out = _member(src, "word/document.xml"), _member(out, "word/document.xml")
    assert revision_marks(body_out) == revision_marks(body_in)
    root = etree.fromstring(body_out)
    for tag in ("del", "moveFrom"):  # deleted and moved-away text: exactly as it was
        assert [etree.tostring(e) for e in root.iter(f"{W}{tag}")] == [
            etree.tostring(e) for e in etree.fromstring(body_in).iter(f"{W}{tag}")
        ]
    inserted = ["".join(t.text or "" for t in ins.iter(f"{W}t")) for ins in root.iter(f"{W}ins")]
    assert inserted[:2] == [" ", " "]  # the spaces after the hyperlinks are still insertions
    assert inserted[2] not in ("", "Tuesday morning") and inserted[4] not in (
        "",
        "A whole new sentence was added here.",
    )
    for ins in list(root.iter(f"{W}ins"))[:2]:  # in the paragraph of its hyperlink (Apertium moves words)
        assert ins.getparent().find(f"{W}hyperlink") is not None
    moved = ["".join(t.text or "" for t in m.iter(f"{W}t")) for m in root.iter(f"{W}moveTo")]
    assert moved != ["the blue folder"] and moved[0]
    docx.Document(io.BytesIO(out))  # opens
