"""Language codes: accept BCP-47 in any case, ISO 639-3 and English names; detect offline."""

from __future__ import annotations

import logging
import math
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
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
    if sum(ch.isupper() for ch in sample) > sum(ch.islower() for ch in sample):
        # the model learned from running text: labels in capitals read as another language
        # ("Sheet MARRIED ONE INCOME 2 CHILDREN" was Luxembourgish)
        sample = sample.lower()
    code, _score = _classify(sample)
    return normalise(code)


_FIRST_USE = threading.Lock()
_model_loaded = False


def _classify(sample: str) -> tuple[str, float]:
    return _model("classify", sample)


def reading(text: str, candidates: tuple[str, ...]) -> tuple[str, float, dict[str, float]]:
    """The language `text` most likely reads as, how sure that is (0–1), and the probability of each
    of `candidates` (ISO 639-1 codes as py3langid names them). Short texts spread their probability
    over close languages; callers judge with a margin."""
    scores = _model("rank", " ".join(text.split())[:2000])  # best first
    best_code, best = scores[0]
    total = math.fsum(math.exp(score - best) for _code, score in scores)
    wanted = dict.fromkeys(candidates, 0.0)
    for code, score in scores:
        if code in wanted:
            wanted[code] = math.exp(score - best) / total
    return best_code, 1 / total, wanted


@contextmanager
def _unpacked_in_data_dir() -> Iterator[None]:
    """py3langid unpacks its model (tens of MB) into a temporary file: with TMPDIR on a small disk
    every first use failed. It is unpacked in the data folder instead, once per process."""
    from polydoc.config import get_settings

    folder = get_settings().data_dir
    if not folder.is_dir():  # the local CLI has no data folder: the system's temporary folder then
        yield
        return
    saved, tempfile.tempdir = tempfile.tempdir, str(folder)
    try:
        yield
    finally:
        tempfile.tempdir = saved


def load_model() -> None:
    """Load the model now (at API and worker start), not in the first upload or run that needs
    it: about a second each. A full data folder is logged; the first use then says why it fails."""
    try:
        detect("The language model is loaded once, when the process starts.")
    except OSError:
        logging.getLogger("polydoc").warning("the language model could not be loaded now", exc_info=True)


def _model(method: str, sample: str):  # noqa: ANN202 - py3langid's own return types
    """py3langid loads its model on first use without a lock: concurrent first uploads each
    decompressed a copy (measured: 40 threads at once stalled uploads for a minute). The first
    call loads it alone; later calls need no lock."""
    global _model_loaded
    import py3langid

    if not _model_loaded:
        with _FIRST_USE, _unpacked_in_data_dir():
            found = getattr(py3langid, method)(sample)
            _model_loaded = True
            return found
    return getattr(py3langid, method)(sample)
