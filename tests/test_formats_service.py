"""Every format through the real service with real Apertium: upload, run to Spanish, download, reopen.

The handler tests check formatting in detail with a visible fake translation; this test checks
what a user sees end to end: the output opens with the format's own library and no English
sentence is left.
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from polydoc.formats import handler_for
from polydoc.segments import strip_tags
from tests.builders import csv as csv_builders
from tests.builders import docx as docx_builders
from tests.builders import epub as epub_builders
from tests.builders import hostile, localisation, odf, pptx, subtitles, web
from tests.builders import xlsx as xlsx_builders
from tests.helpers import Service, translate

WORDS = re.compile(r"[A-Za-z]{3,}")


def _open_docx(p: Path) -> None:
    import docx

    docx.Document(str(p))


def _open_pptx(p: Path) -> None:
    import pptx as python_pptx

    python_pptx.Presentation(str(p))


def _open_xlsx(p: Path) -> None:
    import openpyxl

    openpyxl.load_workbook(p)


def _open_odf(p: Path) -> None:
    from odf.opendocument import load

    load(str(p))


def _open_zip(p: Path) -> None:
    assert zipfile.ZipFile(p).testzip() is None


def _open_json(p: Path) -> None:
    json.loads(p.read_text())


def _open_po(p: Path) -> None:
    import polib

    entries = [e for e in polib.pofile(str(p)) if not e.obsolete and len(WORDS.findall(e.msgid)) >= 3]
    assert entries and all(e.msgstr or e.msgstr_plural for e in entries)


def _open_yaml(p: Path) -> None:
    from ruamel.yaml import YAML

    YAML(typ="safe").load(p.read_text())


def _open_csv(p: Path) -> None:
    assert list(csv.reader(io.StringIO(p.read_text(encoding="utf-8-sig"))))


def _open_xml(p: Path) -> None:
    from lxml import etree

    etree.fromstring(p.read_bytes())


def _none(p: Path) -> None:
    assert p.stat().st_size > 0


CASES: list[tuple[str, Callable[[Path], Path], Callable[[Path], None]]] = [
    ("docx", docx_builders.build_docx, _open_docx),
    ("pptx", pptx.build_pptx, _open_pptx),
    ("xlsx", xlsx_builders.build_sales_workbook, _open_xlsx),
    ("odt", odf.build_odt, _open_odf),
    ("ods", odf.build_ods, _open_odf),
    ("odp", odf.build_odp, _open_odf),
    ("epub", epub_builders.build_epub3, _open_zip),
    ("srt", subtitles.build_srt, _none),
    ("vtt", subtitles.build_vtt, _none),
    ("xliff", localisation.build_xliff12, _open_xml),
    ("po", localisation.build_po, _open_po),
    ("json", localisation.build_json, _open_json),
    ("yaml", localisation.build_yaml, _open_yaml),
    ("csv", csv_builders.build_products_csv, _open_csv),
    ("html", web.build_html_page, _none),
    ("md", web.build_markdown_doc, _none),
]


def english_left(source: Path, output: Path, fmt: str) -> list[str]:
    """Source segments of three or more words that come back unchanged."""
    if fmt in ("xliff", "po"):  # bilingual files: the source stays, the target must differ
        return [
            s for s, t in bilingual_pairs(output, fmt) if len(WORDS.findall(s)) >= 3 and (not t or t == s)
        ]
    handler = handler_for(fmt)
    before = [(s.id, strip_tags(s.text)) for s in handler.extract(source)]
    after = [(s.id, strip_tags(s.text)) for s in handler.extract(output)]
    # ids are structural; a few formats number them by line, and translated lines can merge
    pairs = (
        zip(before, after, strict=True)
        if len(before) == len(after)
        else ((b, (b[0], dict(after).get(b[0], b[1]))) for b in before)
    )
    return [b[1] for b, a in pairs if len(WORDS.findall(b[1])) >= 3 and a[1] == b[1]]


def bilingual_pairs(path: Path, fmt: str) -> list[tuple[str, str]]:
    if fmt == "po":
        import polib

        return [(e.msgid, e.msgstr or (e.msgstr_plural or {}).get(0, "")) for e in polib.pofile(str(path))]
    from lxml import etree

    ns = "{urn:oasis:names:tc:xliff:document:1.2}"
    root = etree.fromstring(path.read_bytes())
    return [
        (
            "".join(u.find(f"{ns}source").itertext()),
            "".join(u.find(f"{ns}target").itertext()) if u.find(f"{ns}target") is not None else "",
        )
        for u in root.iter(f"{ns}trans-unit")
        if all(a.get("translate") != "no" for a in (u, *u.iterancestors()))
    ]


@pytest.mark.parametrize(("fmt", "build", "reopen"), CASES, ids=[c[0] for c in CASES])
def test_format_through_the_service(service: Service, tmp_path: Path, fmt: str, build, reopen) -> None:
    source = build(tmp_path)
    with service.client() as c:
        # the name is "blob" for binary formats: the content alone must say what it is
        name = "blob" if fmt in ("docx", "pptx", "xlsx", "odt", "ods", "odp", "epub") else source.name
        run, data = translate(c, name, source.read_bytes())
    out = tmp_path / f"out{source.suffix}"
    out.write_bytes(data)
    reopen(out)
    assert run["segments_total"] > 0 and run["credits"] >= 1
    left = english_left(source, out, fmt)
    assert not left, f"{len(left)} English segments left, e.g. {left[:3]}"


def _bomb_docx(tmp_path: Path) -> bytes:
    return hostile.repacked(docx_builders.build_docx(tmp_path), {"word/media/bomb.bin": bytes(300 << 20)})


def _laughs_docx(tmp_path: Path) -> bytes:
    laughs = hostile.docx_document_entities("laughs")
    return hostile.repacked(docx_builders.build_docx(tmp_path), {"word/document.xml": laughs})


def _pdf(builder: str) -> Callable[[Path], bytes]:
    def make(tmp_path: Path) -> bytes:
        from tests.builders import pdf

        return getattr(pdf, builder)(tmp_path).read_bytes()

    return make


@pytest.mark.parametrize(
    ("maker", "name", "code"),
    [
        (_bomb_docx, "report.docx", "hostile_archive"),
        (_laughs_docx, "report.docx", "xml_entities"),
        (_pdf("build_encrypted"), "doc.pdf", "encrypted"),
        (_pdf("build_scanned"), "doc.pdf", "no_text_layer"),
        (_pdf("build_truncated"), "doc.pdf", "malformed"),
    ],
)
def test_hostile_and_broken_documents_are_refused_quickly_with_precise_codes(
    service: Service, tmp_path: Path, maker: Callable[[Path], bytes], name: str, code: str
) -> None:
    data = maker(tmp_path)
    with service.client() as c:
        start = time.monotonic()
        resp = c.post("/v1/files", files={"data": (name, data)})
        assert resp.status_code == 422 and resp.json()["error"]["code"] == code
        assert time.monotonic() - start < 10
        assert c.get("/healthz").status_code == 200


def _pdf_pages_text(data: bytes, tmp_path: Path) -> list[str]:
    from pdfminer.high_level import extract_text

    path = tmp_path / "check.pdf"
    path.write_bytes(data)
    import pikepdf

    with pikepdf.open(path) as pdf:
        count = len(pdf.pages)
    return [extract_text(str(path), page_numbers=[i]) for i in range(count)]


def test_pdf_through_the_service_translated_and_bilingual(service: Service, tmp_path: Path) -> None:
    from tests.builders.pdf import build_report

    source = build_report(tmp_path)
    src_pages = _pdf_pages_text(source.read_bytes(), tmp_path)
    with service.client() as c:
        run, data = translate(c, "blob", source.read_bytes())
        assert run["credits"] == len(src_pages)  # real pages for PDF
        pages = _pdf_pages_text(data, tmp_path)
        assert len(pages) == len(src_pages)
        for text in pages:
            assert re.search(r"\b(el|la|los|las|de|y|es)\b", text), text[:200]
        _run2, both = translate(c, "report.pdf", source.read_bytes(), output_mode="bilingual")
        assert len(_pdf_pages_text(both, tmp_path)) > len(src_pages)
