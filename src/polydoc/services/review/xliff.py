"""A run as XLIFF 2.1, so any CAT tool can review it, and the reviewed file's targets applied back.

One `<unit>` per segment (`id` = the segment id, `name` = its place in the document), inline tags
as `<pc id="N">…</pc>` (`<gN>…</gN>`) and `<ph id="N"/>` (`<xN/>`), `state` translated or reviewed
(a person's edit), the quality flags as a note. Export is streamed unit by unit; import parses with
the XML guards every format uses (no DTD, no entities, no network).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from xml.sax.saxutils import quoteattr

from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session

from polydoc.db.models import File, RunSegment
from polydoc.db.session import session_scope
from polydoc.errors import BadRequest, MalformedDocument
from polydoc.formats._safety import parse_xml
from polydoc.segments import TAG
from polydoc.services.review import edits as review
from polydoc.services.review.segments import is_segment_id, segment_index
from polydoc.services.runs import get_run

NS = "urn:oasis:names:tc:xliff:document:2.0"  # XLIFF 2.1 keeps the 2.0 namespace
_Q = f"{{{NS}}}"
_BATCH = 500


def export(*, account_id: uuid.UUID, run_id: str) -> tuple[str, Iterator[bytes]]:
    """(file name, the XLIFF document in chunks). The run is checked now; rows are read as sent."""
    with session_scope() as s:
        run = get_run(s, account_id=account_id, run_id=run_id)
        src = s.get(File, run.input_file_id)
        name = src.filename if src else "document"
        rid, source, target = run.id, run.source_language or "und", run.target_language

    def chunks() -> Iterator[bytes]:
        yield (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<xliff xmlns="{NS}" version="2.1" srcLang={quoteattr(source)} trgLang={quoteattr(target)}>\n'
            f'<file id="f1" original={quoteattr(name)}>\n'
        ).encode()
        after = -1
        while True:
            with session_scope() as s:
                rows = list(
                    s.scalars(
                        select(RunSegment)
                        .where(RunSegment.run_id == rid, RunSegment.index > after)
                        .order_by(RunSegment.index)
                        .limit(_BATCH)
                    )
                )
                units = [etree.tostring(_unit(row), encoding="utf-8") + b"\n" for row in rows]
            if not rows:
                break
            yield b"".join(units)
            after = rows[-1].index
        yield b"</file>\n</xliff>\n"

    return f"{name}.{target}.xlf", chunks()


def _unit(row: RunSegment) -> etree._Element:
    unit = etree.Element(f"{_Q}unit", id=f"s{row.index}", name=row.segment_key[:1000], nsmap={None: NS})
    if row.flags:
        notes = etree.SubElement(unit, f"{_Q}notes")
        for flag in row.flags:
            note = etree.SubElement(notes, f"{_Q}note", category="polydoc-flag")
            note.text = f"{flag['flag']}: {flag['detail']}"
    segment = etree.SubElement(
        unit, f"{_Q}segment", state="reviewed" if row.origin == "human" else "translated"
    )
    _inline(etree.SubElement(segment, f"{_Q}source"), row.source)
    _inline(etree.SubElement(segment, f"{_Q}target"), row.target)
    return unit


def _inline(parent: etree._Element, text: str) -> None:
    """Tagged text into XLIFF inline markup under `parent`."""
    stack = [parent]

    def add_text(chunk: str) -> None:
        where = stack[-1]
        if len(where):  # after a child element: its tail
            where[-1].tail = (where[-1].tail or "") + chunk
        elif chunk:
            where.text = (where.text or "") + chunk

    pos = 0
    for m in TAG.finditer(text):
        add_text(text[pos : m.start()])
        pos = m.end()
        if m.group(3) is not None:
            etree.SubElement(stack[-1], f"{_Q}ph", id=m.group(3))
        elif m.group(1):
            if len(stack) > 1:
                stack.pop()
        else:
            stack.append(etree.SubElement(stack[-1], f"{_Q}pc", id=m.group(2)))
    add_text(text[pos:])


def _tagged(el: etree._Element, unit_id: str) -> str:
    """XLIFF inline markup back into tagged text (`mrk` annotations a CAT tool adds keep their text)."""
    parts = [el.text or ""]
    for child in el:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name == "pc":
            n = child.get("id", "")
            parts.append(f"<g{n}>{_tagged(child, unit_id)}</g{n}>")
        elif name == "ph":
            parts.append(f"<x{child.get('id', '')}/>")
        elif name == "mrk":
            parts.append(_tagged(child, unit_id))
        elif name:
            raise BadRequest(
                f"Unit {unit_id}: inline element <{name}> is not one this run wrote (pc, ph, mrk)"
            )
        parts.append(child.tail or "")
    return "".join(parts)


def read_targets(data: bytes) -> dict[str, str]:
    """Unit id → target text of an XLIFF 2.x file (units without a target are left out)."""
    root = parse_xml(data, what="XLIFF file")
    if etree.QName(root).localname != "xliff" or etree.QName(root).namespace != NS:
        raise MalformedDocument(
            "This is not an XLIFF 2 file (its root must be <xliff> in the XLIFF 2 namespace)"
        )
    targets: dict[str, str] = {}
    for unit in root.iter(f"{_Q}unit"):
        unit_id = unit.get("id", "")
        segments = unit.findall(f"{_Q}segment")
        found = [seg.find(f"{_Q}target") for seg in segments]
        if any(t is not None for t in found):
            targets[unit_id] = "".join(_tagged(t, unit_id) for t in found if t is not None)
    return targets


def apply(session: Session, *, account_id: uuid.UUID, run_id: str, data: bytes) -> int:
    """Apply the targets of an edited XLIFF that differ from the run's; answers how many changed.
    Units the run does not know are refused by id, and then nothing changes."""
    run = get_run(session, account_id=account_id, run_id=run_id)
    targets = read_targets(data)
    unknown = [u for u in targets if not is_segment_id(u)]
    indexes = {segment_index(u): t for u, t in targets.items() if is_segment_id(u)}
    current = dict(
        session.execute(
            select(RunSegment.index, RunSegment.target).where(
                RunSegment.run_id == run.id, RunSegment.index.in_(list(indexes))
            )
        ).all()
    )
    unknown += [f"s{i}" for i in indexes if i not in current]
    if unknown:
        raise review.UnknownSegments(
            f"The file has units this run does not have: {', '.join(unknown[:20])}"
            + (f" and {len(unknown) - 20} more" if len(unknown) > 20 else "")
        )
    edits = {i: t for i, t in indexes.items() if t != current[i]}
    if edits:
        review.apply_edits(session, run, edits)
    return len(edits)
