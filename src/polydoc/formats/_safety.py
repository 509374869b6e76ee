"""Reading untrusted archives and XML with limits (DESIGN §5).

XML: no entity expansion, no DTD loading, no network; a document that declares entities
is refused outright. Zip: member count, total and per-member size and compression ratio
are checked against the headers before reading, and again while decompressing, because
headers can lie.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from collections.abc import Mapping
from pathlib import Path

from lxml import etree

from polydoc.config import get_settings
from polydoc.errors import HostileDocument, MalformedDocument

_ENTITY_DECL = re.compile(rb"<!ENTITY", re.IGNORECASE)
# libxml2's own guards against entity expansion (its messages, as lxml reports them)
_ENTITY_ABUSE = re.compile(r"amplification|entity reference loop", re.IGNORECASE)
_OUT_OF_MEMORY = re.compile(r"memory allocation failed|^unknown error$", re.IGNORECASE)


def xml_parser(*, recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_blank_text=False,
        recover=recover,
    )


def parse_xml(data: bytes, *, what: str = "XML part") -> etree._Element:
    """Parse untrusted XML. Entity declarations are refused (billion laughs, XXE).

    The byte search is the quick path; the parsed DTD is checked too, because the DOCTYPE
    may follow a long comment or be encoded in UTF-16, where the search cannot see it.
    """
    refused = HostileDocument(f"{what} declares XML entities, which are refused", code="xml_entities")
    if _ENTITY_DECL.search(data[:65536]):
        raise refused
    try:
        root = etree.fromstring(data, xml_parser())
    except etree.XMLSyntaxError as exc:
        if _ENTITY_ABUSE.search(exc.msg or ""):
            raise refused from exc
        if _OUT_OF_MEMORY.search(exc.msg or "unknown error"):
            # libxml2 says "Memory allocation failed" (or nothing) when a memory ceiling stops it: the
            # part may be well formed, it is too large to read here (the cage maps MemoryError)
            raise MemoryError(f"{what} needs more memory to parse than the limit allows") from exc
        raise MalformedDocument(f"{what} is not well-formed XML: {exc.msg}") from exc
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and next(dtd.iterentities(), None) is not None:
        raise refused
    return root


def refuse_entities(*, what: str, head: bytes = b"", dtd: etree.DTD | None = None, error: str = "") -> None:
    """parse_xml's entity checks for XML read in pieces (lxml.etree.iterparse): the file's first
    bytes, the parsed internal DTD, and a parser error that is libxml2's entity-abuse guard."""
    if (
        _ENTITY_DECL.search(head[:65536])
        or (dtd is not None and next(dtd.iterentities(), None) is not None)
        or _ENTITY_ABUSE.search(error)
    ):
        raise HostileDocument(f"{what} declares XML entities, which are refused", code="xml_entities")


class SafeZip:
    """A zip archive opened with the configured limits; use as a context manager."""

    def __init__(self, path: Path) -> None:
        s = get_settings()
        self.max_member = s.zip_max_member_bytes
        try:
            self.zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise MalformedDocument("The archive is damaged or truncated") from exc
        infos = self.zf.infolist()
        if len(infos) > s.zip_max_members:
            raise HostileDocument(f"The archive has {len(infos)} members (limit {s.zip_max_members})")
        names = [i.filename for i in infos]
        twice = [n for n, k in Counter(names).items() if k > 1]
        if twice:
            # zipfile reads the last copy, Office and other readers the first: what is checked and
            # translated would not be what the user sees
            raise HostileDocument(f"The archive holds two members named {twice[0]!r}")
        total = 0
        for info in infos:
            if info.flag_bits & 0x1:
                raise MalformedDocument("The archive is encrypted", code="encrypted")
            if info.file_size > s.zip_max_member_bytes:
                raise HostileDocument(f"Member {info.filename!r} is too large when decompressed")
            if info.compress_size and info.file_size / info.compress_size > s.zip_max_ratio:
                raise HostileDocument(f"Member {info.filename!r} has a suspicious compression ratio")
            total += info.file_size
        if total > s.zip_max_total_bytes:
            raise HostileDocument("The archive is too large when decompressed")
        self.names = names

    def __enter__(self) -> SafeZip:
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def has(self, name: str) -> bool:
        return name in self.names

    def read(self, name: str) -> bytes:
        """Read one member, enforcing the per-member limit on the real decompressed size.

        One read of the declared size (+1, to see a member longer than declared): a read of the
        whole limit inflated that much before zipfile cut the data to the declared size, so a
        member whose header lies (100 bytes declared, 50 MB of spaces inside) cost 50 MB."""
        try:
            info = self.zf.getinfo(name)
            with self.zf.open(info) as fh:
                data = fh.read(min(info.file_size, self.max_member) + 1)
        except KeyError as exc:
            raise MalformedDocument(f"The archive has no member {name!r}") from exc
        except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
            raise MalformedDocument(f"Member {name!r} is damaged") from exc
        if len(data) > self.max_member:
            raise HostileDocument(f"Member {name!r} is too large when decompressed")
        return data

    def read_xml(self, name: str) -> etree._Element:
        return parse_xml(self.read(name), what=name)

    def rewrite(self, dst: Path, replacements: Mapping[str, bytes]) -> None:
        """Copy the archive to `dst`, replacing some members; order and others kept as they were."""
        with zipfile.ZipFile(dst, "w") as out:
            for info in self.zf.infolist():
                if info.filename in replacements:
                    out.writestr(info, replacements[info.filename], compress_type=info.compress_type)
                    continue
                with self.zf.open(info) as src, out.open(info, "w") as sink:
                    shutil.copyfileobj(src, sink, 1 << 20)


def xml_bytes(root: etree._Element, *, standalone: bool | None = True) -> bytes:
    """Serialise a part the way Office writes it: UTF-8 declaration, standalone flag."""
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=standalone)
