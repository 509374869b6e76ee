"""TrueType fonts for translated text, found at run time in the system font folders.

Debian's fonts-noto-core and fonts-dejavu-core (both under the SIL Open Font License /
Bitstream Vera licence, free to embed) give sans, serif and monospace faces for Latin, Greek
and Cyrillic, and Noto covers most other scripts. A character the chosen face lacks is set
in the first installed font that has it, trying first the faces made for its script
(`_SCRIPT_FACES`): Noto Arabic, Hebrew and Devanagari in the matching style, and for Chinese
and Japanese the TrueType Droid Sans Fallback of fonts-droid-fallback (Apache 2.0), which has
kana too; the CFF-outline Noto CJK faces cannot be embedded by reportlab.

Shaped text (`shaping`) draws glyphs that may have no character of their own (an Arabic
letter's joined forms, ligatures): `GlyphFont.code_for` gives such a glyph a code in plane 15
(private use) so that reportlab's subsetting embeds it, and the font's ToUnicode maps that code
to the characters it was shaped from.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import SUBSETN, TTFError, TTFont, TTFontFile

from polydoc.errors import PolydocError

FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_PACKAGES = "fonts-dejavu-core fonts-noto-core fonts-droid-fallback"

_PREFERRED: dict[tuple[str, bool, bool], tuple[str, ...]] = {
    ("sans", False, False): ("NotoSans-Regular", "DejaVuSans"),
    ("sans", True, False): ("NotoSans-Bold", "DejaVuSans-Bold"),
    ("sans", False, True): ("NotoSans-Italic", "DejaVuSans-Oblique"),
    ("sans", True, True): ("NotoSans-BoldItalic", "DejaVuSans-BoldOblique"),
    ("serif", False, False): ("NotoSerif-Regular", "DejaVuSerif"),
    ("serif", True, False): ("NotoSerif-Bold", "DejaVuSerif-Bold"),
    ("serif", False, True): ("NotoSerif-Italic", "DejaVuSerif-Italic"),
    ("serif", True, True): ("NotoSerif-BoldItalic", "DejaVuSerif-BoldItalic"),
    ("mono", False, False): ("NotoSansMono-Regular", "DejaVuSansMono"),
    ("mono", True, False): ("NotoSansMono-Bold", "DejaVuSansMono-Bold"),
    ("mono", False, True): ("DejaVuSansMono-Oblique", "NotoSansMono-Regular", "DejaVuSansMono"),
    ("mono", True, True): ("DejaVuSansMono-BoldOblique", "NotoSansMono-Bold", "DejaVuSansMono-Bold"),
}
# (first code point, last code point, script) for the scripts with faces of their own
_SCRIPTS: tuple[tuple[int, int, str], ...] = (
    (0x0590, 0x05FF, "hebrew"), (0xFB1D, 0xFB4F, "hebrew"),
    (0x0600, 0x06FF, "arabic"), (0x0750, 0x077F, "arabic"), (0x0870, 0x08FF, "arabic"),
    (0xFB50, 0xFDFF, "arabic"), (0xFE70, 0xFEFF, "arabic"),
    (0x0900, 0x097F, "devanagari"), (0xA8E0, 0xA8FF, "devanagari"),
    (0x1100, 0x11FF, "cjk"), (0x2E80, 0x2FDF, "cjk"), (0x3000, 0x31FF, "cjk"),
    (0x3400, 0x4DBF, "cjk"), (0x4E00, 0x9FFF, "cjk"), (0xAC00, 0xD7AF, "cjk"),
    (0xF900, 0xFAFF, "cjk"), (0xFE30, 0xFE4F, "cjk"), (0xFF00, 0xFFEF, "cjk"),
    (0x20000, 0x3134F, "cjk"),
)  # fmt: skip
_CJK_FACES = ("DroidSansFallbackFull", "DroidSansFallback", "wqy-microhei", "uming")
# (script, family) -> (regular stems, bold stems); the serif faces suit Naskh-style body text
_SCRIPT_FACES: dict[tuple[str, str], tuple[tuple[str, ...], tuple[str, ...]]] = {
    ("arabic", "sans"): (("NotoSansArabic-Regular", "NotoNaskhArabic-Regular"),
                         ("NotoSansArabic-Bold", "NotoNaskhArabic-Bold")),
    ("arabic", "serif"): (("NotoNaskhArabic-Regular", "NotoSansArabic-Regular"),
                          ("NotoNaskhArabic-Bold", "NotoSansArabic-Bold")),
    ("hebrew", "sans"): (("NotoSansHebrew-Regular",), ("NotoSansHebrew-Bold",)),
    ("hebrew", "serif"): (("NotoSerifHebrew-Regular", "NotoSansHebrew-Regular"),
                          ("NotoSerifHebrew-Bold", "NotoSansHebrew-Bold")),
    ("devanagari", "sans"): (("NotoSansDevanagari-Regular",), ("NotoSansDevanagari-Bold",)),
    ("devanagari", "serif"): (("NotoSerifDevanagari-Regular", "NotoSansDevanagari-Regular"),
                              ("NotoSerifDevanagari-Bold", "NotoSansDevanagari-Bold")),
    ("cjk", "sans"): (_CJK_FACES, _CJK_FACES),
}  # fmt: skip
_PRIVATE = 0xF0000  # plane 15: codes for glyphs without a character of their own
_LOCK = threading.Lock()
_LOADED: dict[Path, TTFont | None] = {}


def script_of(ch: str) -> str | None:
    code = ord(ch)
    return next((name for first, last, name in _SCRIPTS if first <= code <= last), None)


def _utf16(text: str) -> str:
    return text.encode("utf-16-be").hex().upper()


class GlyphFont(TTFont):
    """A reportlab TrueType font that can also draw glyphs chosen by a shaper, by id."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._private: dict[tuple[int, str], int] = {}
        self.glyph_text: dict[int, str] = {}  # private code -> the characters it stands for

    def code_for(self, gid: int, text: str, advance: float) -> int:
        """The code that draws glyph `gid` standing for `text`: the character itself when its
        cmap glyph is this one, else a private code whose ToUnicode is `text` (nothing when
        empty); `advance` is the width reportlab records, per 1000 units of size."""
        face = self.face
        if len(text) == 1 and face.charToGlyph.get(ord(text)) == gid:
            return ord(text)
        with _LOCK:
            code = self._private.get((gid, text))
            if code is None:
                code = self._private[(gid, text)] = _PRIVATE + len(self._private)
                self.glyph_text[code] = text
                face.charWidths[code] = advance
                face.charToGlyph[code] = gid
        return code

    def addObjects(self, doc) -> None:  # noqa: ANN001 - reportlab's PDFDocument
        """reportlab writes each subset's ToUnicode with 4 hex digits per code; for private
        codes (5 digits) it is written again here with the characters the glyph was shaped from."""
        subsets = [list(s) for s in self._assignState(doc).subsets]
        super().addObjects(doc)
        if not any(code >= _PRIVATE for subset in subsets for code in subset):
            return
        for n, subset in enumerate(subsets):
            base = b"".join((SUBSETN(n), b"+", self.face.name, self.face.subfontNameX)).decode("pdfdoc")
            stream = doc.idToObject.get("toUnicodeCMap:" + base)
            if stream is not None:
                stream.content = _to_unicode(base, [self.glyph_text.get(c, chr(c)) for c in subset])


def _to_unicode(name: str, texts: list[str]) -> str:
    entries = [f"<{i:02X}> <{_utf16(t)}>" for i, t in enumerate(texts) if t]
    return "\n".join(
        [
            "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap",
            f"/CIDSystemInfo << /Registry ({name}) /Ordering ({name}) /Supplement 0 >> def",
            f"/CMapName /{name} def", "/CMapType 2 def",
            "1 begincodespacerange", f"<00> <{len(texts) - 1:02X}>", "endcodespacerange",
            f"{len(entries)} beginbfchar", *entries, "endbfchar",
            "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
        ]
    )  # fmt: skip


@cache
def _font_files(dirs: tuple[Path, ...]) -> dict[str, Path]:
    files: dict[str, Path] = {}
    for folder in dirs:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.suffix.lower() in (".ttf", ".ttc"):
                    files.setdefault(path.stem, path)
    return files


def _load(path: Path) -> TTFont | None:
    """Register a font file with reportlab once per process; None when it cannot be embedded."""
    with _LOCK:
        if path not in _LOADED:
            name = f"PD-{path.stem}"
            try:
                font = GlyphFont(name, str(path))
                pdfmetrics.registerFont(font)
            except (TTFError, OSError, ValueError, KeyError):
                font = None  # e.g. CFF outlines, which reportlab cannot embed
            _LOADED[path] = font
        return _LOADED[path]


@cache
def _coverage(path: Path) -> array:
    """The code points a font file maps, kept compact: looking for a rare character must
    not keep every installed font in memory."""
    try:
        face = TTFontFile(str(path), subfontIndex=0)
    except (TTFError, OSError, ValueError, KeyError):
        return array("I")
    return array("I", sorted(face.charToGlyph))


def _covers(codes: array, code: int) -> bool:
    i = bisect_left(codes, code)
    return i < len(codes) and codes[i] == code


class FontBook:
    """Chooses a registered reportlab font name for a style and the characters to draw."""

    def __init__(self, dirs: tuple[Path, ...] | None = None) -> None:
        dirs = FONT_DIRS if dirs is None else dirs
        self.files = _font_files(dirs)
        self.missing: set[str] = set()
        self._primary: dict[tuple[str, bool, bool], TTFont] = {}
        self._fallback: dict[tuple[str, str, bool], TTFont | None] = {}
        if not any(self._get(stem) for stems in _PREFERRED.values() for stem in stems):
            raise PolydocError(
                "No usable TrueType font was found in "
                + ", ".join(str(d) for d in dirs)
                + f"; install the Debian packages {FONT_PACKAGES} to translate PDFs",
                code="fonts_missing",
            )

    def _get(self, stem: str) -> TTFont | None:
        path = self.files.get(stem)
        return _load(path) if path else None

    def primary(self, family: str, bold: bool, italic: bool) -> TTFont:
        key = (family, bold, italic)
        if key not in self._primary:
            # the closest face first, then plainer ones; at least one loads (checked at init)
            order = [key, (family, bold, False), (family, False, False), ("sans", bold, italic)]
            order += list(_PREFERRED)
            self._primary[key] = next(
                f for k in order for stem in _PREFERRED.get(k, ()) if (f := self._get(stem))
            )
        return self._primary[key]

    def _covering(self, ch: str, primary: TTFont, family: str, bold: bool) -> TTFont:
        key = (ch, family, bold)
        if key not in self._fallback:
            code = ord(ch)
            plain_first = sorted(
                self.files, key=lambda s: (("Bold" in s) + ("Italic" in s or "Oblique" in s), s)
            )
            script = script_of(ch)
            faces = _SCRIPT_FACES.get((script, family)) or _SCRIPT_FACES.get((script, "sans"))
            stems = list(faces[bold] + faces[False]) if faces else []
            stems += [s for names in _PREFERRED.values() for s in names] + plain_first
            self._fallback[key] = next(
                (
                    font
                    for stem in stems
                    if stem in self.files
                    and _covers(_coverage(self.files[stem]), code)
                    and (font := self._get(stem)) is not None
                ),
                None,
            )
        found = self._fallback[key]
        if found is None:
            self.missing.add(ch)
            return primary
        return found

    def split(self, text: str, family: str, bold: bool, italic: bool) -> list[tuple[str, str]]:
        """`text` cut into (text, font name) pieces so that every character has a glyph."""
        primary = self.primary(family, bold, italic)
        pieces: list[tuple[str, str]] = []
        for ch in text:
            font = primary
            code = ord(ch)  # plane 15 of a face may hold our codes for shaped glyphs
            covered = code in primary.face.charToGlyph and code < _PRIVATE
            if not ch.isspace() and (not covered or script_of(ch) is not None):
                font = self._covering(ch, primary, family, bold)
            if pieces and pieces[-1][1] == font.fontName:
                pieces[-1] = (pieces[-1][0] + ch, font.fontName)
            else:
                pieces.append((ch, font.fontName))
        return pieces
