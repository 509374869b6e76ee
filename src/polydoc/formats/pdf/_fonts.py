"""TrueType fonts for translated text, found at run time in the system font folders.

Debian's fonts-noto-core and fonts-dejavu-core (both under the SIL Open Font License /
Bitstream Vera licence, free to embed) give sans, serif and monospace faces for Latin, Greek
and Cyrillic, and Noto covers most other scripts. A character the chosen face lacks is set
in the first installed font that has it.
"""

from __future__ import annotations

import threading
from array import array
from bisect import bisect_left
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont, TTFontFile

from polydoc.errors import PolydocError

FONT_DIRS: tuple[Path, ...] = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"))
FONT_PACKAGES = "fonts-dejavu-core fonts-noto-core"

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
_LOCK = threading.Lock()
_LOADED: dict[Path, TTFont | None] = {}


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
                font = (
                    TTFont(name, str(path), subfontIndex=0)
                    if path.suffix.lower() == ".ttc"
                    else TTFont(name, str(path))
                )
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
        self._fallback: dict[str, TTFont | None] = {}
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

    def _covering(self, ch: str, primary: TTFont) -> TTFont:
        if ch not in self._fallback:
            code = ord(ch)
            plain_first = sorted(
                self.files, key=lambda s: (("Bold" in s) + ("Italic" in s or "Oblique" in s), s)
            )
            stems = [s for names in _PREFERRED.values() for s in names] + plain_first
            self._fallback[ch] = next(
                (
                    font
                    for stem in stems
                    if stem in self.files
                    and _covers(_coverage(self.files[stem]), code)
                    and (font := self._get(stem)) is not None
                ),
                None,
            )
        found = self._fallback[ch]
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
            if not ch.isspace() and ord(ch) not in primary.face.charToGlyph:
                font = self._covering(ch, primary)
            if pieces and pieces[-1][1] == font.fontName:
                pieces[-1] = (pieces[-1][0] + ch, font.fontName)
            else:
                pieces.append((ch, font.fontName))
        return pieces
