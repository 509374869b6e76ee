"""Bilingual presentations: the slides are translated, their speaker notes carry the source text.

A slide's notes keep their own text (translated like the slides) and then, after an empty
paragraph, a copy of every translated slide paragraph as it was before translation, formatting
included, in reading order. A slide without a notes page gets one, made on the presentation's
notes master; a presentation without one (decks written by tools rather than PowerPoint) gets
a plain notes master with a copy of the slides' theme.
"""

from __future__ import annotations

import posixpath
import zipfile
from collections.abc import Mapping
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from polydoc.formats._safety import SafeZip, xml_bytes
from polydoc.formats.ooxml._package import relationships
from polydoc.formats.ooxml._paragraphs import A_P, Element, TextPart, part_segments

P = "http://schemas.openxmlformats.org/presentationml/2006/main"
A = "http://schemas.openxmlformats.org/drawingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "http://schemas.openxmlformats.org/package/2006/content-types"
_NOTES_TYPE = f"{R}/notesSlide"
_NOTES_CT = "application/vnd.openxmlformats-officedocument.presentationml.notesSlide+xml"
_NOTES = """<p:notes xmlns:a="{A}" xmlns:r="{R}" xmlns:p="{P}"><p:cSld><p:spTree>
<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>
<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr><a:spLocks noGrp="1"
 noRot="1" noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg"{img}/></p:nvPr></p:nvSpPr><p:spPr/></p:sp>
<p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes Placeholder 2"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>
<p:nvPr><p:ph type="body"{body}/></p:nvPr></p:nvSpPr><p:spPr/><p:txBody><a:bodyPr/><a:lstStyle/></p:txBody>
</p:sp></p:spTree></p:cSld><p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:notes>"""
# a notes master as PowerPoint's default one, reduced to the slide image and the notes text
_MASTER = """<p:notesMaster xmlns:a="{A}" xmlns:r="{R}" xmlns:p="{P}"><p:cSld><p:spTree>
<p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr><p:grpSpPr/>
<p:sp><p:nvSpPr><p:cNvPr id="2" name="Slide Image Placeholder 1"/><p:cNvSpPr><a:spLocks noGrp="1" noRot="1"
 noChangeAspect="1"/></p:cNvSpPr><p:nvPr><p:ph type="sldImg" idx="2"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm>
<a:off x="1143000" y="685800"/><a:ext cx="4572000" cy="3429000"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>
</a:prstGeom><a:noFill/><a:ln w="12700"><a:solidFill><a:prstClr val="black"/></a:solidFill></a:ln></p:spPr></p:sp>
<p:sp><p:nvSpPr><p:cNvPr id="3" name="Notes Placeholder 2"/><p:cNvSpPr><a:spLocks noGrp="1"/></p:cNvSpPr>
<p:nvPr><p:ph type="body" sz="quarter" idx="3"/></p:nvPr></p:nvSpPr><p:spPr><a:xfrm><a:off x="685800" y="4343400"/>
<a:ext cx="5486400" cy="4114800"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></p:spPr><p:txBody>
<a:bodyPr/><a:lstStyle/><a:p><a:endParaRPr lang="en-US"/></a:p></p:txBody></p:sp></p:spTree></p:cSld>
<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" accent2="accent2" accent3="accent3"
 accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/><p:notesStyle>
<a:lvl1pPr marL="0" algn="l" defTabSz="914400" rtl="0"><a:defRPr sz="1200" kern="1200"><a:solidFill>
<a:schemeClr val="tx1"/></a:solidFill><a:latin typeface="+mn-lt"/><a:ea typeface="+mn-ea"/><a:cs typeface="+mn-cs"/>
</a:defRPr></a:lvl1pPr></p:notesStyle></p:notesMaster>"""
_MASTER_CT = "application/vnd.openxmlformats-officedocument.presentationml.notesMaster+xml"
_THEME_CT = "application/vnd.openxmlformats-officedocument.theme+xml"


@dataclass(slots=True)
class Sources:
    """Per slide, copies of its translated paragraphs as they were (taken before the rebuild)."""

    by_slide: dict[str, list[Element]] = field(default_factory=dict)

    @classmethod
    def of(cls, z: SafeZip, slides: list[TextPart], translations: Mapping[str, str]) -> Sources:
        out = cls()
        for part in slides:
            root = z.read_xml(part.name)
            paragraphs = list(root.iter(A_P))
            for seg in part_segments(part, root):
                new = translations.get(seg.id)
                if new and new.strip() and new != seg.text:
                    copy = deepcopy(paragraphs[int(seg.id.rsplit("#p", 1)[1])])
                    for el in [el for el in copy.iter() if any(k.startswith(f"{{{R}}}") for k in el.attrib)]:
                        el.getparent().remove(el)  # links and picture bullets point into the slide's rels
                    out.by_slide.setdefault(part.name, []).append(copy)
        return out


def add_to_notes(
    z: SafeZip, sources: Sources, replacements: dict[str, bytes], warnings: list[str]
) -> dict[str, bytes]:
    """Write the sources into the notes (`replacements` updated); the new members to add."""
    pkg = _Package(z, replacements)
    master: str | None = None
    for slide, paragraphs in sources.by_slide.items():
        notes = next((r.target for r in relationships(z, slide) if r.type == "notesSlide"), None)
        if notes is None:
            master = master or _notes_master(pkg)
            notes = _new_notes(pkg, slide, master)
        root = pkg.read(notes)
        body = _notes_body(root)
        if body is None:
            warnings.append(
                f"{notes}: the notes page has no text placeholder; the slide's source is not kept"
            )
            continue
        if any((t.text or "").strip() for t in body.iter(f"{{{A}}}t")):
            body.append(etree.Element(A_P))  # an empty paragraph between the notes and the source
        body.extend(paragraphs)
        pkg.put(notes, root)
    return pkg.added


def append_members(dst: Path, added: Mapping[str, bytes]) -> None:
    if added:
        with zipfile.ZipFile(dst, "a", compression=zipfile.ZIP_DEFLATED) as out:
            for name, data in added.items():
                out.writestr(name, data)


class _Package:
    """The package being rewritten: changed parts go to `replacements`, new ones to `added`."""

    def __init__(self, z: SafeZip, replacements: dict[str, bytes]) -> None:
        self.z, self.replacements, self.added = z, replacements, {}

    def has(self, name: str) -> bool:
        return self.z.has(name) or name in self.added

    def read(self, name: str) -> Element:
        data = self.added.get(name) or self.replacements.get(name)
        return etree.fromstring(data) if data is not None else self.z.read_xml(name)

    def put(self, name: str, root: Element) -> None:
        (self.replacements if self.z.has(name) else self.added)[name] = xml_bytes(root)

    def new_name(self, pattern: str) -> str:
        n = 1
        while self.has(pattern.format(n)):
            n += 1
        return pattern.format(n)

    def relate(self, source: str, kind: str, target: str) -> str:
        """Add a relationship from `source` ("" for the package) to `target`; its id."""
        rels_name = _rels_name(source)
        if self.has(rels_name):
            root = self.read(rels_name)
        else:
            root = etree.Element(f"{{{_RELS}}}Relationships", nsmap={None: _RELS})
        taken = {rel.get("Id") for rel in root}
        rid = next(f"rId{k}" for k in range(1, len(taken) + 2) if f"rId{k}" not in taken)
        link = posixpath.relpath(target, posixpath.dirname(source) or ".")
        etree.SubElement(root, f"{{{_RELS}}}Relationship", Id=rid, Type=f"{R}/{kind}", Target=link)
        self.put(rels_name, root)
        return rid

    def new_part(self, name: str, data: bytes, content_type: str) -> None:
        self.added[name] = data
        types = self.read("[Content_Types].xml")
        etree.SubElement(types, f"{{{_CT}}}Override", PartName=f"/{name}", ContentType=content_type)
        self.put("[Content_Types].xml", types)


def _presentation(pkg: _Package) -> str:
    found = (r.target for r in relationships(pkg.z, "") if r.type == "officeDocument")
    return next(found, "ppt/presentation.xml")


def _notes_master(pkg: _Package) -> str:
    """The presentation's notes master; one is made (with a copy of the slides' theme) if it has none."""
    pres = _presentation(pkg)
    found = next((r.target for r in relationships(pkg.z, pres) if r.type == "notesMaster"), None)
    if found is not None:
        return found
    master = pkg.new_name("ppt/notesMasters/notesMaster{}.xml")
    pkg.new_part(master, _MASTER.format(A=A, R=R, P=P).encode(), _MASTER_CT)
    slide_master = next((r.target for r in relationships(pkg.z, pres) if r.type == "slideMaster"), "")
    theme = next((r.target for r in relationships(pkg.z, slide_master) if r.type == "theme"), None)
    if theme is not None:
        copy = pkg.new_name("ppt/theme/theme{}.xml")
        pkg.new_part(copy, pkg.z.read(theme), _THEME_CT)
        pkg.relate(master, "theme", copy)
    rid = pkg.relate(pres, "notesMaster", master)
    root = pkg.read(pres)
    ids = etree.Element(f"{{{P}}}notesMasterIdLst")
    etree.SubElement(ids, f"{{{P}}}notesMasterId").set(f"{{{R}}}id", rid)
    masters = root.find(f"{{{P}}}sldMasterIdLst")  # the list goes right after the slide masters'
    (masters.addnext(ids) if masters is not None else root.insert(0, ids))
    pkg.put(pres, root)
    return master


def _notes_body(root: Element) -> Element | None:
    for sp in root.iter(f"{{{P}}}sp"):
        ph = sp.find(f"{{{P}}}nvSpPr/{{{P}}}nvPr/{{{P}}}ph")
        if ph is not None and ph.get("type") == "body":
            body = sp.find(f"{{{P}}}txBody")
            if body is None:
                body = etree.SubElement(sp, f"{{{P}}}txBody")
                etree.SubElement(body, f"{{{A}}}bodyPr")
            return body
    return None


def _new_notes(pkg: _Package, slide: str, master: str) -> str:
    """A notes page for `slide` whose placeholders are those of the master (matched by idx)."""
    idx = {}
    for ph in pkg.read(master).iter(f"{{{P}}}ph"):
        if ph.get("idx"):
            idx.setdefault(ph.get("type"), f' idx="{ph.get("idx")}"')
    name = pkg.new_name("ppt/notesSlides/notesSlide{}.xml")
    notes = _NOTES.format(A=A, R=R, P=P, img=idx.get("sldImg", ""), body=idx.get("body", ""))
    pkg.new_part(name, notes.encode(), _NOTES_CT)
    pkg.relate(name, "notesMaster", master)
    pkg.relate(name, "slide", slide)
    pkg.relate(slide, "notesSlide", name)
    return name


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", f"{base}.rels")
