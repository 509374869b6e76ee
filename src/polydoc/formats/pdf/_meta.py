"""Text outside the pages: the bookmark (outline) titles and the document title.

Segment ids are `outline#<n>` (outline items in depth-first order, from 1) and `title`
(the /Info title, mirrored into the XMP dc:title when the XMP has one). The outline is walked
with an explicit stack, a visited set and a cap, since untrusted outlines can loop.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping

import pikepdf
from pikepdf import Dictionary, Name, String

from polydoc.segments import strip_tags

_MAX_ITEMS = 5000  # outline items read; a bigger tree is a hostile or generated one
# titles that tools write by themselves, not the author: nothing to translate
_PLACEHOLDER = re.compile(
    r"^(?:untitled|sans titre|microsoft (?:word|powerpoint|excel) - .*|.*\.(?:docx?|pptx?|pdf))$", re.I
)


def _outline_items(pdf: pikepdf.Pdf) -> Iterator[Dictionary]:
    outlines = pdf.Root.get("/Outlines")
    if not isinstance(outlines, Dictionary):
        return
    stack = [outlines.get("/First")]
    seen: set[tuple[int, int]] = set()
    count = 0
    while stack and count < _MAX_ITEMS:
        item = stack.pop()
        if not isinstance(item, Dictionary) or (item.is_indirect and item.objgen in seen):
            continue
        if item.is_indirect:
            seen.add(item.objgen)
        count += 1
        yield item
        stack.append(item.get("/Next"))  # siblings after children: depth-first reading order
        stack.append(item.get("/First"))


def _text(value: object) -> str:
    return str(value).strip() if isinstance(value, String) else ""


def meta_segments(pdf: pikepdf.Pdf) -> Iterator[tuple[str, str, str]]:
    """(id, text, context) of each outline title and of the document title."""
    for n, item in enumerate(_outline_items(pdf), start=1):
        title = _text(item.get("/Title"))
        if title:
            yield f"outline#{n}", title, "heading"
    title = _text(pdf.docinfo.get("/Title")) if pdf.trailer.get("/Info") is not None else ""
    if title and not _PLACEHOLDER.match(title):
        yield "title", title, "title"


def _plain(text: str) -> str:
    return strip_tags(text).strip()


def apply_meta(pdf: pikepdf.Pdf, translations: Mapping[str, str]) -> None:
    """Write the translated outline titles and document title into `pdf`."""
    for n, item in enumerate(_outline_items(pdf), start=1):
        new = translations.get(f"outline#{n}")
        if new and _text(item.get("/Title")):
            item.Title = String(_plain(new))
    new = translations.get("title")
    if not new or pdf.trailer.get("/Info") is None or not _text(pdf.docinfo.get("/Title")):
        return
    title = _plain(new)
    pdf.docinfo[Name.Title] = String(title)
    if "/Metadata" in pdf.Root:
        try:
            with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
                if isinstance(xmp.get("dc:title"), str):
                    xmp["dc:title"] = title
        except Exception:  # noqa: BLE001 - damaged XMP: the /Info title is enough
            return
