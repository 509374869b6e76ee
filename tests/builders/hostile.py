"""Hostile and broken documents, built in memory (no fixtures on disk, no network).

Every builder returns `bytes`; `corpus()` lists them all as `Hostile` cases with the answer the
service must give (`case.make(url)` builds one; `url` is where the external entities point).
Used by tests/test_hostile_inputs.py and benchmarks/hardening.py.
"""

from __future__ import annotations

import io
import random
import re
import string
import struct
import warnings
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, partial
from pathlib import Path

from tests.builders.docx import png_pixel

TEXT = "The red house is big and the small dog sleeps in the garden."
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'  # the declaration Office writes

# -- XML payloads ---------------------------------------------------------------------------------


def billion_laughs(root: str) -> str:
    """A DOCTYPE whose ten nested entities expand to 10^9 "lol"s (about 3 GB)."""
    lines = ['<!ENTITY lol "lol">']
    prev = "lol"
    for i in range(1, 10):
        lines.append(f'<!ENTITY lol{i} "{("&" + prev + ";") * 10}">')
        prev = f"lol{i}"
    return f"<!DOCTYPE {root} [\n " + "\n ".join(lines) + "\n]>\n"


def external_entity(root: str, url: str) -> str:
    return f'<!DOCTYPE {root} [\n <!ENTITY xxe SYSTEM "{url}">\n]>\n'


def parameter_entity(root: str, url: str) -> str:
    """The out-of-band XXE shape: a parameter entity that loads a remote DTD."""
    return f'<!DOCTYPE {root} [\n <!ENTITY % remote SYSTEM "{url}">\n %remote;\n]>\n'


def external_dtd(root: str, url: str) -> str:
    """No ENTITY keyword at all: only an external DTD subset that a careless parser fetches."""
    return f'<!DOCTYPE {root} SYSTEM "{url}">\n'


# where each payload puts its reference in the text
REFS = {"laughs": "&lol9;", "file": "&xxe;", "http": "&xxe;", "param": "", "dtd": ""}


def doctype(kind: str, root: str, url: str) -> str:
    if kind == "laughs":
        return billion_laughs(root)
    if kind == "file":
        return external_entity(root, "file:///etc/passwd")
    if kind == "http":
        return external_entity(root, url)
    if kind == "param":
        return parameter_entity(root, url)
    if kind == "dtd":
        return external_dtd(root, url)
    raise ValueError(kind)


def declarations(kind: str, url: str = "") -> str:
    """What `doctype(kind, …)` declares inside its `[…]`, to combine payloads in one DOCTYPE."""
    decl = doctype(kind, "x", url)
    return decl[decl.index("[") + 1 : decl.rindex("]")]


def entity_part(kind: str, element: str, url: str = "") -> bytes:
    """An XML part: `element` behind a hostile DOCTYPE of `kind` (see `doctype`) for its root, with
    each `{ref}` in it replaced by the payload's entity reference."""
    root = re.match(r"<([\w:.-]+)", element)
    assert root is not None, element
    return (DECL + doctype(kind, root.group(1), url) + element.replace("{ref}", REFS[kind])).encode()


def padded(decl: str) -> str:
    """Push the DOCTYPE beyond the first 64 KiB with a comment (comments may precede it)."""
    return "<!--" + "x" * 70_000 + "-->\n" + decl


# -- zip packages ---------------------------------------------------------------------------------


def zip_bytes(members: dict[str, bytes | str], *, level: int = 6) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as zf:
        for name, data in members.items():
            zf.writestr(name, data.encode() if isinstance(data, str) else data)
    return buf.getvalue()


W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_DOCX_TYPES = (
    DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Default Extension="zip" ContentType="application/zip"/>'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
    "</Types>"
)
_DOCX_RELS = (
    DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Target="word/document.xml" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
    "</Relationships>"
)


def docx_xml(body: str, prolog: str = "") -> str:
    return DECL + prolog + f'<w:document xmlns:w="{W}"><w:body>{body}</w:body></w:document>'


def paragraph(text: str) -> str:
    return f'<w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p>'


def docx(document_xml: str | bytes, extra: dict[str, bytes | str] | None = None, *, level: int = 6) -> bytes:
    members: dict[str, bytes | str] = {
        "[Content_Types].xml": _DOCX_TYPES,
        "_rels/.rels": _DOCX_RELS,
        "word/document.xml": document_xml,
    }
    return zip_bytes({**members, **(extra or {})}, level=level)


def repacked(src: Path, changes: Mapping[str, bytes | str]) -> bytes:
    """The zip archive at `src` with some members replaced or added (new ones deflated); the
    other members keep their bytes and compression (so an EPUB's `mimetype` stays stored)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as new:
        for info in old.infolist():
            data = changes.get(info.filename)
            new.writestr(info, old.read(info) if data is None else data, info.compress_type)
        for name, data in changes.items():
            if name not in old.NameToInfo:
                new.writestr(name, data)
    return buf.getvalue()


def ole_encrypted() -> bytes:
    """What Office writes for a password-protected OOXML file: an OLE container holding an
    `EncryptedPackage` stream, not a zip."""
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le")


def stored(data: bytes, name: str, into: bytes) -> bytes:
    """`into` with one more member kept uncompressed (ratio 1: no limit on ratio can see inside it)."""
    buf = io.BytesIO(into)
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr(name, data, compress_type=zipfile.ZIP_STORED)
    return buf.getvalue()


def docx_document_entities(kind: str, url: str = "") -> bytes:
    """A word/document.xml whose one paragraph uses the payload of `kind`."""
    return docx_xml(paragraph(REFS[kind]), doctype(kind, "w:document", url)).encode()


def docx_entities(kind: str, url: str, *, pad: bool = False) -> bytes:
    decl = doctype(kind, "w:document", url)
    body = paragraph(TEXT) + paragraph(f"Payload: {REFS[kind]} end.")
    return docx(docx_xml(body, padded(decl) if pad else decl))


def docx_utf16_entities(kind: str, url: str) -> bytes:
    """Entities in a UTF-16 part: a byte-level search for `<!ENTITY` does not see them."""
    xml = docx_xml(
        paragraph(TEXT) + paragraph(f"Payload: {REFS[kind]} end."), doctype(kind, "w:document", url)
    )
    xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    return docx(xml.encode("utf-16"))


def docx_many_runs(runs: int = 200_000) -> bytes:
    """A valid document of `runs` one-word runs, alternating bold, in paragraphs of 50 runs.

    Written as a string (python-docx would add runs one by one in minutes)."""
    words = ("the", "red", "house", "is", "big", "and", "small", "dog", "sleeps", "garden")
    out: list[str] = []
    for p in range(0, runs, 50):
        out.append("<w:p>")
        for i in range(p, min(p + 50, runs)):
            bold = "<w:rPr><w:b/></w:rPr>" if i % 2 else ""
            out.append(f'<w:r>{bold}<w:t xml:space="preserve">{words[i % 10]} </w:t></w:r>')
        out.append("</w:p>")
    return docx(docx_xml("".join(out)))


def high_ratio_docx(megabytes: int = 200) -> bytes:
    """word/document.xml is valid XML padded with `megabytes` of spaces: ratio about 1000:1."""
    head = docx_xml(paragraph(TEXT)).encode()
    # stream the padding in so the test process never holds it
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
        with zf.open("word/document.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            chunk = b" " * (1 << 20)
            for _ in range(megabytes):
                fh.write(chunk)
    return buf.getvalue()


def lying_sizes_docx() -> bytes:
    """A high-ratio member whose headers claim it is 100 bytes (sizes patched after writing)."""
    raw = bytearray(high_ratio_docx(50))
    # central directory entries: signature PK\1\2, uncompressed size at offset 24
    pos = raw.find(b"PK\x01\x02")
    while pos != -1:
        name_len = struct.unpack_from("<H", raw, pos + 28)[0]
        name = bytes(raw[pos + 46 : pos + 46 + name_len])
        if name == b"word/document.xml":
            struct.pack_into("<I", raw, pos + 24, 100)
        pos = raw.find(b"PK\x01\x02", pos + 4)
    return bytes(raw)


@cache
def nested_zip_bomb(layers: int = 5, members: int = 10, megabytes: int = 20) -> bytes:
    """A zip of zips of zero-filled members, 42.zip-style: 1 GB inflated from about 1 MB."""
    buf = io.BytesIO()
    chunk = b"\0" * (1 << 20)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as inner:
        for i in range(members):
            with inner.open(f"zeros{i}.bin", "w") as fh:
                for _ in range(megabytes):
                    fh.write(chunk)
    layer = buf.getvalue()
    return zip_bytes({f"layer{i}.zip": layer for i in range(layers)}, level=0)


def docx_with_nested_bomb() -> bytes:
    """A valid document carrying a nested zip bomb as an embedded object nobody should open."""
    return stored(nested_zip_bomb(), "word/embeddings/bomb.zip", docx(docx_xml(paragraph(TEXT))))


def docx_is_nested_bomb() -> bytes:
    """The main part itself is a zip (of zips): a parser that unpacks nested archives explodes."""
    package = zip_bytes({"[Content_Types].xml": _DOCX_TYPES, "_rels/.rels": _DOCX_RELS})
    return stored(nested_zip_bomb(), "word/document.xml", package)


def docx_deep_nesting(depth: int = 5000) -> bytes:
    """Content controls nested 5,000 deep: a recursive walker would exhaust its stack."""
    inner = paragraph(TEXT)
    body = "<w:sdt><w:sdtContent>" * depth + inner + "</w:sdtContent></w:sdt>" * depth
    return docx(docx_xml(body), level=0)  # stored: the ratio limit must not be what stops it


def docx_long() -> bytes:
    return docx(docx_xml(paragraph(TEXT) * 400))


def member_count_bomb(members: int = 12_000) -> bytes:
    return docx(docx_xml(paragraph(TEXT)), {f"word/media/{i}.xml": "" for i in range(members)}, level=1)


# xlsx: a tiny workbook with shared strings, then the strings part swapped for a hostile one
_XLSX = {
    "[Content_Types].xml": (
        DECL + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="xl/workbook.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
        "</Relationships>"
    ),
    "xl/workbook.xml": (
        DECL + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        DECL + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
        '<Relationship Id="rId2" Target="sharedStrings.xml" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"/>'
        "</Relationships>"
    ),
    "xl/worksheets/sheet1.xml": (
        DECL + '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
        "</sheetData></worksheet>"
    ),
}


def shared_strings(prolog: str, second: str) -> str:
    return (
        DECL
        + prolog
        + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2">'
        f"<si><t>{TEXT}</t></si><si><t>{second}</t></si></sst>"
    )


def xlsx(strings: str | None = None) -> bytes:
    return zip_bytes({**_XLSX, "xl/sharedStrings.xml": strings or shared_strings("", "The big garden.")})


def xlsx_entities(kind: str, url: str) -> bytes:
    return xlsx(shared_strings(doctype(kind, "sst", url), f"Payload {REFS[kind]} end."))


# epub: a one-chapter EPUB 3 with an inline SVG in the chapter
_CONTAINER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
    '<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>'
    "</rootfiles></container>"
)
_OPF = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="id">'
    '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:identifier id="id">urn:uuid:1</dc:identifier>'
    "<dc:title>The garden</dc:title><dc:language>en</dc:language></metadata>"
    '<manifest><item id="c1" href="chapter1.xhtml" media-type="application/xhtml+xml"/>'
    '<item id="pic" href="picture.svg" media-type="image/svg+xml"/></manifest>'
    '<spine><itemref idref="c1"/></spine></package>'
)


def svg(prolog: str, ref: str) -> str:
    return (
        prolog + '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="50">'
        f'<text x="0" y="20">Sign {ref} here</text></svg>'
    )


def chapter(prolog: str, ref: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + prolog
        + '<html xmlns="http://www.w3.org/1999/xhtml"><head><title>Chapter one</title></head><body>'
        f"<p>{TEXT}</p>" + svg("", ref) + "</body></html>"
    )


def epub(chapter_xhtml: str, picture_svg: str | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr("META-INF/container.xml", _CONTAINER, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/content.opf", _OPF, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/chapter1.xhtml", chapter_xhtml, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr("OEBPS/picture.svg", picture_svg or svg("", "A"), compress_type=zipfile.ZIP_DEFLATED)
    return buf.getvalue()


def epub_svg_entities(kind: str, url: str) -> bytes:
    """The chapter (with its inline SVG) declares the entities and uses them in the SVG text."""
    return epub(chapter(doctype(kind, "html", url), REFS[kind]))


def epub_svg_file_entities(kind: str, url: str) -> bytes:
    """A clean chapter; the hostile SVG is a separate image member the handler must not parse."""
    return epub(chapter("", "A"), svg('<?xml version="1.0"?>\n' + doctype(kind, "svg", url), REFS[kind]))


def html_svg_entities(kind: str, url: str) -> bytes:
    """An HTML page whose doctype declares entities used inside an inline SVG."""
    decl = doctype(kind, "html", url)
    return (
        f"{decl}<html><head><title>Garden</title></head><body><p>{TEXT}</p>"
        f'<svg width="200" height="50"><text x="0" y="20">Sign {REFS[kind]} here</text></svg>'
        "</body></html>"
    ).encode()


def xliff_entities(kind: str, url: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        + doctype(kind, "xliff", url)
        + '<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">'
        '<file source-language="en" target-language="es" datatype="plaintext" original="a.txt"><body>'
        f'<trans-unit id="1"><source>{TEXT}</source></trans-unit>'
        f'<trans-unit id="2"><source>Payload {REFS[kind]} end.</source></trans-unit>'
        "</body></file></xliff>"
    ).encode()


def truncated(data: bytes) -> bytes:
    return data[: len(data) // 2]


# -- PDF ------------------------------------------------------------------------------------------


def pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered object bodies (object i+1 = objects[i]) with a correct xref table."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _page_objects(kids: bytes, count: int = 1) -> list[bytes]:
    content = b"BT /F1 24 Tf 72 700 Td (" + TEXT.encode() + b") Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]


def pdf_valid() -> bytes:
    return pdf(_page_objects(b"3 0 R"))


def pdf_self_loop() -> bytes:
    """The root /Pages node lists itself among its /Kids."""
    return pdf(_page_objects(b"2 0 R 3 0 R", 2))


def pdf_mutual_loop() -> bytes:
    """Two /Pages nodes that are each other's kid, and no page at all."""
    objs = _page_objects(b"6 0 R", 1)
    objs.append(b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R] /Count 1 >>")
    objs[2] = b"<< /Type /Annot >>"  # the page is unreachable
    return pdf(objs)


def _text_page(n: int, contents: bytes, font: bytes = b"5 0 R") -> bytes:
    return (
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents "
        + contents
        + b" /Resources << /Font << /F1 "
        + font
        + b" >> >> >>"
    )


def _content(text: str) -> bytes:
    lines = [text[i : i + 80] for i in range(0, len(text), 80)]
    ops = b"".join(b"72 %d Td (" % (700 - 14 * i) + ln.encode() + b") Tj " for i, ln in enumerate(lines))
    return b"BT /F1 10 Tf " + ops + b"ET"


def _stream(data: bytes, filters: bytes = b"") -> bytes:
    extra = b" /Filter " + filters if filters else b""
    return b"<< /Length %d" % len(data) + extra + b" >>\nstream\n" + data + b"\nendstream"


def pdf_self_reference(where: str = "contents", good_pages: int = 0) -> bytes:
    """An object that is a reference to itself (`N 0 obj N 0 R endobj`) as the last page's
    /Contents or /Resources: pdfminer's resolve1 follows it for ever. With `good_pages` first,
    each holding ~1,000 characters, upload inspection (20,000 characters) never reaches it."""
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
    objs: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", font]
    kids = []
    for i in range(good_pages):
        objs.append(_stream(_content(f"Page {i + 1}. " + TEXT * 16)))
        objs.append(_text_page(i, b"%d 0 R" % len(objs), b"3 0 R"))
        kids.append(len(objs))
    loop = len(objs) + 1
    if where == "contents":
        objs.append(b"%d 0 R" % loop)
        objs.append(_text_page(0, b"%d 0 R" % loop, b"3 0 R"))
    else:
        objs.append(_stream(_content(TEXT)))
        objs.append(b"%d 0 R" % (loop + 2))
        objs.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents %d 0 R /Resources %d 0 R >>"
            % (loop, loop + 2)
        )
        objs[loop + 1] = b"%d 0 R" % (loop + 2)  # the /Resources object refers to itself
    kids.append(len(objs))
    objs[1] = (
        b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % k for k in kids) + b"] /Count %d >>" % len(kids)
    )
    return pdf(objs)


@cache
def _spaces_deflated(head: bytes, megabytes: int) -> bytes:
    """`head` then `megabytes` MiB of spaces, deflated a chunk at a time (never held inflated)."""
    packer, chunk = zlib.compressobj(9), b" " * (1 << 20)
    out = [packer.compress(head)]
    for _ in range(megabytes):
        out.append(packer.compress(chunk))
    out.append(packer.flush())
    return b"".join(out)


@cache
def pdf_filter_bomb(layers: tuple[str, ...] = ("flate", "flate"), megabytes: int = 2048) -> bytes:
    """A one-page PDF whose content stream is a few text operators and `megabytes` MiB of spaces
    under several filter layers (outermost first, e.g. ("flate", "flate") or ("hex", "flate")):
    a bomb guard that inflates only the first Flate layer sees a small, harmless stream."""
    data = _spaces_deflated(_content(TEXT) + b" ", megabytes)
    names = {"flate": b"/FlateDecode", "hex": b"/ASCIIHexDecode"}
    for layer in reversed(layers[:-1]):  # the innermost layer is the deflated spaces
        data = zlib.compress(data, 9) if layer == "flate" else data.hex().encode() + b">"
    filters = b"[" + b" ".join(names[x] for x in layers) + b"]"
    objs = _page_objects(b"3 0 R")
    objs[3] = _stream(data, filters)
    return pdf(objs)


def pdf_dense_page(operators: int = 60_000) -> bytes:
    """A valid one-page PDF whose content is `operators` one-letter text shows: legal, but seconds
    of pdfminer's time (60,000 take 2 s on a quiet core, 8 s on a busy one): past a worker's
    deadline when there are enough. Random letters keep the stream from compressing so well that
    the bomb guard refuses it (its inflated size may be 200 times its stored size, at least 1 MB)."""
    rng = random.Random(operators)
    letters = [ord(rng.choice(string.ascii_lowercase)) for _ in range(operators)]
    ops = b"".join(b"%d %d Td (%c) Tj " % (i % 7, (i // 7) % 5, c) for i, c in enumerate(letters))
    objs = _page_objects(b"3 0 R")
    objs[3] = _stream(zlib.compress(_content(TEXT)[:-2] + ops + b"ET", 9), b"/FlateDecode")
    return pdf(objs)


def nested_divs(megabytes: int = 50) -> bytes:
    """HTML of `megabytes` MB of nested <div> (a tree millions of elements deep)."""
    unit = b"<div>"
    head = b"<!DOCTYPE html><html><body><p>" + TEXT.encode() + b"</p>"
    return head + unit * (megabytes * (1 << 20) // len(unit)) + b"</body></html>"


def xlsx_stored_strings(megabytes: int = 50) -> bytes:
    """A workbook whose shared strings part is `megabytes` MB, stored (ratio 1: no limit on ratio
    sees it), of short distinct strings."""
    count = megabytes * (1 << 20) // 40
    items = "".join(f"<si><t>Cell {i} is red</t></si>" for i in range(count))
    sst = (
        DECL + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'count="{count}" uniqueCount="{count}"><si><t>{TEXT}</t></si>{items}</sst>'
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in _XLSX.items():
            zf.writestr(name, data)
        zf.writestr("xl/sharedStrings.xml", sst, compress_type=zipfile.ZIP_STORED)
    return buf.getvalue()


def one_line(megabytes: int = 50) -> bytes:
    """`megabytes` MB of text on one line, without a single line break."""
    sentence = (TEXT + " ").encode()
    return sentence * (megabytes * (1 << 20) // len(sentence))


def json_deep(depth: int = 100_000) -> bytes:
    return b"[" * depth + b"]" * depth


def duplicate_names_docx() -> bytes:
    """Two members named word/document.xml: zipfile reads the last, another reader the first."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _DOCX_TYPES)
        zf.writestr("_rels/.rels", _DOCX_RELS)
        zf.writestr("word/document.xml", docx_xml(paragraph(TEXT)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # "Duplicate name": the point of the builder
            zf.writestr("word/document.xml", docx_xml(paragraph("The hidden second copy.")))
    return buf.getvalue()


def pptx_wordy_slide(paragraphs: int = 10_000) -> bytes:
    """One slide holding `paragraphs` distinct ten-word paragraphs (100,000 words by default)."""
    import pptx

    prs = pptx.Presentation()
    slide = prs.slides.add_slide(prs.slide_layouts[6])
    frame = slide.shapes.add_textbox(0, 0, prs.slide_width, prs.slide_height).text_frame
    frame.text = "Paragraph 0: the red house is big and the dog sleeps."
    for i in range(1, paragraphs):
        frame.add_paragraph().text = f"Paragraph {i}: the red house is big and the dog sleeps."
    buf = io.BytesIO()
    prs.save(buf)
    return buf.getvalue()


# -- other files ----------------------------------------------------------------------------------


def random_bytes(n: int) -> bytes:
    return random.Random(7).randbytes(n)


# -- the corpus -----------------------------------------------------------------------------------

ENTITIES = frozenset({"xml_entities"})
BOMB = frozenset({"hostile_archive"})
BROKEN = frozenset({"malformed"})
UNSUPPORTED = frozenset({"unsupported_format"})


@dataclass(frozen=True)
class Hostile:
    """One upload and what must happen to it.

    `make(url)` builds the bytes; `url` is an HTTP address the XXE payloads point at, which
    must never be fetched. `codes` is empty when the input is valid after all and must be
    translated; otherwise it lists the error codes accepted for the refusal, which comes at
    upload (a 4xx in `statuses`) or as the Failed run's error. `seconds` bounds upload + run.
    """

    name: str
    filename: str
    make: Callable[[str], bytes]
    codes: frozenset[str] = frozenset()
    statuses: frozenset[int] = frozenset({415, 422})
    seconds: float = 20.0

    @property
    def refused(self) -> bool:
        return bool(self.codes)


def fixed(data: Callable[[], bytes]) -> Callable[[str], bytes]:
    return lambda _url: data()


def corpus() -> list[Hostile]:
    cases = [
        Hostile("zip-high-ratio", "ratio.docx", fixed(high_ratio_docx), BOMB),
        Hostile("zip-lying-sizes", "lying.docx", fixed(lying_sizes_docx), BOMB | BROKEN),
        Hostile("zip-member-count", "members.docx", fixed(member_count_bomb), BOMB),
        Hostile("zip-nested-as-main-part", "nested.docx", fixed(docx_is_nested_bomb), BROKEN | BOMB),
        Hostile("zip-bare-nested", "42.zip", fixed(nested_zip_bomb), UNSUPPORTED),
        # an archive inside a member is opaque data to a .docx: translated, copied unopened
        Hostile("zip-nested-embedded", "embedded.docx", fixed(docx_with_nested_bomb)),
        Hostile("xml-deep-nesting", "deep.docx", fixed(docx_deep_nesting), BROKEN),
        # valid: must be translated, in bounded time and memory
        Hostile("docx-200k-runs", "runs.docx", fixed(docx_many_runs), seconds=150.0),
        Hostile("truncated-docx", "cut.docx", fixed(lambda: truncated(docx_long())), BROKEN),
        Hostile("truncated-xlsx", "cut.xlsx", fixed(lambda: truncated(xlsx())), BROKEN),
        Hostile("truncated-epub", "cut.epub", fixed(lambda: truncated(epub(chapter("", "A")))), BROKEN),
        Hostile("pdf-pages-self-loop", "loop.pdf", fixed(pdf_self_loop), BROKEN),
        Hostile("pdf-pages-mutual-loop", "loop2.pdf", fixed(pdf_mutual_loop), BROKEN),
        Hostile("empty", "empty.txt", fixed(lambda: b""), frozenset({"empty_file"})),
        Hostile("empty-named-docx", "empty.docx", fixed(lambda: b""), frozenset({"empty_file"})),
        Hostile("pdf-named-docx", "report.docx", fixed(pdf_valid), UNSUPPORTED),
        Hostile("text-named-xlsx", "sheet.xlsx", fixed(lambda: TEXT.encode()), UNSUPPORTED),
        Hostile("png-named-txt", "notes.txt", fixed(png_pixel), UNSUPPORTED),
        Hostile("docx-named-pdf", "paper.pdf", fixed(lambda: docx(docx_xml(paragraph(TEXT)))), UNSUPPORTED),
        Hostile("random-named-pdf", "scan.pdf", fixed(lambda: random_bytes(20_000)), UNSUPPORTED),
    ]
    for kind in ("laughs", "file", "http", "param"):
        cases += [
            Hostile(f"docx-{kind}", f"{kind}.docx", partial(docx_entities, kind), ENTITIES),
            Hostile(
                f"docx-{kind}-padded", f"{kind}-pad.docx", partial(docx_entities, kind, pad=True), ENTITIES
            ),
            Hostile(f"docx-{kind}-utf16", f"{kind}-16.docx", partial(docx_utf16_entities, kind), ENTITIES),
            Hostile(f"xlsx-{kind}", f"{kind}.xlsx", partial(xlsx_entities, kind), ENTITIES),
            Hostile(f"epub-svg-{kind}", f"{kind}.epub", partial(epub_svg_entities, kind), ENTITIES),
            Hostile(f"xliff-{kind}", f"{kind}.xlf", partial(xliff_entities, kind), ENTITIES),
            # an SVG image in the book is never parsed: the book is valid and translated
            Hostile(f"epub-svgfile-{kind}", f"{kind}-img.epub", partial(epub_svg_file_entities, kind)),
            # HTML is not XML: its parser never reads a DTD nor expands one; translated as a page
            Hostile(f"html-svg-{kind}", f"{kind}.html", partial(html_svg_entities, kind)),
        ]
    # an external DTD declares nothing here and is never fetched (EPUB 2 chapters all name one)
    for maker, ext in ((docx_entities, "docx"), (xlsx_entities, "xlsx"), (xliff_entities, "xlf")):
        cases.append(Hostile(f"{ext}-external-dtd", f"dtd.{ext}", partial(maker, "dtd")))
    cases.append(Hostile("epub-svg-external-dtd", "dtd.epub", partial(epub_svg_entities, "dtd")))
    return cases
