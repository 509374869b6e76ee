"""Opening an untrusted PDF twice, with clear errors and limits.

pikepdf (qpdf, MPL-2.0) holds the document we write; pdfminer.six reads the same file page by
page. Both see the same page objects because pdfminer's pages are built from pikepdf's object
numbers. pdfminer decodes content streams, fonts and CMaps in memory, so every stream it will
decode is first checked with a bounded, incremental inflate (DESIGN §5: a "PDF bomb" is a zip
bomb in a different wrapper).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import PDFObjRef, PDFStream, dict_value

from polydoc.config import get_settings
from polydoc.errors import EncryptedDocument, HostileDocument, MalformedDocument, PolydocError
from polydoc.formats.pdf._chars import PageContent, read_page
from polydoc.formats.pdf._filters import check_inflation

_TAIL = 8192  # a PDF ends with %%EOF; trailing junk beyond this means a damaged upload
_INHERITABLE = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
_KEEP_OBJECTS = 4000  # pdfminer's memo of resolved objects, most recent kept
_KEEP_OBJSTMS = 16  # parsed object streams kept


def check_tail(src: Path) -> bytes:
    """The file's last bytes, after checking that it starts and ends like a PDF."""
    try:
        size = src.stat().st_size
        with src.open("rb") as fh:
            head = fh.read(1024)
            fh.seek(max(0, size - _TAIL))
            tail = fh.read()
    except OSError as exc:
        raise MalformedDocument("The PDF file cannot be read") from exc
    if b"%PDF-" not in head:
        raise MalformedDocument("The file is not a PDF")
    if b"%%EOF" not in tail:
        raise MalformedDocument("The PDF is truncated: its end (%%EOF) is missing")
    return tail


def open_pike(src: Path) -> pikepdf.Pdf:
    tail = check_tail(src)
    try:
        return pikepdf.open(src)
    except pikepdf.PasswordError as exc:
        raise EncryptedDocument("The PDF is protected by a password; remove it and upload again") from exc
    except (pikepdf.PdfError, OSError, ValueError) as exc:
        if b"/Encrypt" in tail:
            raise EncryptedDocument(f"The PDF uses an encryption Polydoc cannot open ({exc})") from exc
        raise MalformedDocument(f"The PDF is damaged and cannot be opened ({exc})") from exc


def inherited(obj: pikepdf.Dictionary, key: str) -> object | None:
    """A page attribute, looked up through the page tree as the PDF spec inherits it."""
    node, depth = obj, 0
    while node is not None and depth < 64:
        if key in node:
            return node[key]
        node, depth = node.get("/Parent"), depth + 1
    return None


@dataclass
class _StreamGuard:
    """Refuses streams that inflate beyond the archive limits before pdfminer reads them."""

    max_bytes: int
    max_ratio: float
    seen: set[tuple[int, int]] = field(default_factory=set)

    def check(self, obj: object) -> None:
        if not isinstance(obj, pikepdf.Stream):
            return
        if obj.is_indirect:
            if obj.objgen in self.seen:
                return
            self.seen.add(obj.objgen)
        filters = obj.get("/Filter")
        if filters is None:
            return
        names = [str(f) for f in filters] if isinstance(filters, pikepdf.Array) else [str(filters)]
        raw = obj.read_raw_bytes()
        check_inflation(raw, names, self.limit_for(len(raw)))

    def limit_for(self, raw: int) -> int:
        return min(self.max_bytes, max(1 << 20, int(raw * self.max_ratio)))

    def check_resources(self, resources: object, depth: int = 0) -> None:
        if not isinstance(resources, pikepdf.Dictionary) or depth > 12:
            return
        fonts = resources.get("/Font")
        if isinstance(fonts, pikepdf.Dictionary):
            for font in fonts.values():
                self._check_font(font, depth)
        xobjects = resources.get("/XObject")
        if isinstance(xobjects, pikepdf.Dictionary):
            for xobj in xobjects.values():
                if isinstance(xobj, pikepdf.Stream) and xobj.get("/Subtype") == pikepdf.Name.Form:
                    if xobj.is_indirect and xobj.objgen in self.seen:
                        continue
                    self.check(xobj)
                    self.check_resources(xobj.get("/Resources"), depth + 1)

    def _check_font(self, font: object, depth: int) -> None:
        if not isinstance(font, pikepdf.Dictionary):
            return
        for key in ("/ToUnicode", "/Encoding", "/CIDToGIDMap"):
            self.check(font.get(key))
        descriptor = font.get("/FontDescriptor")
        if isinstance(descriptor, pikepdf.Dictionary):
            for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                self.check(descriptor.get(key))
        descendants = font.get("/DescendantFonts")
        if isinstance(descendants, pikepdf.Array) and depth < 4:
            for child in descendants:
                self._check_font(child, depth + 1)

    def check_page(self, page: pikepdf.Dictionary) -> None:
        contents = page.get("/Contents")
        for stream in contents if isinstance(contents, pikepdf.Array) else [contents]:
            self.check(stream)
        self.check_resources(inherited(page, "/Resources"))


class _GuardedDocument(PDFDocument):
    """pdfminer's document with two holes closed: an object that refers to itself (`4 0 obj 4 0 R`)
    made `resolve1` loop for ever, and an object stream was inflated without any limit."""

    guard: _StreamGuard | None = None

    def getobj(self, objid: int) -> object:
        obj = super().getobj(objid)
        seen, probe = {objid}, obj
        while isinstance(probe, PDFObjRef):  # a chain of bare references: follow it once, here
            if probe.objid in seen or len(seen) > 32:
                raise HostileDocument(
                    f"The PDF has an object that refers to itself (object {objid}): a reference loop",
                    code="hostile_document",
                )
            seen.add(probe.objid)
            probe = super().getobj(probe.objid)
        return obj

    def _get_objects(self, stream: PDFStream) -> tuple[list[object], int]:
        if self.guard is not None and stream.rawdata is not None:
            names = [getattr(f, "name", str(f)) for f, _params in stream.get_filters()]
            check_inflation(stream.rawdata, names, self.guard.limit_for(len(stream.rawdata)))
        return super()._get_objects(stream)


@dataclass
class Source:
    """Both views of one PDF; iterate `pages()` to read them one at a time."""

    pike: pikepdf.Pdf
    doc: _GuardedDocument
    rsrcmgr: PDFResourceManager
    guard: _StreamGuard

    def read(self, index: int) -> PageContent:
        """Characters and graphics of page `index`; MalformedDocument when pdfminer cannot read it."""
        page_obj = self.pike.pages[index].obj
        self.guard.check_page(page_obj)
        try:
            page = self._miner_page(page_obj.objgen[0])
            return read_page(self.rsrcmgr, page)
        except PolydocError:
            raise
        except Exception as exc:  # pdfminer raises many kinds of errors on broken input
            raise MalformedDocument(f"Page {index + 1} of the PDF cannot be read ({exc})") from exc
        finally:
            self._trim_caches()

    def _trim_caches(self) -> None:
        """pdfminer memoises every object it resolves, decoded streams included. Keep the
        small shared objects (fonts, resources) and a few parsed object streams, so memory
        stays flat over the pages without parsing everything again for each page."""
        cached = self.doc._cached_objs
        for objid in [k for k, (obj, _gen) in cached.items() if isinstance(obj, PDFStream)]:
            del cached[objid]
        for table, keep in ((cached, _KEEP_OBJECTS), (self.doc._parsed_objs, _KEEP_OBJSTMS)):
            for objid in list(table)[: max(0, len(table) - keep)]:
                del table[objid]

    def _miner_page(self, objid: int) -> PDFPage:
        attrs = dict(dict_value(self.doc.getobj(objid)))
        parent, depth = attrs.get("Parent"), 0
        while parent is not None and depth < 64:
            node = dict_value(parent)
            for key in _INHERITABLE:
                if key[1:] not in attrs and key[1:] in node:
                    attrs[key[1:]] = node[key[1:]]
            parent, depth = node.get("Parent"), depth + 1
        return PDFPage(self.doc, objid, attrs, None)


@contextmanager
def open_source(src: Path) -> Iterator[Source]:
    pike = open_pike(src)
    try:
        with src.open("rb") as fh:
            try:
                doc = _GuardedDocument(PDFParser(fh), password="")
            except PDFPasswordIncorrect as exc:
                raise EncryptedDocument("The PDF is protected by a password") from exc
            except PDFEncryptionError as exc:
                raise EncryptedDocument(f"The PDF uses an encryption Polydoc cannot read ({exc})") from exc
            except Exception as exc:  # any parser failure on untrusted bytes
                raise MalformedDocument(f"The PDF is damaged and cannot be read ({exc})") from exc
            settings = get_settings()
            guard = _StreamGuard(settings.zip_max_member_bytes, settings.zip_max_ratio)
            doc.guard = guard
            yield Source(pike, doc, PDFResourceManager(caching=True), guard)
    finally:
        pike.close()
