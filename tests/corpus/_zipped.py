"""Zip-based formats (DOCX, PPTX, XLSX, ODT/ODS/ODP, EPUB): open, structure, visible text.

`structure(data)` is everything a translation must not change: the member list, the bytes of
every media member, element counts, and the exact text of fields, formulas, numbers, scripts,
SVG, MathML and code. Source and translation must give equal structures.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections import Counter

from lxml import etree

_XML = (".xml", ".rels", ".xhtml", ".opf", ".ncx", ".html", ".htm")
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
C = "{http://schemas.openxmlformats.org/drawingml/2006/chart}"
P = "{http://schemas.openxmlformats.org/presentationml/2006/main}"
S = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
ODF_TEXT = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}"
ODF_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
ODF_OFFICE = "{urn:oasis:names:tc:opendocument:xmlns:office:1.0}"
XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"


def members(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _xml(body: bytes) -> etree._Element:
    return etree.fromstring(body, etree.XMLParser(resolve_entities=False, huge_tree=False))


def _count(root: etree._Element, *tags: str) -> dict[str, int]:
    counts = Counter(el.tag for el in root.iter(*tags))
    return {etree.QName(t).localname: counts.get(t, 0) for t in tags}


def _texts(root: etree._Element, tag: str) -> list[str]:
    return [el.text or "" for el in root.iter(tag)]


def _numbers(root: etree._Element) -> list[str]:
    """A chart's cached numbers (its names may be translated, its values never)."""
    return [v.text or "" for cache in root.iter(f"{C}numCache") for v in cache.iter(f"{C}v")]


def _package(data: bytes) -> dict[str, object]:
    parts = members(data)
    media = {n: hashlib.sha256(b).hexdigest() for n, b in parts.items() if not n.lower().endswith(_XML)}
    return {"members": sorted(parts), "media": media}


def docx_structure(data: bytes) -> dict[str, object]:
    out = _package(data)
    for name, body in sorted(members(data).items()):
        if not name.startswith("word/") or not name.endswith(".xml"):
            continue
        root = _xml(body)
        tags = ("p", "tbl", "tc", "sdt", "bidi", "rtl", "vanish", "drawing", "fldChar", "fldSimple")
        tags += ("bookmarkStart", "commentReference", "comment", "hyperlink")
        out[name] = {
            **_count(root, *(f"{W}{t}" for t in tags)),
            "instr": _texts(root, f"{W}instrText") + [e.get(f"{W}instr") for e in root.iter(f"{W}fldSimple")],
            "rtl text": [
                "".join(p.itertext()) for p in root.iter(f"{W}p") if p.find(f"{W}pPr/{W}bidi") is not None
            ],
            "numbers": _numbers(root),
        }
        if "commentsExtended" in name:
            out[name]["bytes"] = body
    return out


def pptx_structure(data: bytes) -> dict[str, object]:
    out = _package(data)
    for name, body in sorted(members(data).items()):
        if name.startswith(("ppt/slides/", "ppt/notesSlides/")) and name.endswith(".xml"):
            root = _xml(body)
            out[name] = _count(root, f"{P}sp", f"{P}grpSp", f"{P}graphicFrame", f"{P}pic", f"{A}p", f"{A}tc")
        elif name.startswith("ppt/charts/chart"):
            root = _xml(body)
            out[name] = {"refs": _texts(root, f"{C}f"), "numbers": _numbers(root)}
    return out


def xlsx_structure(data: bytes) -> dict[str, object]:
    import openpyxl

    out = _package(data)
    book = openpyxl.load_workbook(io.BytesIO(data))
    out["sheets"] = len(book.sheetnames)
    out["referenced sheet"] = book.sheetnames[0]  # named in the second sheet's formulas
    for n, ws in enumerate(book.worksheets):
        out[f"sheet{n}"] = {
            "merged": sorted(str(r) for r in ws.merged_cells.ranges),
            "charts": len(ws._charts),
            "cells": {
                c.coordinate: (c.data_type, None if c.data_type == "s" else c.value, c.number_format)
                for row in ws.iter_rows()
                for c in row
                if c.value is not None
            },
        }
    for name, body in members(data).items():
        if name.startswith("xl/worksheets/sheet"):
            out[f"{name} formulas"] = [
                (f.getparent().get("r"), dict(f.attrib), f.text) for f in _xml(body).iter(f"{S}f")
            ]
        elif name.startswith("xl/charts/"):
            out[f"{name} refs"] = _texts(_xml(body), f"{C}f")
    return out


def odf_structure(data: bytes) -> dict[str, object]:
    out = _package(data)
    root = _xml(members(data)["content.xml"])
    draw, pres = (
        "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0",
        "urn:oasis:names:tc:opendocument:xmlns:presentation:1.0",
    )
    tags = [f"{ODF_TEXT}{t}" for t in ("p", "h", "span", "note", "page-number", "date", "a", "s", "tab")]
    tags += [f"{ODF_TABLE}{t}" for t in ("table", "table-row", "table-cell", "covered-table-cell")]
    tags += [f"{{{draw}}}{t}" for t in ("frame", "text-box", "image", "g", "page")]
    tags += [f"{ODF_OFFICE}annotation", f"{{{pres}}}notes"]
    out["counts"] = _count(root, *tags)
    value_attrs = ("formula", "value", "date-value", "value-type")
    out["values"] = [
        (k, v)
        for el in root.iter(f"{ODF_TABLE}table-cell")
        for k, v in el.attrib.items()
        if etree.QName(k).localname in value_attrs
    ]
    out["rtl text"] = [
        "".join(p.itertext()) for p in root.iter(f"{ODF_TEXT}p") if p.get(f"{ODF_TEXT}style-name") == "RTL"
    ]
    out["images"] = [el.get("{http://www.w3.org/1999/xlink}href") for el in root.iter(f"{{{draw}}}image")]
    return out


def _shape(el: etree._Element) -> list[tuple[str, tuple]]:
    """Element names and attributes in document order (text left out)."""
    return [(e.tag, tuple(sorted(e.attrib.items()))) for e in el.iter() if isinstance(e.tag, str)]


def epub_structure(data: bytes) -> dict[str, object]:
    parts = members(data)
    out = _package(data)
    out["first member"] = next(iter(parts))  # mimetype, stored
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        out["mimetype stored"] = zf.getinfo("mimetype").compress_type == zipfile.ZIP_STORED
    opf = _xml(parts["OEBPS/content.opf"])
    out["rendition"] = [
        (m.get("property"), m.text) for m in opf.iter(f"{OPF}meta") if "rendition" in m.get("property", "")
    ]
    out["manifest"] = [tuple(sorted(i.attrib.items())) for i in opf.iter(f"{OPF}item", f"{OPF}itemref")]
    out["package"] = sorted(opf.attrib.items())
    for name, body in sorted(parts.items()):
        if not name.endswith(".xhtml"):
            continue
        root = _xml(body)
        out[name] = {
            "tags": [t for t, _ in _shape(root.find(f"{XHTML}body"))],
            "links": [
                (a.get("href"), a.get("{http://www.idpf.org/2007/ops}type")) for a in root.iter(f"{XHTML}a")
            ],
            "svg": [_shape(s) for s in root.iter("{http://www.w3.org/2000/svg}svg")],
            "math": [
                etree.tostring(m, with_tail=False)
                for m in root.iter("{http://www.w3.org/1998/Math/MathML}math")
            ],
            "keep": [
                etree.tostring(e, with_tail=False)
                for e in root.iter(f"{XHTML}script", f"{XHTML}pre", f"{XHTML}code")
            ],
            "viewport": [m.get("content") for m in root.iter(f"{XHTML}meta")],
            "rtl text": ["".join(p.itertext()) for p in root.iter(f"{XHTML}p") if p.get("dir") == "rtl"],
        }
    return out


_PARAGRAPHS = {
    "docx": (f"{W}p", f"{W}t"),
    "pptx": (f"{A}p", f"{A}t"),
    "odt": (f"{ODF_TEXT}p", None),
    "ods": (f"{ODF_TEXT}p", None),
    "odp": (f"{ODF_TEXT}p", None),
    "epub": (f"{XHTML}p", None),
}


def visible_text(fmt: str, data: bytes) -> str:
    """The paragraphs of every XML member, one a line (runs joined, field codes left out)."""
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data))
        return "\n".join(
            str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.value
        )
    para, run = _PARAGRAPHS[fmt]
    lines = []
    for name, body in members(data).items():
        if name.lower().endswith(_XML) and not name.startswith("META-INF"):
            for p in _xml(body).iter(para):
                lines.append("".join(t.text or "" for t in p.iter(run)) if run else "".join(p.itertext()))
    return "\n".join(lines)


def opens(fmt: str, data: bytes) -> None:
    """Open with the format's own library (and every XML member with lxml)."""
    for name, body in members(data).items():
        if name.lower().endswith(_XML):
            _xml(body)
    if fmt == "docx":
        import docx

        doc = docx.Document(io.BytesIO(data))
        assert doc.paragraphs and doc.tables and doc.comments is not None
    elif fmt == "pptx":
        import pptx

        assert len(pptx.Presentation(io.BytesIO(data)).slides) == 3
    elif fmt == "xlsx":
        import openpyxl

        assert openpyxl.load_workbook(io.BytesIO(data)).worksheets
    elif fmt in ("odt", "ods", "odp"):
        from odf.opendocument import load

        load(io.BytesIO(data))
    elif fmt == "epub":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            assert zf.testzip() is None


STRUCTURE = {
    "docx": docx_structure,
    "pptx": pptx_structure,
    "xlsx": xlsx_structure,
    "odt": odf_structure,
    "ods": odf_structure,
    "odp": odf_structure,
    "epub": epub_structure,
}
