"""How alike two segments are, and the keys that find alike segments without comparing them all.

`score` is rapidfuzz's normalised Indel similarity of the tagged texts (0..1: inline tags and
numbers count, because a match is reused as a translation). `band_keys` is locality-sensitive
hashing over a MinHash signature of the character trigrams (one-permutation hashing: each trigram's
hash falls in one of 64 bins, the signature is each bin's minimum, and an empty bin borrows its
next neighbour's, so a text costs one pass over its trigrams, not 64). Two texts share a band key
with a probability that rises steeply with their trigram overlap J: with 16 bands of 4 values,
J=0.8 → 99.9 %, J=0.6 → 89 %, J=0.3 → 12 %, J=0.1 → 0.2 %. A lookup reads only the entries that
share a key with the text (an index seek each) and scores those.
"""

from __future__ import annotations

import hashlib
import re
import zlib
from functools import lru_cache

from rapidfuzz import fuzz

BANDS = 16
ROWS = 4  # signature values per band
_BINS = BANDS * ROWS
_MASK64 = (1 << 64) - 1
_MIX = 0x9E3779B97F4A7C15  # spreads a crc32 over 64 bits (fixed forever: stored keys depend on it)
_EMPTY = 1 << 64
_TAG = re.compile(r"</?g\d+>|<x\d+/>")
_SPACE = re.compile(r"\s+")


def score(a: str, b: str) -> float:
    """Similarity of two tagged texts, 0..1 (1: the same text)."""
    return fuzz.ratio(a, b) / 100.0


def _shingles(text: str) -> set[int]:
    """The character trigrams of the text without tags, case or runs of spaces, hashed to 64 bits."""
    plain = _SPACE.sub(" ", _TAG.sub(" ", text)).strip().casefold()
    data = plain.encode().ljust(3, b"\0")
    return {(zlib.crc32(data[i : i + 3]) * _MIX) & _MASK64 for i in range(len(data) - 2)}


def _signature(hashes: set[int]) -> list[int]:
    bins = [_EMPTY] * _BINS
    for h in hashes:
        b, v = h % _BINS, h // _BINS
        if v < bins[b]:
            bins[b] = v
    # densification: an empty bin takes the value of the next filled one (after the last, the
    # first), marked with the distance; one backward pass finds each bin's next filled one
    filled = [i for i, v in enumerate(bins) if v != _EMPTY]
    if not filled:
        return bins
    out = list(bins)
    nxt = filled[0]
    for i in range(_BINS - 1, -1, -1):
        if bins[i] != _EMPTY:
            nxt = i
        else:
            out[i] = bins[nxt] * 131 + (nxt - i) % _BINS
    return out


@lru_cache(maxsize=16_384)  # a run asks twice per text: the fuzzy lookup, then the index of its translation
def band_keys(scope: str, text: str) -> tuple[int, ...]:
    """The text's LSH keys (signed 63-bit), salted with `scope` (the memory's key: account, memory
    name, pair), so entries of another memory never share a key."""
    signature = _signature(_shingles(text))
    keys = []
    for band in range(BANDS):
        rows = signature[band * ROWS : (band + 1) * ROWS]
        data = f"{scope}|{band}|{rows}".encode()
        keys.append(int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big") >> 1)
    return tuple(keys)
