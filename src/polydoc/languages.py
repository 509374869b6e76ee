"""Language codes: accept BCP-47 in any case, ISO 639-3 and English names; detect offline."""

from __future__ import annotations

from functools import lru_cache

import langcodes

from polydoc.errors import UnsupportedLanguage


@lru_cache(maxsize=1024)
def normalise(value: str) -> str:
    """'ES' -> 'es', 'pt_br' -> 'pt-BR', 'spanish' -> 'es', 'spa' -> 'es'."""
    raw = (value or "").strip()
    if not raw or len(raw) > 64:
        raise UnsupportedLanguage(f"{value!r} is not a language code")
    try:
        tag = langcodes.standardize_tag(raw.replace("_", "-"))
        lang = langcodes.Language.get(tag)
    except (ValueError, LookupError):
        try:
            lang = langcodes.find(raw)
        except (ValueError, LookupError):
            raise UnsupportedLanguage(f"{value!r} is not a known language code or name") from None
    if not lang.is_valid() or lang.language in (None, "und"):
        raise UnsupportedLanguage(f"{value!r} is not a known language code or name")
    return str(lang)


def base(code: str) -> str:
    """'pt-BR' -> 'pt'."""
    return code.split("-", 1)[0]


def display_name(code: str) -> str:
    return langcodes.Language.get(code).display_name()


def detect(text: str) -> str | None:
    """The most likely language of `text`, or None when there is too little text to tell.

    py3langid ships its model inside the package, so this works offline.
    """
    sample = " ".join(text.split())[:20000]
    if sum(ch.isalpha() for ch in sample) < 3:
        return None
    import py3langid

    code, _score = py3langid.classify(sample)
    return normalise(code)
