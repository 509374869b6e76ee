"""Applying a page plan with pikepdf: strip the old text, clone protected spans, add the overlay.

The page's original content is kept (minus the removed operators) inside `q … Q`, so an
unbalanced graphics state cannot move what we add. Then come the protected spans, drawn by
the page's own operators again at their new place and scale, and the reportlab overlay's
drawing with its fonts merged into the page's resources.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, ContentStreamInstruction, Dictionary, Name, Operator

from polydoc.formats.pdf._chars import invert, op_user_ctm
from polydoc.formats.pdf._page import PagePlan
from polydoc.formats.pdf._source import inherited
from polydoc.formats.pdf._strip import StreamMismatch, Stripper, compressed_stream, fresh_name, shallow_copy

_PAGE_BOXES = ("/MediaBox", "/CropBox", "/BleedBox", "/TrimBox", "/ArtBox")


def _mult(m1: tuple[float, ...], m2: tuple[float, ...]) -> tuple[float, ...]:
    a1, b1, c1, d1, e1, f1 = m1
    a2, b2, c2, d2, e2, f2 = m2
    return (
        a1 * a2 + b1 * c2, a1 * b2 + b1 * d2,
        c1 * a2 + d1 * c2, c1 * b2 + d1 * d2,
        e1 * a2 + f1 * c2 + e2, e1 * b2 + f1 * d2 + f2,
    )  # fmt: skip


def _ins(operator: str, *operands: object) -> ContentStreamInstruction:
    return ContentStreamInstruction(list(operands), Operator(operator))


def _nums(values: tuple[float, ...]) -> list[float]:
    return [round(float(v), 5) for v in values]


def _clone_instructions(plan: PagePlan, kept: dict) -> list[ContentStreamInstruction]:
    out: list[ContentStreamInstruction] = []
    display = plan.ctm
    for place in plan.clones:
        span, k = place.span, place.scale
        move = (k, 0.0, 0.0, k, place.x - k * span.x0, place.baseline - k * span.baseline)
        outer = _mult(_mult(display, move), invert(display))  # type: ignore[arg-type]
        for key in span.ops:
            ins = kept.get(key)
            op = plan.remove.get(key)
            if ins is None or op is None:
                continue
            shown = ins.operands[0] if str(ins.operator) == "TJ" else Array([ins.operands[-1]])
            fill = {1: "g", 3: "rg", 4: "k"}.get(len(op.fill), "g")
            out += [
                _ins("q"),
                _ins("cm", *_nums(outer)),
                _ins("cm", *_nums(op_user_ctm(op, display))),  # type: ignore[arg-type]
                _ins(fill, *_nums(op.fill)),
                _ins("BT"),
                _ins("Tf", Name("/" + op.font_res), op.fontsize),
                _ins("Tc", op.charspace),
                _ins("Tw", op.wordspace),
                _ins("Tz", op.scaling),
                _ins("Ts", op.rise),
                _ins("Tr", op.render),
                _ins("Tm", *_nums(op.tm)),
                _ins("TJ", shown),
                _ins("ET"),
                _ins("Q"),
            ]
    return out


def _overlay_instructions(
    pdf: pikepdf.Pdf, source: pikepdf.Pdf, number: int, resources: Dictionary
) -> list[ContentStreamInstruction]:
    """The overlay page's drawing, its resources merged into the page's under fresh names.

    Inlined rather than wrapped in a Form XObject: text extractors such as pdfminer do not
    lay out text inside forms, and the translation must read as well as the original.
    """
    overlay = source.pages[number]
    instructions = pikepdf.parse_content_stream(overlay)
    used = {str(v) for ins in instructions for v in ins.operands if isinstance(v, Name)}
    rename: dict[str, Name] = {}
    for category, entries in overlay.obj.Resources.items():
        if not isinstance(entries, Dictionary):
            continue
        target = resources.get(category)
        target = shallow_copy(target) if isinstance(target, Dictionary) else Dictionary()
        resources[category] = target
        for name, value in entries.items():
            if name in used:  # reportlab lists Helvetica on every page, used or not
                fresh = fresh_name(target, "PdR")
                target[fresh] = pdf.copy_foreign(value if value.is_indirect else source.make_indirect(value))
                rename[name] = fresh
    out = []
    for ins in instructions:
        operands = [rename.get(str(v), v) if isinstance(v, Name) else v for v in ins.operands]
        out.append(ContentStreamInstruction(operands, ins.operator))
    return out


def translated_copy(pdf: pikepdf.Pdf, page: pikepdf.Dictionary) -> pikepdf.Dictionary:
    """A new page like `page` for the bilingual output; form widgets stay on the original."""
    copy = Dictionary(Type=Name.Page)
    for key in page.keys():
        if key not in ("/Parent", "/Annots", "/StructParents", "/Thumb", "/B"):
            copy[key] = page[key]
    for key in (*_PAGE_BOXES, "/Resources", "/Rotate"):
        value = inherited(page, key)
        if value is not None and key not in copy:
            copy[key] = value
    copy = pdf.make_indirect(copy)
    annots = page.get("/Annots")
    if isinstance(annots, Array):
        kept = []
        for annot in annots:
            if isinstance(annot, Dictionary) and annot.get("/Subtype") not in (Name.Widget, Name.Popup):
                clone = shallow_copy(annot)
                for key in ("/Popup", "/Parent", "/StructParent"):
                    if key in clone:
                        del clone[key]
                clone.P = copy
                kept.append(pdf.make_indirect(clone))
        if kept:
            copy.Annots = Array(kept)
    return copy


def apply_plan(
    pdf: pikepdf.Pdf, page: pikepdf.Dictionary, plan: PagePlan, overlay: pikepdf.Pdf, number: int
) -> None:
    """Rewrite `page` in place; raises StreamMismatch and leaves it untouched on disagreement."""
    resources = inherited(page, "/Resources")
    resources = shallow_copy(resources) if isinstance(resources, Dictionary) else Dictionary()
    xobjects = resources.get("/XObject")
    resources.XObject = shallow_copy(xobjects) if isinstance(xobjects, Dictionary) else Dictionary()
    stripper = Stripper(pdf, plan.remove, plan.paths)
    body = stripper.rewrite(pikepdf.parse_content_stream(pikepdf.Page(page)), (), resources)
    if stripper.removed != len(plan.remove):
        raise StreamMismatch(f"{len(plan.remove) - stripper.removed} operators were not found")
    tail = _clone_instructions(plan, stripper.kept)
    tail += [_ins("q"), *_overlay_instructions(pdf, overlay, number, resources), _ins("Q")]
    data = b"q\n" + pikepdf.unparse_content_stream(body) + b"\nQ\n" + pikepdf.unparse_content_stream(tail)
    page.Contents = pdf.make_indirect(compressed_stream(pdf, data))
    page.Resources = resources
    if "/Thumb" in page:
        del page["/Thumb"]
    if plan.links:
        _move_links(page, plan)


def _move_links(page: pikepdf.Dictionary, plan: PagePlan) -> None:
    """Put each link annotation over its translated text: /Rect around all of it and one
    quadrilateral per line in /QuadPoints (viewers that read them highlight only the text)."""
    annots = page.get("/Annots")
    if not isinstance(annots, Array):
        return
    back = invert(plan.ctm)  # type: ignore[arg-type]
    ordinal = -1
    for annot in annots:
        if not isinstance(annot, Dictionary) or annot.get("/Subtype") != Name.Link:
            continue
        ordinal += 1
        boxes = plan.links.get(ordinal)
        if not boxes:
            continue
        quads, xs, ys = [], [], []
        for box in boxes:
            (ax, ay), (bx, by) = _user_pt(back, box[0], box[1]), _user_pt(back, box[2], box[3])
            x0, y0, x1, y1 = min(ax, bx), min(ay, by), max(ax, bx), max(ay, by)
            quads += [x0, y1, x1, y1, x0, y0, x1, y0]  # the order Acrobat writes
            xs += [x0, x1]
            ys += [y0, y1]
        annot.Rect = Array(_nums((min(xs), min(ys), max(xs), max(ys))))
        annot.QuadPoints = Array(_nums(tuple(quads)))
        if "/AP" in annot:  # a drawn appearance would stay at the old place
            del annot["/AP"]


def _user_pt(m: tuple[float, ...], x: float, y: float) -> tuple[float, float]:
    a, b, c, d, e, f = m
    return a * x + c * y + e, b * x + d * y + f
