"""What Office and OpenDocument files mark as code: the style names and the fonts.

One rule for DOCX, PPTX, ODT, ODS and ODP: a paragraph or a run in a code style (Word's
`Source Code`, `HTML Preformatted`, `Macro Text`, pandoc's `Verbatim Char`, LibreOffice's
`Preformatted Text` and `Source Text`…), or a paragraph whose text is all in a monospace font
(Courier, Consolas, Menlo, "… Mono"…) that is not the document's body font, is code: it is
kept exactly as it is, like a code block or inline code in Markdown. Each format resolves the
style names and fonts its own way and asks these two questions.

A monospace body font (a screenplay in Courier) does not make a document code. Word's `Plain
Text` style is not a code name (e-mails are written in it); its paragraphs are code only
through its font, like any other paragraph all in a monospace font.
"""

from __future__ import annotations

import re

# style names and ids, lower-cased with everything but letters and digits left out
_CODE_STYLE = re.compile(
    r"(?:(?:source|program|computer|inline)?code(?:block|text|listing|snippet)?"
    r"|inlinecode|programlisting|html(?:preformatted|code|keyboard|sample|typewriter)"
    r"|macrotext|verbatim\w*|preformatted(?:text)?|sourcetext|teletype)(?:char)?\d*"
)
_ODF_ESCAPE = re.compile(r"_([0-9a-fA-F]{2})_")  # "Preformatted_20_Text"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_MONOSPACE = re.compile(
    r"\bmono(?:space[d]?)?\b|courier|consolas|\bconsole\b|menlo|monaco|source code|inconsolata"
    r"|fira code|cascadia|andale|lucida (?:console|sans typewriter)|\bcousine\b|letter gothic"
    r"|\bocr[- ]?[ab]\b|fixedsys|\bcmtt|\bhack\b|iosevka|anonymous pro"
)


def style_key(name: str) -> str:
    """The comparable form of a style name or id: "HTML Preformatted" -> "htmlpreformatted"."""
    name = _ODF_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)
    return _NOT_ALNUM.sub("", name.lower())


def code_style(*names: str | None) -> bool:
    """True when any of the names (a style's id, its display name) is a code style."""
    return any(name and _CODE_STYLE.fullmatch(style_key(name)) for name in names)


def monospace(font: str | None) -> bool:
    """True for a monospace font family name ("Courier New", "DejaVu Sans Mono", "Consolas")."""
    return font is not None and bool(_MONOSPACE.search(font.strip("'\" ").lower()))


def code_fonts(fonts: list[str | None], body: str | None) -> bool:
    """True when the text of a paragraph, in these fonts (one per piece of text), is all
    monospace and not in the document's body font."""
    return bool(fonts) and all(monospace(f) and f != body for f in fonts)


__all__ = ["code_fonts", "code_style", "monospace", "style_key"]
