"""EPUB 2 and 3 handler: container.xml -> OPF package -> manifest and spine.

Translated: every XHTML content document in the manifest (spine order first, then the rest,
which includes the EPUB 3 navigation document), the EPUB 2 toc.ncx labels, and dc:title and
dc:description in the OPF. dc:language and the documents' xml:lang/lang are set to the
target. Rebuilt documents are produced one at a time while the archive is copied, so memory
holds one chapter, not the book.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from polydoc.errors import EncryptedDocument, MalformedDocument
from polydoc.formats._safety import SafeZip, parse_xml
from polydoc.formats._xml_inline import (
    Element,
    read_flow,
    read_plain,
    write_flow,
    write_plain,
)
from polydoc.formats.base import FormatHandler, RebuildReport, Segment
from polydoc.formats.web import _epub_bilingual as bilingual
from polydoc.formats.web import _epub_xhtml as xhtml
from polydoc.segments import strip_tags, translatable

OPF = "http://www.idpf.org/2007/opf"
DC = "http://purl.org/dc/elements/1.1/"
NCX = "http://www.daisy.org/z3986/2005/ncx/"
CONTAINER = "urn:oasis:names:tc:opendocument:xmlns:container"
XMLENC = "http://www.w3.org/2001/04/xmlenc#"
_XHTML_TYPE = "application/xhtml+xml"
_NCX_TYPE = "application/x-dtbncx+xml"
_OPF_FIELDS = {"title": "title", "description": "description"}


@dataclass(frozen=True, slots=True)
class _Book:
    opf: str  # path of the package document in the archive
    epub3: bool
    documents: list[str]  # XHTML content documents, reading order
    ncx: str | None


@dataclass(frozen=True, slots=True)
class _Plain:
    id: str
    el: Element
    context: str


def _rootfile(zf: SafeZip) -> str:
    if not zf.has("META-INF/container.xml"):
        raise MalformedDocument("This is not an EPUB: META-INF/container.xml is missing")
    container = zf.read_xml("META-INF/container.xml")
    for rootfile in container.iter(f"{{{CONTAINER}}}rootfile"):
        path = rootfile.get("full-path")
        if path and rootfile.get("media-type", "application/oebps-package+xml").endswith("package+xml"):
            return path
    raise MalformedDocument("The EPUB container names no package document")


def _read_book(zf: SafeZip) -> tuple[_Book, Element]:
    opf = _rootfile(zf)
    if not zf.has(opf):
        raise MalformedDocument(f"The EPUB package document {opf!r} is missing")
    package = zf.read_xml(opf)
    base = posixpath.dirname(opf)
    items: dict[str, tuple[str, str]] = {}
    for item in package.iter(f"{{{OPF}}}item"):
        href = item.get("href")
        if item.get("id") and href:
            path = posixpath.normpath(posixpath.join(base, unquote(href.split("#")[0])))
            items[item.get("id", "")] = (path, item.get("media-type", ""))
    spine = package.find(f"{{{OPF}}}spine")
    spine_ids = [ref.get("idref", "") for ref in spine.iter(f"{{{OPF}}}itemref")] if spine is not None else []
    ordered = [items[i] for i in spine_ids if i in items] + list(items.values())
    documents = list(dict.fromkeys(p for p, kind in ordered if kind == _XHTML_TYPE and zf.has(p)))
    toc = items.get(spine.get("toc", "")) if spine is not None else None
    ncx = toc or next((entry for entry in items.values() if entry[1] == _NCX_TYPE), None)
    book = _Book(
        opf=opf,
        epub3=package.get("version", "2.0").startswith("3"),
        documents=documents,
        ncx=ncx[0] if ncx and zf.has(ncx[0]) else None,
    )
    _refuse_encrypted(zf, book)
    return book, package


def _refuse_encrypted(zf: SafeZip, book: _Book) -> None:
    """DRM encrypts the content documents; obfuscated fonts alone are fine."""
    if not zf.has("META-INF/encryption.xml"):
        return
    encrypted = {
        posixpath.normpath(unquote(ref.get("URI", "")))
        for ref in zf.read_xml("META-INF/encryption.xml").iter(f"{{{XMLENC}}}CipherReference")
    }
    if encrypted & {book.opf, *book.documents}:
        raise EncryptedDocument("The EPUB is protected by DRM: its text is encrypted")


def _opf_units(opf: str, package: Element) -> list[_Plain]:
    metadata = package.find(f"{{{OPF}}}metadata")
    if metadata is None:
        return []
    return [
        _Plain(f"{opf}#{name}{i}", el, context)
        for name, context in _OPF_FIELDS.items()
        for i, el in enumerate(metadata.iter(f"{{{DC}}}{name}"), 1)
        if len(el) == 0
    ]


def _ncx_units(ncx: str, root: Element) -> list[_Plain]:
    labels = (f"{{{NCX}}}navLabel", f"{{{NCX}}}docTitle")
    texts = (el for el in root.iter(f"{{{NCX}}}text") if el.getparent().tag in labels)
    return [_Plain(f"{ncx}#t{i}", el, "table of contents") for i, el in enumerate(texts, 1) if len(el) == 0]


class EpubHandler(FormatHandler):
    name = "epub"
    extensions = ("epub",)
    media_type = "application/epub+zip"
    container = "zip"
    output_modes = ("translated", "bilingual")

    def extract(self, src: Path) -> Iterator[Segment]:
        with SafeZip(src) as zf:
            book, package = _read_book(zf)
            plain = _opf_units(book.opf, package)
            if book.ncx:
                plain += _ncx_units(book.ncx, zf.read_xml(book.ncx))
            for unit in plain:
                text = read_plain(unit.el)
                if translatable(text):
                    yield Segment(unit.id, text, unit.context)
            for path in book.documents:
                root = xhtml.parse_xhtml(zf.read(path), what=path)
                for xunit in xhtml.units(path, root):
                    if xunit.attr:
                        text = " ".join(xunit.el.get(xunit.attr, "").split())
                    else:
                        text = read_flow(xunit.el, xhtml.RULES).text
                    if translatable(text):
                        yield Segment(xunit.id, text, xunit.context)

    def rebuild(
        self,
        src: Path,
        dst: Path,
        translations: Mapping[str, str],
        *,
        target_language: str,
        output_mode: str = "translated",
    ) -> RebuildReport:
        with SafeZip(src) as zf:
            book, _ = _read_book(zf)
            rebuilt = _Rebuilt(zf, book, translations, target_language, output_mode == "bilingual")
            try:
                zf.rewrite(dst, rebuilt)
            except BaseException:  # a chapter failed half-way: leave no half-written book behind
                dst.unlink(missing_ok=True)
                raise
        return RebuildReport(rebuilt.warnings)


class _Rebuilt(Mapping[str, bytes]):
    """The rewritten members, each built only when the archive copy reaches it."""

    def __init__(
        self, zf: SafeZip, book: _Book, translations: Mapping[str, str], language: str, bilingual: bool
    ) -> None:
        self.zf, self.book, self.translations, self.language = zf, book, translations, language
        self.bilingual = bilingual
        self.names = {book.opf, *book.documents, *([book.ncx] if book.ncx else [])}
        self.warnings: list[str] = []

    def __contains__(self, name: object) -> bool:
        return name in self.names

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __getitem__(self, name: str) -> bytes:
        if name not in self.names:
            raise KeyError(name)
        data = self.zf.read(name)
        if name in self.book.documents:
            return self._document(name, data)
        root = parse_xml(data, what=name)
        if name == self.book.opf:
            self._plain(_opf_units(name, root))
            _set_opf_language(root, self.language)
        else:
            self._plain(_ncx_units(name, root))
            root.set(xhtml.XML_LANG, self.language)
        return xhtml.serialize(root, data)

    def _plain(self, units: list[_Plain]) -> None:
        for unit in units:
            if unit.id in self.translations:
                write_plain(unit.el, self.translations[unit.id])

    def _document(self, path: str, data: bytes) -> bytes:
        root = xhtml.parse_xhtml(data, what=path)
        xunits = xhtml.units(path, root)  # all numbered before any change
        pending = bilingual.sources(xunits, self.translations) if self.bilingual else []
        # attributes first: an inline wrapper is re-created from the original element on rebuild
        for xunit in sorted(xunits, key=lambda u: u.attr is None):
            translated = self.translations.get(xunit.id)
            if translated is None:
                continue
            if xunit.attr:
                xunit.el.set(xunit.attr, strip_tags(translated).strip())
            elif not write_flow(xunit.el, read_flow(xunit.el, xhtml.RULES), translated):
                self.warnings.append(f"{xunit.id}: inline formatting was lost; text kept without it")
        if self.bilingual:  # the document stays in its language; each translation says its own
            bilingual.join(pending, self.language, html_lang=self.book.epub3)
        else:
            xhtml.set_language(root, self.language, html_lang=self.book.epub3)
        return xhtml.serialize(root, data)


def _set_opf_language(package: Element, language: str) -> None:
    metadata = package.find(f"{{{OPF}}}metadata")
    if metadata is None:
        return
    dc_language = metadata.find(f"{{{DC}}}language")
    if dc_language is None:
        dc_language = metadata.makeelement(f"{{{DC}}}language", {})
        metadata.append(dc_language)
    dc_language.text = language
    if package.get(xhtml.XML_LANG) is not None:
        package.set(xhtml.XML_LANG, language)


HANDLER = EpubHandler()
