"""Scanned pages: a page that is only an image is read with Tesseract and translated over it.

A page is a scan when it has no visible text and images cover most of it (`SCAN_COVER`). It is
rendered by poppler's `pdftoppm` at up to `DPI` and read by the `tesseract` CLI (TSV output);
both are separate programs with their own timeout and CPU limit, and they inherit the cage's
memory ceiling. Tesseract's own block/paragraph/line numbers group the words, so one paragraph
is one segment `p<page>#b<n>`, as on a text page; its box, background and ink colour and weight
are taken from the page image then (`words`).

Language: the first scanned page is read as English, its text's language is detected, and when
that is another installed Tesseract language the page is read again in it; the later pages use
that language. Extraction and rebuild read the same pages in the same order, so they agree; a
parser process remembers its last pages' OCR by the file's digest, so a rebuild after an
extraction in the same process does not read them again (one page is about 2 s).

Rebuild paints each translated paragraph's box in its background colour and sets the translation
there with `_draw` in the sampled colour: the visible text is also what makes the page searchable.
"""

from __future__ import annotations

import hashlib
import resource
import shutil
import subprocess
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import langcodes
from PIL import Image
from reportlab.pdfgen.canvas import Canvas

from polydoc.errors import MalformedDocument
from polydoc.formats.pdf._chars import PageContent, invert
from polydoc.formats.pdf._draw import Box, draw, fit, room
from polydoc.formats.pdf._page import PagePlan, segment_id
from polydoc.formats.pdf._text import Run, Style
from polydoc.formats.pdf.glyphs.fonts import FontBook
from polydoc.formats.pdf.ocr.words import Paragraph, page_paragraphs, tsv_words
from polydoc.segments import strip_tags

SCAN_COVER = 0.5  # share of the page images must cover for an empty page to be read by OCR
DPI = 300
MAX_SIDE = 5000  # pixels: a poster-sized page is rendered below DPI
MIN_CONFIDENCE = 60.0  # mean word confidence (0-100) below which a page gets a warning
RENDER_SECONDS = 30
OCR_SECONDS = 90  # one page; a dense page at 300 dpi takes 1-4 s on one core
DEFAULT_LANGUAGE = "eng"
# Tesseract's names that are not ISO 639-2/T plus a script: ours -> what to try, in order
_SPECIAL = {
    "zh": ("chi_sim",),
    "zh-Hans": ("chi_sim",),
    "zh-Hant": ("chi_tra",),
    "hbs": ("hrv", "srp_latn", "bos"),
    "sh": ("hrv", "srp_latn", "bos"),
    "nb": ("nor",),
    "nn": ("nor",),
}
_KEEP_PAGES = 256  # pages' OCR kept per process: the rebuild (and a retry) need not read them again
# (digest, page index, language in use) -> (paragraphs, confidence, language); None: no text
_READ: OrderedDict[tuple[str, int, str | None], tuple[list[Paragraph], float, str] | None] = OrderedDict()
_READ_LOCK = threading.Lock()


@cache
def installed() -> frozenset[str]:
    """The Tesseract languages installed here (`tesseract-ocr-<lang>` packages); empty without it."""
    exe = shutil.which("tesseract")
    if exe is None:
        return frozenset()
    try:
        out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=20, env={})
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    names = (line.strip() for line in out.stdout.splitlines())
    return frozenset(n for n in names if n and " " not in n and n != "osd")


def tesseract_language(code: str | None, *, latin: bool = False) -> str | None:
    """Tesseract's name for one of our language codes when its data is installed:
    `es` -> `spa`, `sr-Latn` -> `srp_latn`, `hbs` -> `hrv+srp_latn+bos`; None otherwise."""
    if not code:
        return None
    have = installed()
    try:
        lang = langcodes.Language.get(code)
        alpha3 = lang.to_alpha3()
    except (ValueError, LookupError):
        return None
    script = (lang.script or ("Latn" if latin else "")).lower()
    tried = _SPECIAL.get(code) or _SPECIAL.get(lang.language or "") or ()
    found = [n for n in tried if n in have]
    if found:
        return "+".join(found)
    for name in (f"{alpha3}_{script}" if script else "", alpha3):
        if name in have:
            return name
    return None


@dataclass(slots=True)
class OcrPage:
    """A scanned page's paragraphs, read by Tesseract; drawn over the image on rebuild."""

    number: int  # 1-based
    content: PageContent
    paragraphs: list[Paragraph]
    confidence: float  # mean word confidence, 0-100
    language: str

    def segments(self) -> Iterator[tuple[str, str, str]]:
        for p in self.paragraphs:
            if p.translatable:
                context = "scanned page (OCR)" + (f", {p.block.context}" if p.block.context else "")
                yield segment_id(self.number, p.block), p.text, context

    def plan(
        self, translations: Mapping[str, str], canvas: Canvas, fonts_of: Callable[[], FontBook]
    ) -> PagePlan | None:
        """Paint and set the translated paragraphs on `canvas` (one overlay page); None if none."""
        changed = []
        for p in self.paragraphs:
            found = translations.get(segment_id(self.number, p.block)) if p.translatable else None
            if found is not None and found != p.text:
                changed.append((p, strip_tags(found)))
        if not changed:
            return None
        fonts = fonts_of()
        content = self.content
        # an invisible text layer (a scanner's own OCR) goes: the page's text is the translation's
        hidden = {c.op for c in content.chars if not c.visible}
        plan = PagePlan({k: op for k, op in content.ops.items() if k in hidden}, [], content.ctm)
        boxes: list[Box] = [(p.block.x0, p.block.y0, p.block.x1, p.block.y1) for p in self.paragraphs]
        text_box = (
            min(b[0] for b in boxes),
            min(b[1] for b in boxes),
            max(b[2] for b in boxes),
            max(b[3] for b in boxes),
        )
        settings = []
        for p, text in changed:
            b = p.block
            style = Style("sans", p.bold, False, p.color)
            area, grown = room(b, [o for o in boxes if o != (b.x0, b.y0, b.x1, b.y1)], text_box)
            settings.append((p, fit(fonts, b, style, [Run(text, style)], area, grown)))
        canvas.setPageSize((content.width, content.height))
        canvas.saveState()
        canvas.transform(*invert(content.ctm))  # display space, as the paragraphs' boxes
        for p, setting in settings:  # every patch first: a patch must not cover a neighbour's text
            b, pad = p.block, 0.15 * p.block.size
            used = setting.box(setting.scale) if setting.words else (b.x0, b.y0, b.x1, b.y1)
            x0, y0 = min(b.x0, used[0]) - pad, min(b.y0, used[1]) - pad
            x1, y1 = max(b.x1, used[2]) + pad, max(b.y1, used[3]) + pad
            canvas.setFillColorRGB(*p.background)
            canvas.rect(x0, y0, x1 - x0, y1 - y0, stroke=0, fill=1)
        for _p, setting in settings:
            draw(canvas, fonts, setting, setting.scale)
            plan.shrunk += setting.scale < 1.0
            plan.overflow += not setting.fits
        canvas.restoreState()
        return plan


@dataclass
class Scans:
    """OCR of one document's scanned pages, read in page order (the first decides the language)."""

    src: Path
    language: str | None = None
    digest: str | None = None  # of the file: what the OCR of its pages is remembered by
    pages: list[tuple[int, float, str]] = field(default_factory=list)  # (page, confidence, language)

    def read(self, index: int, content: PageContent) -> OcrPage | None:
        """The page's OCR text, or None when it is no scan, OCR is not installed or found nothing."""
        if content.has_text or _cover(content) < SCAN_COVER or not installed():
            return None
        if self.digest is None:
            self.digest = _digest(self.src)
        key = (self.digest, index, self.language)
        with _READ_LOCK:
            known = key in _READ
            found = _READ[key] if known else None
        if not known:
            found = self._scan(index, content)
            with _READ_LOCK:
                _READ[key] = found
                while len(_READ) > _KEEP_PAGES:
                    _READ.popitem(last=False)
        if found is None:
            return None
        paragraphs, confidence, self.language = found
        page = OcrPage(index + 1, content, paragraphs, confidence, self.language)
        self.pages.append((page.number, page.confidence, page.language))
        return page

    def _scan(self, index: int, content: PageContent) -> tuple[list[Paragraph], float, str] | None:
        with tempfile.TemporaryDirectory(prefix="polydoc-ocr-") as tmp:
            image, dpi = _render(self.src, index, content, Path(tmp))
            with Image.open(image) as img:
                rgb = img.convert("RGB")
            if self.language is None:
                page, self.language = self._first(index, content, image, dpi, rgb)
            else:
                page = _read(index, content, image, dpi, rgb, self.language)
        return None if page is None else (page.paragraphs, page.confidence, page.language)

    def _first(
        self, index: int, content: PageContent, image: Path, dpi: float, rgb: Image.Image
    ) -> tuple[OcrPage | None, str | None]:
        """Read as English, then again in the language the text turns out to be in."""
        from polydoc.languages import detect

        first = DEFAULT_LANGUAGE if DEFAULT_LANGUAGE in installed() else sorted(installed())[0]
        page = _read(index, content, image, dpi, rgb, first)
        if page is None:
            return None, None
        text = " ".join(p.text for p in page.paragraphs)
        latin = sum("a" <= ch.lower() <= "z" for ch in text) > 0.5 * sum(ch.isalpha() for ch in text)
        better = tesseract_language(detect(text), latin=latin)
        if better is None or better == first:
            return page, first
        again = _read(index, content, image, dpi, rgb, better)
        return (again, better) if again is not None else (page, first)

    def warnings(self) -> list[str]:
        if not self.pages:
            return []
        used = sorted({lang for _n, _c, lang in self.pages})
        numbers = [n for n, _c, _l in self.pages]
        which = (
            f"Pages {_list(numbers)} are scans: their"
            if len(numbers) > 1
            else f"Page {numbers[0]} is a scan: its"
        )
        out = [
            f"{which} text was read by OCR (Tesseract, {'+'.join(used)}) and the translation "
            "was painted over the image"
        ]
        low = [(n, c) for n, c, _l in self.pages if c < MIN_CONFIDENCE]
        if low:
            shown = ", ".join(f"{n} ({c:.0f} %)" for n, c in low[:10]) + (" …" if len(low) > 10 else "")
            out.append(
                f"OCR read {'pages' if len(low) > 1 else 'page'} {shown} with low confidence "
                f"(mean word confidence below {MIN_CONFIDENCE:.0f} %): the text and its translation "
                "may be wrong; a sharper scan at 300 dpi reads better"
            )
        return out


def _digest(src: Path) -> str:
    digest = hashlib.sha256()
    with src.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _list(numbers: list[int]) -> str:
    return ", ".join(str(n) for n in numbers[:10]) + (" …" if len(numbers) > 10 else "")


def _cover(content: PageContent) -> float:
    """Share of the page the images cover (overlaps counted twice: scans have one image)."""
    area = content.width * content.height
    if area <= 0:
        return 0.0
    total = 0.0
    for x0, y0, x1, y1 in content.images:
        w = min(x1, content.width) - max(x0, 0.0)
        h = min(y1, content.height) - max(y0, 0.0)
        total += max(w, 0.0) * max(h, 0.0)
    return min(total / area, 1.0)


def _run(args: list[str], seconds: float, what: str) -> bytes:
    """A helper program with a wall-clock timeout and a CPU limit of its own (the cage's deadline
    kills our process, not its children)."""
    proc = subprocess.Popen(
        args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={"OMP_THREAD_LIMIT": "1"},  # one core: the worker runs documents side by side
    )  # fmt: skip
    try:
        cpu = int(seconds) + 1
        resource.prlimit(proc.pid, resource.RLIMIT_CPU, (cpu, cpu))
    except (OSError, ValueError):
        pass  # it already ended
    try:
        out, err = proc.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        raise MalformedDocument(f"{what} took longer than {seconds:.0f} s", code="too_complex") from None
    if proc.returncode != 0:
        tail = err.decode(errors="replace").strip().splitlines()[-1:] or [f"exit status {proc.returncode}"]
        raise MalformedDocument(f"{what} failed ({tail[0][:200]})")
    return out


def _render(src: Path, index: int, content: PageContent, folder: Path) -> tuple[Path, float]:
    """The page as a colour image (PPM) at up to DPI, and the resolution used."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise MalformedDocument("Page rendering needs poppler-utils (pdftoppm), which is not installed")
    dpi = min(DPI, MAX_SIDE * 72 / max(content.width, content.height, 1.0))
    page = str(index + 1)
    _run(
        [exe, "-r", f"{dpi:.2f}", "-f", page, "-l", page, "-singlefile", str(src), str(folder / "page")],
        RENDER_SECONDS, f"Rendering page {page} for OCR",
    )  # fmt: skip
    return folder / "page.ppm", dpi


def _read(
    index: int, content: PageContent, image: Path, dpi: float, rgb: Image.Image, language: str
) -> OcrPage | None:
    exe = shutil.which("tesseract")
    assert exe is not None  # `installed()` said so
    tsv = _run(
        [exe, str(image), "stdout", "--dpi", str(round(dpi)), "-l", language, "--psm", "3", "tsv"],
        OCR_SECONDS, f"OCR of page {index + 1}",
    ).decode(errors="replace")  # fmt: skip
    words = tsv_words(tsv)
    if not words:
        return None
    paragraphs = page_paragraphs(words, rgb, content)
    confidence = sum(w.conf for w in words) / len(words)
    return OcrPage(index + 1, content, paragraphs, round(confidence, 1), language)
