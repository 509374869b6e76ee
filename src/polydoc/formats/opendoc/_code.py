"""Code in OpenDocument files: paragraphs and spans in a code style or a monospace font.

A paragraph is code when its style, or a style it inherits from, has a code name
(LibreOffice's `Preformatted Text`, Word's `Source Code` or `HTML Preformatted` after an
import…: `formats/_code_style.py`), or when all its text is in a monospace font other than
the body font. A span is code when its text style is (`Source Text`, `Teletype`). Styles are
looked up as LibreOffice does: the part's automatic styles, then the common styles of
styles.xml, following style:parent-style-name; a font is style:font-name (a font face
declaration) or fo:font-family, on the innermost span that sets one, else the paragraph style,
else the default paragraph style.
"""

from __future__ import annotations

from dataclasses import dataclass

from polydoc.formats._code_style import code_fonts, code_style
from polydoc.formats._xml_inline import Element

_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_STYLE = "urn:oasis:names:tc:opendocument:xmlns:style:1.0"
_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_FO = "urn:oasis:names:tc:opendocument:xmlns:xsl-fo-compatible:1.0"
_SVG = "urn:oasis:names:tc:opendocument:xmlns:svg-compatible:1.0"
_SPAN, _STYLE_NAME = f"{{{_TEXT}}}span", f"{{{_TEXT}}}style-name"
_INLINE = {_SPAN, f"{{{_TEXT}}}a", f"{{{_TEXT}}}meta"}  # wrappers whose text is the paragraph's


def _s(local: str) -> str:
    return f"{{{_STYLE}}}{local}"


@dataclass(frozen=True, slots=True)
class _Style:
    names: tuple[str, str]  # style:name, style:display-name
    parent: str | None
    font: str | None


class OdfCode:
    """The code test for the paragraphs of one part (content.xml or styles.xml)."""

    def __init__(self, styles_xml: Element | None, part: Element) -> None:
        faces: dict[str, str] = {}
        self._styles: dict[tuple[str, str], _Style] = {}
        self._default: str | None = None
        roots = [r for r in (styles_xml, part) if r is not None]
        for root in roots:
            for face in root.iter(_s("font-face")):
                family = face.get(f"{{{_SVG}}}font-family") or face.get(_s("name"), "")
                faces[face.get(_s("name"), "")] = family.strip("'\" ")
        # common styles first, then the part's automatic styles (which win on a clash of names)
        scopes = [(styles_xml, "styles")] if styles_xml is not None else []
        scopes.append((part, "automatic-styles"))
        for root, scope in scopes:
            container = root.find(f"{{{_OFFICE}}}{scope}")
            for style in container.iterchildren(_s("style")) if container is not None else ():
                key = (style.get(_s("family"), ""), style.get(_s("name"), ""))
                self._styles[key] = _Style(
                    (key[1], style.get(_s("display-name"), "")),
                    style.get(_s("parent-style-name")),
                    _font(style, faces),
                )
        if styles_xml is not None:
            for default in styles_xml.iter(_s("default-style")):
                if default.get(_s("family")) == "paragraph":
                    self._default = _font(default, faces)
        self._body = self._resolve("paragraph", "Standard") or self._default

    def _chain(self, family: str, name: str | None) -> list[_Style]:
        out: list[_Style] = []
        seen: set[str] = set()
        while name and (family, name) in self._styles and name not in seen:
            seen.add(name)
            out.append(self._styles[(family, name)])
            name = out[-1].parent
        return out

    def _resolve(self, family: str, name: str | None) -> str | None:
        return next((s.font for s in self._chain(family, name) if s.font), None)

    def code_span(self, el: Element) -> bool:
        """A span in a code text style (inline code): kept as it is."""
        return el.tag == _SPAN and any(code_style(*s.names) for s in self._chain("text", el.get(_STYLE_NAME)))

    def code_paragraph(self, p: Element) -> bool:
        """A paragraph in a code style, or all its text in a monospace font (not the body font)."""
        if any(code_style(*s.names) for s in self._chain("paragraph", p.get(_STYLE_NAME))):
            return True
        base = self._resolve("paragraph", p.get(_STYLE_NAME)) or self._default
        fonts: list[str | None] = []
        self._fonts(p, base, fonts)
        return code_fonts(fonts, self._body)

    def _fonts(self, el: Element, font: str | None, out: list[str | None]) -> None:
        """The font of every piece of the element's own text (a frame's paragraphs are not its)."""
        if (el.text or "").strip():
            out.append(font)
        for child in el:
            if child.tag in _INLINE:
                own = self._resolve("text", child.get(_STYLE_NAME)) if child.tag == _SPAN else None
                self._fonts(child, own or font, out)
            if (child.tail or "").strip():
                out.append(font)


def _font(style: Element, faces: dict[str, str]) -> str | None:
    props = style.find(_s("text-properties"))
    if props is None:
        return None
    name = props.get(_s("font-name"))
    if name:
        return faces.get(name, name)
    family = props.get(f"{{{_FO}}}font-family")
    return family.split(",")[0].strip("'\" ") if family else None
