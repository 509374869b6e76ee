"""What the wild puts inside prose comes back byte for byte: URLs, e-mail addresses, paths, file
names and ids, in every format and for every engine; labels in capitals are translated and stay in
capitals. Documents are built in the shape the real ones had, and go through a real `polydoc serve`
with Apertium."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import openpyxl
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml

from tests.helpers import Service, translate

TOKENS = (
    "www.amazon.com", "ray@oreilly.com", "/forums/forums.cfm", "index.cfm", "http://www.rgu.ac.uk/policies",
    "corporate@oreilly.com", "~jkorpela", "/TR/SVG-access/", "3OQX89CUTAV1X",
)  # fmt: skip
PROSE = (
    "Order the books at www.amazon.com before the summer.",
    "Write to ray@oreilly.com about the new chapter.",
    "The old forum lives at /forums/forums.cfm and its index.cfm page.",
    "Read the full policy at http://www.rgu.ac.uk/policies before you apply.",
    "Send the form to corporate@oreilly.com or ask ~jkorpela about /TR/SVG-access/ today.",
    "The registry id of the parcel is 3OQX89CUTAV1X.",
)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx(folder: Path) -> bytes:
    """The prose above, with the tokens in runs split across formatting, as Word leaves them:
    `www.ama` + bold `zon` + `.com`, an e-mail inside a hyperlink, and a bare URL as link text."""
    doc = docx.Document()
    p = doc.add_paragraph("Order the books at www.ama")
    p.add_run("zon").bold = True
    p.add_run(".com before the summer.")
    p = doc.add_paragraph("Write to ")
    rid = doc.part.relate_to("mailto:ray@oreilly.com", RT.HYPERLINK, is_external=True)
    p._p.append(
        parse_xml(
            f'<w:hyperlink xmlns:w="{W[1:-1]}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships" r:id="{rid}"><w:r><w:rPr><w:u w:val="single"/></w:rPr><w:t>ray@oreilly.com</w:t>'
            "</w:r></w:hyperlink>"
        )
    )
    p.add_run(" about the new chapter.")
    for text in PROSE[2:]:
        p = doc.add_paragraph()
        head, sep, tail = text.partition(" at " if " at " in text else " is ")
        p.add_run(head + sep).italic = True
        p.add_run(tail)
    p = doc.add_paragraph("See ")
    rid = doc.part.relate_to("http://mi.safaribooksonline.com", RT.HYPERLINK, is_external=True)
    p._p.append(
        parse_xml(
            f'<w:hyperlink xmlns:w="{W[1:-1]}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            f'relationships" r:id="{rid}"><w:r><w:t>http://mi.safaribooksonline.com</w:t></w:r></w:hyperlink>'
        )
    )
    p.add_run(" for the online edition.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _docx_text(data: bytes) -> str:
    doc = docx.Document(io.BytesIO(data))
    return "\n".join("".join(t.text or "" for t in p._p.iter(f"{W}t")) for p in doc.paragraphs)


def test_docx_tokens_split_across_formatting_come_back_byte_identical(service: Service, tmp_path: Path) -> None:
    with service.client() as c:
        _run, out = translate(c, "links.docx", _docx(tmp_path))
    text = _docx_text(out)
    for token in (*TOKENS, "http://mi.safaribooksonline.com"):
        assert token in text, (token, text)
    assert "Amazona" not in text and "rayo@" not in text and "Pólizas" not in text and "Índice" not in text
    assert "libros" in text and "verano" in text  # the prose around them is translated
    # the bare URL is still the whole link text, not "<a>http</a>://…"
    links = docx.Document(io.BytesIO(out)).paragraphs[-1]._p.findall(f"{W}hyperlink")
    assert ["".join(t.text for t in link.iter(f"{W}t")) for link in links] == ["http://mi.safaribooksonline.com"]
    # the bold piece of the split address is still bold, with its own characters
    first = docx.Document(io.BytesIO(out)).paragraphs[0]
    assert [r.text for r in first.runs if r.bold] == ["zon"]


def test_html_markdown_and_text_keep_tokens(service: Service) -> None:
    html = "<html><body>" + "".join(f"<p>{t}</p>" for t in PROSE) + "</body></html>"
    md = "\n\n".join(PROSE) + "\n"
    txt = "\n\n".join(PROSE) + "\n"
    with service.client() as c:
        for name, data in (("page.html", html), ("notes.md", md), ("notes.txt", txt)):
            _run, out = translate(c, name, data.encode())
            text = out.decode()
            for token in TOKENS:
                assert token in text, (name, token, text)
            assert "libros" in text, name


def test_xlsx_labels_in_capitals_are_translated_and_stay_in_capitals(service: Service) -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    labels = ["MARRIED ONE INCOME 2 CHILDREN", "MARRIED 2 INCOMES** 2 CHILDREN", "SINGLE HEAD OF HOUSEHOLD"]
    for row, label in enumerate(labels, start=1):
        sheet.cell(row, 1, label)
        sheet.cell(row, 2, 1200 * row)
    sheet.cell(4, 1, "3OQX89CUTAV1X")  # a code alone in its cell stays a code
    buf = io.BytesIO()
    book.save(buf)
    with service.client() as c:
        _run, out = translate(c, "tax.xlsx", buf.getvalue())
    cells = [row[0] for row in openpyxl.load_workbook(io.BytesIO(out)).active.iter_rows(values_only=True)]
    for source, translated in zip(labels, cells[:3], strict=True):
        assert translated != source and translated == translated.upper(), (source, translated)
    assert "NIÑOS" in cells[0] and "CASADO" in cells[0]
    assert cells[3] == "3OQX89CUTAV1X"
    assert zipfile.ZipFile(io.BytesIO(out)).testzip() is None
