"""`pseudo`: pseudo-localisation (Translate Toolkit's `podebug`), free, instant and deterministic.

`Save <g1>the file</g1>` becomes `[Šåvé <g1>ţĥé ƒîļé</g1> ~~~]`: every letter accented (so text that
was never sent for translation stands out), the text longer by `POLYDOC_PSEUDO_EXPANSION` (a
German or Finnish translation is often 30–40 % longer than English), and each segment bracketed
(so a clipped label shows a missing bracket). Tags stay where they are; URLs, ids and other tokens
reach the engine as `<xN/>` placeholders (`protect`), and printf/ICU placeholders, entities and
`{…}` are left as they are, so a team sees where its layout breaks before paying for a real
translation. Any language pair; runs with it cost nothing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import ClassVar

from polydoc.config import get_settings
from polydoc.engines.base import BatchContext, BatchResult, Engine, LangPair
from polydoc.segments import TAG, strip_tags

_PLAIN = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_ACCENTED = "åƀçðéƒĝĥîĵķļɱñöþǫŕšţûṽŵẋýžÅƁÇÐÉƑĜĤÎĴĶĻṀÑÖÞǪŔŠŢÛṼŴẊÝŽ"
_ACCENT = str.maketrans(_PLAIN, _ACCENTED)
# what an engine must leave alone besides tags: {name} {{count}} %s %(n)d %1$s &amp; &#160;
_KEEP = re.compile(r"\{\{?[^{}]*\}?\}|%(?:\d+\$|\([^)]*\))?[-+ 0#]*\d*(?:\.\d+)?[a-zA-Z%]|&#?\w+;")
_UNTOUCHED = re.compile(f"{TAG.pattern}|{_KEEP.pattern}")
_PAD = " ~~~~~"  # padding that wraps like words, not as one unbreakable line


class PseudoEngine(Engine):
    name: ClassVar[str] = "pseudo"
    batch_size: ClassVar[int] = 500
    any_pair: ClassVar[bool] = True
    free: ClassVar[bool] = True

    def __init__(self, expansion: float | None = None) -> None:
        self.expansion = get_settings().pseudo_expansion if expansion is None else expansion

    def supported_pairs(self) -> set[tuple[str, str]]:
        return set()  # any_pair: every pair is served

    def translate_batch(
        self, pair: LangPair, texts: Sequence[str], *, context: BatchContext | None = None
    ) -> BatchResult:
        out = [pseudo(t, self.expansion) for t in texts]
        return BatchResult(
            out, input_tokens=sum(_words(t) for t in texts), output_tokens=sum(_words(t) for t in out)
        )


def pseudo(text: str, expansion: float) -> str:
    """Accented, bracketed and padded so that its untagged text (ends trimmed) grows by `expansion`
    (at least by the two brackets); tags and placeholders kept as they are."""
    if not text.strip():
        return text
    parts: list[str] = []
    pos = 0
    for keep in (*_UNTOUCHED.finditer(text), None):
        stop = keep.start() if keep else len(text)
        piece = text[pos:stop]
        parts.append(piece.translate(_ACCENT))
        if keep:
            parts.append(keep.group(0))
            pos = keep.end()
    body = "".join(parts)
    lead = body[: len(body) - len(body.lstrip())]
    trail = body[len(body.rstrip()) :]
    extra = max(2, math.ceil(len(strip_tags(text).strip()) * expansion))
    pad = (_PAD * (extra // len(_PAD) + 1))[: extra - 2].rstrip() if extra > 2 else ""
    pad += "~" * (extra - 2 - len(pad))  # rstrip'd spaces come back as tildes: the length is exact
    return f"{lead}[{body.strip()}{pad}]{trail}"


def _words(text: str) -> int:
    return len(TAG.sub(" ", text).split())
