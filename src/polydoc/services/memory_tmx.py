"""The account's translation memory as TMX 1.4b: exported as a stream, imported from a bounded one.

Inline tags round-trip exactly: `<gN>` is written as `<bpt i="N" x="N">&lt;gN&gt;</bpt>`, `</gN>` as
`<ept i="N">&lt;/gN&gt;</ept>` and `<xN/>` as `<ph x="N">&lt;xN/&gt;</ph>`; on import a `bpt`/`ept`
pair becomes `<gX>…</gX>` (X its `x`, else its `i`) and a `ph` `<xX/>`. A carriage return is written
as `&#13;` (XML parsers turn a literal one into a line feed). An entry without a source text (stored
before 0007) cannot be exported: the header's `x-polydoc-skipped` prop counts them.

An import is read twice with lxml's iterparse (entities off, no network, no DTD): once to check the
whole file (a broken one is refused and changes nothing), once to store it, a batch at a time.
"""

from __future__ import annotations

import re
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from lxml import etree
from sqlalchemy import func, select

from polydoc import __version__
from polydoc.db.models import CachedSegment
from polydoc.db.session import session_scope
from polydoc.engines.memory import SegmentCache
from polydoc.errors import MalformedDocument, UnsupportedLanguage
from polydoc.formats._safety import refuse_entities
from polydoc.languages import normalise
from polydoc.segments import TAG

_CHUNK = 1000
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
MAX_SEGMENT_CHARS = 50_000
_DATE = "%Y%m%dT%H%M%SZ"


# -- export ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Export:
    account_id: uuid.UUID
    source: str | None
    target: str | None
    skipped: int  # entries without a source text


def _filters(account_id: uuid.UUID, source: str | None, target: str | None) -> list:
    where = [CachedSegment.account_id == account_id]
    if source:
        where.append(CachedSegment.source_language == source)
    if target:
        where.append(CachedSegment.target_language == target)
    return where


def plan_export(session, *, account_id: uuid.UUID, source: str | None, target: str | None) -> Export:  # noqa: ANN001
    source, target = (normalise(source) if source else None), (normalise(target) if target else None)
    skipped = session.scalar(
        select(func.count())
        .select_from(CachedSegment)
        .where(*_filters(account_id, source, target), CachedSegment.source_text.is_(None))
    )
    return Export(account_id, source, target, int(skipped or 0))


def _seg(text: str) -> str:
    out, pos = [], 0
    for m in TAG.finditer(text):
        out.append(_text(text[pos : m.start()]))
        tag, n = m[0], re.sub(r"\D", "", m[0])
        if tag.startswith("</"):
            out.append(f'<ept i="{n}">{escape(tag)}</ept>')
        elif tag.endswith("/>"):
            out.append(f'<ph x="{n}">{escape(tag)}</ph>')
        else:
            out.append(f'<bpt i="{n}" x="{n}">{escape(tag)}</bpt>')
        pos = m.end()
    out.append(_text(text[pos:]))
    return "".join(out)


def _text(text: str) -> str:
    return escape(text).replace("\r", "&#13;")


def export_stream(plan: Export) -> Iterator[bytes]:
    """The TMX document, a chunk of entries at a time, each chunk read in a short transaction."""
    now = datetime.now(UTC).strftime(_DATE)
    yield (
        '<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4">\n'
        f'<header creationtool="Polydoc" creationtoolversion={quoteattr(__version__)} segtype="sentence" '
        f'o-tmf="polydoc" adminlang="en" srclang={quoteattr(plan.source or "*all*")} datatype="plaintext" '
        f'creationdate="{now}">\n<prop type="x-polydoc-skipped">{plan.skipped}</prop>\n</header>\n<body>\n'
    ).encode()
    last, unwritable = 0, 0
    while True:
        with session_scope() as s:
            rows = (
                s.execute(
                    select(CachedSegment)
                    .where(
                        *_filters(plan.account_id, plan.source, plan.target),
                        CachedSegment.id > last,
                        CachedSegment.source_text.is_not(None),
                    )
                    .order_by(CachedSegment.id)
                    .limit(_CHUNK)
                )
                .scalars()
                .all()
            )
        if not rows:
            break
        last = rows[-1].id
        parts = []
        for r in rows:
            if _NOT_XML.search(r.source_text or "") or _NOT_XML.search(r.target_text):
                unwritable += 1  # characters XML 1.0 cannot carry
                continue
            parts.append(
                f'<tu creationdate="{r.created_at.astimezone(UTC).strftime(_DATE)}" '
                f"srclang={quoteattr(r.source_language)}>"
                f'<prop type="x-polydoc-origin">{escape(r.origin)}</prop>'
                f'<prop type="x-polydoc-engine">{escape(r.engine)}</prop>'
                f"<tuv xml:lang={quoteattr(r.source_language)}><seg>{_seg(r.source_text or '')}</seg></tuv>"
                f"<tuv xml:lang={quoteattr(r.target_language)}><seg>{_seg(r.target_text)}</seg></tuv>"
                "</tu>\n"
            )
        yield "".join(parts).encode()
    tail = (
        f"<!-- {unwritable} entries not written: characters XML 1.0 cannot carry -->\n" if unwritable else ""
    )
    yield f"</body>\n{tail}</tmx>\n".encode()


# -- import ---------------------------------------------------------------------------------------


@dataclass
class ImportResult:
    imported: int = 0
    skipped: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    pairs: dict[tuple[str, str, str], list[int]] = field(default_factory=dict)  # → [imported, skipped]

    def skip(self, reason: str, n: int = 1) -> None:
        self.skipped += n
        self.reasons[reason] += n


class _Unusable(Exception):
    """A unit the memory cannot take (the reason is its message); the file itself is fine."""


def _seg_text(seg: etree._Element) -> str:
    out, pairs = [seg.text or ""], {}
    for child in seg:
        tag = child.tag if isinstance(child.tag, str) else ""
        if tag == "bpt":
            n = _number(child.get("x") or child.get("i"))
            pairs[child.get("i")] = n
            out.append(f"<g{n}>")
        elif tag == "ept":
            if child.get("i") not in pairs:
                raise _Unusable("unpaired_tag")
            out.append(f"</g{pairs.pop(child.get('i'))}>")
        elif tag == "ph":
            out.append(f"<x{_number(child.get('x') or child.get('i'))}/>")
        elif tag == "hi":
            out.append(_seg_text(child))
        elif tag:
            raise _Unusable("isolated_tag" if tag == "it" else "unknown_tag")
        out.append(child.tail or "")
    if pairs:
        raise _Unusable("unpaired_tag")
    return "".join(out)


def _number(value: str | None) -> str:
    if value is None or not value.isdigit():
        raise _Unusable("unknown_tag")
    return value


def _date(value: str | None) -> datetime | None:
    try:
        return datetime.strptime(value or "", _DATE).replace(tzinfo=UTC)
    except ValueError:
        return None


def _units(path: Path, engine: str | None) -> Iterator[tuple[str, str, str, str, str, datetime | None] | str]:
    """(memory name, source language, target language, source, target, date) per pair of each unit,
    or the reason a pair is skipped. Raises MalformedDocument/HostileDocument for a broken file."""
    with path.open("rb") as fh:
        refuse_entities(what="The TMX file", head=fh.read(65536))
    context = etree.iterparse(
        str(path),
        events=("start", "end"),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )
    header_lang, root = "", None
    try:
        for event, elem in context:
            if root is None:
                root = elem
                refuse_entities(what="The TMX file", dtd=elem.getroottree().docinfo.internalDTD)
                if elem.tag != "tmx":
                    raise MalformedDocument(
                        f"Not a TMX file: its root element is <{elem.tag}>", code="invalid_tmx"
                    )
                continue
            if event != "end":
                continue
            if elem.tag == "header":
                header_lang = elem.get("srclang", "")
            elif elem.tag == "tu":
                yield from _pairs(elem, header_lang, engine)
                elem.clear()
                while elem.getprevious() is not None:
                    del elem.getparent()[0]
    except etree.XMLSyntaxError as exc:
        refuse_entities(what="The TMX file", error=exc.msg or "")
        raise MalformedDocument(
            f"The TMX file is not well-formed XML: {exc.msg}", code="invalid_tmx"
        ) from exc
    if root is None:
        raise MalformedDocument("The TMX file is empty", code="invalid_tmx")


def _pairs(tu: etree._Element, header_lang: str, engine: str | None) -> Iterator[tuple | str]:
    props = {p.get("type"): (p.text or "").strip() for p in tu.findall("prop")}
    name = engine or props.get("x-polydoc-engine") or "apertium"
    srclang = tu.get("srclang") or header_lang
    tuvs = []
    for tuv in tu.findall("tuv"):
        lang, seg = tuv.get(_XML_LANG) or tuv.get("lang") or "", tuv.find("seg")
        try:
            tuvs.append((normalise(lang), _seg_text(seg) if seg is not None else ""))
        except UnsupportedLanguage:
            tuvs.append(("", ""))
        except _Unusable as why:
            tuvs.append((normalise(lang), why))
    if not tuvs:
        yield "no_translation"
        return
    try:
        src_code = normalise(srclang) if srclang and srclang != "*all*" else tuvs[0][0]
    except UnsupportedLanguage:
        yield "language"
        return
    source = next((t for t in tuvs if t[0] == src_code), None)
    targets = [t for t in tuvs if t is not source and t[0] != src_code]
    if source is None or not targets:
        yield "no_translation"
        return
    for lang, text in targets:
        reason = _reason(source[1]) or _reason(text) or ("language" if not lang or len(name) > 64 else None)
        yield reason or (name, src_code, lang, source[1], text, _date(tu.get("creationdate")))


def _reason(text: object) -> str | None:
    if isinstance(text, _Unusable):
        return str(text)
    if not str(text).strip():
        return "empty"
    return "too_long" if len(str(text)) > MAX_SEGMENT_CHARS else None


def import_tmx(path: Path, *, account_id: uuid.UUID, engine: str | None) -> ImportResult:
    """Check the whole file, then store its units in batches (origin `import`)."""
    for _ in _units(path, engine):  # the first reading: only whether the file is sound
        pass
    result = ImportResult()
    batch: dict[tuple[str, str, str], list] = {}

    def flush() -> None:
        with session_scope() as s:
            for (name, src, tgt), units in batch.items():
                stored, kept = SegmentCache(account_id, name, src, tgt).store_import(s, units)
                counts = result.pairs.setdefault((src, tgt, name), [0, 0])
                counts[0] += stored
                counts[1] += kept
                result.imported += stored
                if kept:
                    result.skip("kept_human", kept)
        batch.clear()

    pending = 0
    for unit in _units(path, engine):
        if isinstance(unit, str):
            result.skip(unit)
            continue
        name, src, tgt, source, target, when = unit
        batch.setdefault((name, src, tgt), []).append((source, target, when))
        pending += 1
        if pending >= _CHUNK:
            flush()
            pending = 0
    flush()
    return result
