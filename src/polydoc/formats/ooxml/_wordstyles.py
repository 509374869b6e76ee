"""Word styles (styles.xml) read for one question: is this paragraph, or this run, code?

A paragraph is code when its style, or a style it is based on, has a code name (`SourceCode`,
`HTML Preformatted`, `Macro Text`…: `formats/_code_style.py`), or when all its text is in a
monospace font other than the body font. A run is code when its character style is
(`VerbatimChar`, `HTML Code`). Fonts are resolved as Word does: the run's own w:rFonts, then
its character style, then the paragraph style, then the document defaults; a theme font is
never monospace.
"""

from __future__ import annotations

from dataclasses import dataclass

from polydoc.formats._code_style import code_fonts, code_style
from polydoc.formats.ooxml._paragraphs import Element

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


W_P, W_R, W_T, W_RPR, W_PPR, W_VAL = _w("p"), _w("r"), _w("t"), _w("rPr"), _w("pPr"), _w("val")
_RFONTS = _w("rFonts")
_THEME = "theme"  # the font of a w:asciiTheme / w:hAnsiTheme: a theme's, never monospace


@dataclass(frozen=True, slots=True)
class _Style:
    name: str
    based_on: str | None
    font: str | None  # from its w:rPr/w:rFonts, None when it sets none


def _font(rpr: Element | None) -> str | None:
    fonts = rpr.find(_RFONTS) if rpr is not None else None
    if fonts is None:
        return None
    if fonts.get(_w("asciiTheme")) or fonts.get(_w("hAnsiTheme")):
        return _THEME
    return fonts.get(_w("ascii")) or fonts.get(_w("hAnsi"))


class WordStyles:
    def __init__(self, root: Element | None = None) -> None:
        self._styles: dict[str, _Style] = {}
        self._default_paragraph: str | None = None
        self._default_font: str | None = None
        self._body: str | None = None
        if root is None:
            return
        self._default_font = _font(root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{W_RPR}"))
        for style in root.iter(_w("style")):
            sid = style.get(_w("styleId"))
            if not sid:
                continue
            name, based = style.find(_w("name")), style.find(_w("basedOn"))
            self._styles[sid] = _Style(
                name.get(W_VAL, "") if name is not None else "",
                based.get(W_VAL) if based is not None else None,
                _font(style.find(W_RPR)),
            )
            if style.get(_w("type")) == "paragraph" and style.get(_w("default")) in ("1", "true", "on"):
                self._default_paragraph = sid
        self._body = self._resolve(None, None, self._default_paragraph)

    def _chain(self, sid: str | None) -> list[tuple[str, _Style]]:
        out: list[tuple[str, _Style]] = []
        while sid is not None and sid in self._styles and all(sid != s for s, _ in out):
            out.append((sid, self._styles[sid]))
            sid = self._styles[sid].based_on
        return out

    def _coded(self, sid: str | None) -> bool:
        return any(code_style(s, style.name) for s, style in self._chain(sid))

    def _resolve(self, rpr: Element | None, rstyle: str | None, pstyle: str | None) -> str | None:
        font = _font(rpr)
        for _, style in (*self._chain(rstyle), *self._chain(pstyle)):
            font = font or style.font
        return font or self._default_font

    def code_run(self, r: Element) -> bool:
        """A run in a code character style (inline code)."""
        return bool(self._styles) and self._coded(_val(r.find(f"{W_RPR}/{_w('rStyle')}")))

    def code_paragraph(self, p: Element) -> bool:
        """A paragraph in a code style, or all in a monospace font that is not the body font."""
        if not self._styles:
            return False
        pstyle = _val(p.find(f"{W_PPR}/{_w('pStyle')}"))
        if self._coded(pstyle):
            return True
        fonts = []
        for r in _text_runs(p):
            rpr = r.find(W_RPR)
            rstyle = _val(rpr.find(_w("rStyle")) if rpr is not None else None)
            fonts.append(self._resolve(rpr, rstyle, pstyle or self._default_paragraph))
        return code_fonts(fonts, self._body)


def _val(el: Element | None) -> str | None:
    return el.get(W_VAL) if el is not None else None


def _text_runs(p: Element) -> list[Element]:
    """The paragraph's own runs that show text (not those of a text box inside it)."""
    return [
        r
        for r in p.iter(W_R)
        if next(r.iterancestors(W_P)) is p and any((t.text or "").strip() for t in r.iterchildren(W_T))
    ]
