"""Characters, rules and images of one PDF page, read with pdfminer.six (MIT).

Every character remembers the text-showing operator that drew it: its ordinal in the page's
content stream, or in a Form XObject reached through the n-th `Do` of that stream. A
rebuild removes exactly those operators, after checking that pikepdf sees the same bytes.
Coordinates are in pdfminer's display space (page rotation applied, origin at the media box
corner); `PageContent.ctm` maps default user space to it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdffont import PDFFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFGraphicState, PDFPageInterpreter, PDFResourceManager, PDFTextState
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import resolve1
from pdfminer.psparser import LIT, literal_name
from pdfminer.utils import Matrix, apply_matrix_pt, apply_matrix_rect, mult_matrix, translate_matrix

Rect = tuple[float, float, float, float]
OpKey = tuple[tuple[int, ...], int]  # (ordinals of the Do operators leading there, show ordinal)

LITERAL_LINK = LIT("Link")
_MAX_PATHS = 4000  # rules kept per page; vector-heavy pages only lose some obstacles
_MATH_FONT = re.compile(
    r"cmmi|cmsy|cmex|cmbsy|msam|msbm|eufm|eusm|rsfs|wasy|stmary|esint|symbol|math|stix|dingbat|wingding",
    re.I,
)
_MONO_FONT = re.compile(
    r"mono|monl\b|courier|cursor|consol|menlo|cmtt|typewriter|inconsolata|andale|lucidaconsole|code",
    re.I,
)
_SERIF_FONT = re.compile(
    r"times|serif|roman|rom(?:no|an)|georgia|garamond|cambria|minion|palatino|palladio|baskerville|bookman|"
    r"century|schlbk|charter|termes|pagella|bonum|schola|cmr|cmbx|cmti|cmsl|libertine|caslon|utopia|"
    r"didot|bodoni|antiqua|schoolbook",
    re.I,
)
_BOLD_FONT = re.compile(r"bold|black|heavy|semibold|demi|cmbx|cmb\d|medi(?:um)?\b", re.I)
_ITALIC_FONT = re.compile(r"italic|oblique|cmti|cmsl|cmmi|[-,]it\b|ital", re.I)


@dataclass(frozen=True, slots=True)
class Face:
    """What a font looks like, reduced to what we can reproduce."""

    family: str  # "sans" | "serif" | "mono"
    bold: bool
    italic: bool
    kind: str  # "text" | "math" (formula, symbol fonts) | "code" (monospace)


@dataclass(slots=True)
class ShowOp:
    """One text-showing operator as pdfminer executed it."""

    raw: bytes  # its string bytes, to check that pikepdf sees the same operator
    advance: float  # a `[n] TJ` with this n moves the pen as the operator did
    font_res: str  # font resource name, to draw the same glyphs again elsewhere
    fontsize: float
    charspace: float
    wordspace: float
    scaling: float
    rise: float
    render: int
    tm: Matrix  # text matrix where the operator starts
    ctm: Matrix  # CTM in display space
    fill: tuple[float, ...]


@dataclass(slots=True, eq=False)
class Char:
    text: str
    x0: float
    y0: float
    x1: float
    y1: float
    size: float
    baseline: float
    face: Face
    color: tuple[float, ...]  # 1 gray, 3 rgb or 4 cmyk components
    op: OpKey
    visible: bool  # not drawn in an invisible render mode (OCR layers)
    usable: bool  # horizontal, visible, known Unicode: can be laid out again


@dataclass(frozen=True, slots=True)
class Stroke:
    """A thin rule and the operator that painted it: an underline or strike-through when it
    runs along text, removed and redrawn with it."""

    box: Rect
    op: OpKey  # (form path, ordinal among the path-painting operators there)
    color: tuple[float, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A /Link annotation: `ordinal` among the page's link annotations, `rect` in display space."""

    ordinal: int
    rect: Rect


@dataclass(slots=True)
class PageContent:
    width: float
    height: float
    ctm: Matrix  # default user space -> display space
    chars: list[Char] = field(default_factory=list)
    ops: dict[OpKey, ShowOp] = field(default_factory=dict)
    rules: list[Rect] = field(default_factory=list)  # thin strokes: table grids, separators
    edges: list[Rect] = field(default_factory=list)  # bounding boxes of other paths and of images
    images: list[Rect] = field(default_factory=list)  # where images are drawn (scans: `ocr.scan`)
    strokes: list[Stroke] = field(default_factory=list)  # the rules again, as decoration candidates
    links: list[Link] = field(default_factory=list)  # /Link annotations with a rectangle

    @property
    def has_text(self) -> bool:
        return any(c.visible and c.text.strip() for c in self.chars)


def display_ctm(page: PDFPage) -> Matrix:
    """pdfminer's mapping from user space to display space (as in process_page)."""
    x0, y0, x1, y1 = page.mediabox
    if page.rotate == 90:
        return (0, -1, 1, 0, -y0, x1)
    if page.rotate == 180:
        return (-1, 0, 0, -1, x1, y1)
    if page.rotate == 270:
        return (0, 1, -1, 0, y1, -x0)
    return (1, 0, 0, 1, -x0, -y0)


def invert(m: Matrix) -> Matrix:
    a, b, c, d, e, f = m
    det = a * d - b * c
    if det == 0:
        return (1, 0, 0, 1, 0, 0)
    ia, ib, ic, id_ = d / det, -b / det, -c / det, a / det
    return (ia, ib, ic, id_, -(e * ia + f * ic), -(e * ib + f * id_))


@lru_cache(maxsize=512)
def _classify(name: str, flags: int, italic_angle: float) -> Face:
    base = name.split("+", 1)[-1]
    if _MATH_FONT.search(base):
        kind = "math"
    elif _MONO_FONT.search(base) or flags & 1:
        kind = "code"
    else:
        kind = "text"
    family = "mono" if kind == "code" else "serif" if _SERIF_FONT.search(base) or flags & 2 else "sans"
    if re.search(r"sans", base, re.I) and family == "serif":
        family = "sans"
    bold = bool(_BOLD_FONT.search(base)) or bool(flags & (1 << 18))
    italic = bool(_ITALIC_FONT.search(base)) or bool(flags & 64) or abs(italic_angle) > 1
    return Face(family, bold, italic, kind)


def _face(font: PDFFont) -> Face:
    name = font.fontname if isinstance(font.fontname, str) else str(font.fontname)
    try:
        angle = float(font.italic_angle or 0)
    except (TypeError, ValueError):
        angle = 0.0
    return _classify(name, int(font.flags or 0), angle)


def _color(value: object) -> tuple[float, ...]:
    try:
        return _hashable_color(value)
    except TypeError:  # an unhashable pattern colour
        return (0.0,)


@lru_cache(maxsize=256)
def _hashable_color(value: object) -> tuple[float, ...]:
    if isinstance(value, (int, float)):
        return (float(value),)
    if isinstance(value, tuple) and len(value) in (3, 4) and all(isinstance(v, (int, float)) for v in value):
        return tuple(float(v) for v in value)
    return (0.0,)


class _Collector(PDFTextDevice):
    """A pdfminer device that records characters, paths and images as flat lists."""

    def __init__(self, rsrcmgr: PDFResourceManager, content: PageContent, clip: Rect) -> None:
        super().__init__(rsrcmgr)
        self.content = content
        self.clip = clip
        self.op: OpKey = ((), -1)
        self.visible = True
        self.clipping = False
        self._faces: dict[int, Face] = {}
        self.form: tuple[int, ...] = ()  # the Form XObject being drawn (Do ordinals)
        self._paints: dict[tuple[int, ...], int] = {}

    def render_char(
        self,
        matrix: Matrix,
        font: PDFFont,
        fontsize: float,
        scaling: float,
        rise: float,
        cid: int,
        ncs: object,
        graphicstate: PDFGraphicState,
    ) -> float:
        try:
            text = font.to_unichr(cid)
        except PDFUnicodeNotDefined:
            text = ""
        adv = font.char_width(cid) * fontsize * scaling
        bottom = font.get_descent() * fontsize + rise
        x0, y0, x1, y1 = apply_matrix_rect(matrix, (0, bottom, adv, bottom + fontsize))
        a, b, c, d, _e, f = matrix
        horizontal = a > 0 and d > 0 and abs(b) <= 1e-3 * a and abs(c) <= 1e-3 * d and not font.is_vertical()
        cx0, cy0, cx1, cy1 = self.clip
        inside = x1 > cx0 and x0 < cx1 and y1 > cy0 and y0 < cy1
        size = y1 - y0
        usable = bool(text) and horizontal and self.visible and not self.clipping and inside and size >= 1.0
        face = self._faces.get(id(font))
        if face is None:
            face = self._faces[id(font)] = _face(font)
        self.content.chars.append(
            Char(
                text,
                x0,
                y0,
                x1,
                y1,
                size,
                f,
                face,
                _color(graphicstate.ncolor),
                self.op,
                self.visible,
                usable,
            )
        )
        return adv

    def paint_path(
        self, gstate: PDFGraphicState, stroke: bool, fill: bool, evenodd: bool, path: list[tuple]
    ) -> None:
        key: OpKey = (self.form, self._paints.get(self.form, 0))
        self._paints[self.form] = key[1] + 1  # every painting operator counts, kept or not
        if len(self.content.rules) + len(self.content.edges) >= _MAX_PATHS:
            return
        pts = [apply_matrix_pt(self.ctm, (seg[-2], seg[-1])) for seg in path if len(seg) >= 3]
        if not pts:
            return
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        box = (min(xs), min(ys), max(xs), max(ys))
        thin = box[2] - box[0] < 2.5 or box[3] - box[1] < 2.5
        (self.content.rules if thin and (stroke or fill) else self.content.edges).append(box)
        if thin and (stroke or fill) and box[2] - box[0] >= 2.5 and not (gstate.dash and gstate.dash[0]):
            color = _color(gstate.scolor if stroke else gstate.ncolor)
            self.content.strokes.append(Stroke(box, key, color))

    def render_image(self, name: str, stream: object) -> None:
        x0, y0 = apply_matrix_pt(self.ctm, (0, 0))
        x1, y1 = apply_matrix_pt(self.ctm, (1, 1))
        box = (min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1))
        if len(self.content.edges) < _MAX_PATHS:
            self.content.edges.append(box)
            self.content.images.append(box)


class _Interpreter(PDFPageInterpreter):
    """Counts text-showing and Do operators so each character knows its operator."""

    def __init__(self, rsrcmgr: PDFResourceManager, device: _Collector, path: tuple[int, ...] = ()) -> None:
        super().__init__(rsrcmgr, device)
        self.path = path
        self._shows = 0
        self._dos = 0
        self._child = path
        self._font_res = ""

    def dup(self) -> _Interpreter:
        return _Interpreter(self.rsrcmgr, self.device, self._child)  # type: ignore[arg-type]

    def do_Tf(self, fontid: object, fontsize: object) -> None:
        self._font_res = literal_name(fontid) if fontid is not None else ""
        super().do_Tf(fontid, fontsize)

    def render_contents(self, resources: object, streams: object, ctm: Matrix = (1, 0, 0, 1, 0, 0)) -> None:
        self.device.form = self.path  # type: ignore[attr-defined]
        super().render_contents(resources, streams, ctm)  # type: ignore[arg-type]

    def do_Do(self, xobjid_arg: object) -> None:
        self._child = (*self.path, self._dos)
        self._dos += 1
        super().do_Do(xobjid_arg)
        self.device.form = self.path  # type: ignore[attr-defined]
        # the Form's interpreter left its own CTM on the shared device
        self.device.set_ctm(self.ctm)

    def do_TJ(self, seq: object) -> None:
        key: OpKey = (self.path, self._shows)
        self._shows += 1
        ts: PDFTextState = self.textstate
        if ts.font is None or not isinstance(seq, list):
            return
        device: _Collector = self.device  # type: ignore[assignment]
        device.content.ops[key] = self._show_op(ts, seq)
        device.op = key
        device.visible = ts.render not in (3, 7)
        device.clipping = ts.render >= 4  # removing it would change the clip of what follows
        super().do_TJ(seq)

    def _show_op(self, ts: PDFTextState, seq: list) -> ShowOp:
        font = ts.font
        assert font is not None
        scaling = ts.scaling * 0.01
        dxscale = 0.001 * ts.fontsize * scaling
        single_byte = not font.is_multibyte()
        disp = 0.0
        raw = []
        for obj in seq:
            if isinstance(obj, (int, float)):
                disp -= obj * dxscale
            elif isinstance(obj, bytes):
                raw.append(obj)
                for cid in font.decode(obj):
                    disp += font.char_width(cid) * ts.fontsize * scaling + ts.charspace * scaling
                    if cid == 32 and single_byte:
                        disp += ts.wordspace * scaling
        gs = self.graphicstate
        return ShowOp(
            raw=b"".join(raw),
            advance=-disp / dxscale if dxscale else 0.0,
            font_res=self._font_res,
            fontsize=ts.fontsize,
            charspace=ts.charspace,
            wordspace=ts.wordspace,
            scaling=ts.scaling,
            rise=ts.rise,
            render=ts.render,
            tm=translate_matrix(ts.matrix, ts.linematrix),
            ctm=self.ctm,
            fill=_color(gs.ncolor),
        )


def read_page(rsrcmgr: PDFResourceManager, page: PDFPage) -> PageContent:
    """Run pdfminer over one page and collect what the layout needs."""
    ctm = display_ctm(page)
    x0, y0, x1, y1 = page.mediabox
    corners = [apply_matrix_pt(ctm, p) for p in ((x0, y0), (x1, y1))]
    width, height = abs(corners[1][0] - corners[0][0]), abs(corners[1][1] - corners[0][1])
    content = PageContent(width=width, height=height, ctm=ctm)
    cx0, cy0, cx1, cy1 = page.cropbox
    crop = [apply_matrix_pt(ctm, p) for p in ((cx0, cy0), (cx1, cy1))]
    clip = (
        min(crop[0][0], crop[1][0]), min(crop[0][1], crop[1][1]),
        max(crop[0][0], crop[1][0]), max(crop[0][1], crop[1][1]),
    )  # fmt: skip
    device = _Collector(rsrcmgr, content, clip)
    interpreter = _Interpreter(rsrcmgr, device)
    device.set_ctm(ctm)
    interpreter.render_contents(page.resources, page.contents, ctm=ctm)
    content.links = _links(page, ctm)
    return content


def _links(page: PDFPage, ctm: Matrix) -> list[Link]:
    """The page's link annotations with their rectangles in display space."""
    out: list[Link] = []
    try:
        annots = resolve1(page.annots) or []
        for annot in annots if isinstance(annots, list) else []:
            annot = resolve1(annot)
            if not isinstance(annot, dict) or resolve1(annot.get("Subtype")) is not LITERAL_LINK:
                continue
            ordinal = len(out)
            rect = [float(resolve1(v)) for v in resolve1(annot.get("Rect")) or []]
            if len(rect) == 4:
                x0, y0, x1, y1 = apply_matrix_rect(
                    ctm,
                    (
                        min(rect[0], rect[2]),
                        min(rect[1], rect[3]),
                        max(rect[0], rect[2]),
                        max(rect[1], rect[3]),
                    ),
                )
                out.append(Link(ordinal, (x0, y0, x1, y1)))
            else:
                out.append(Link(ordinal, (0.0, 0.0, 0.0, 0.0)))
    except (TypeError, ValueError, AttributeError):
        return out  # a damaged annotation list: links stay where they are
    return out


def op_user_ctm(op: ShowOp, page_ctm: Matrix) -> Matrix:
    """The operator's CTM in default user space (without the display mapping)."""
    return mult_matrix(op.ctm, invert(page_ctm))
