"""How far a PDF stream inflates, measured through every filter layer without holding it.

A bomb hides behind a second layer (`[/FlateDecode /FlateDecode]`, `[/ASCIIHexDecode
/FlateDecode]`): the first layer is small and harmless. Each layer here is a generator of
chunks feeding the next, and every layer's output is counted against the limit, so measuring
a 5 GB stream costs a few MB. Filters pdfminer does not decode to text (images: DCT, JPX,
JBIG2, CCITT) end the measurement.
"""

from __future__ import annotations

import base64
import io
import re
import zlib
from collections.abc import Iterable, Iterator, Sequence

from polydoc.errors import HostileDocument

_CHUNK = 1 << 20
_WHITE = b" \t\r\n\f\x00"
_A85_GROUPS = re.compile(rb"(?:z|[!-u]{5})*")


class StreamTooLarge(HostileDocument):
    def __init__(self) -> None:
        super().__init__("The PDF contains a stream that inflates far beyond its size (a PDF bomb)")


def _flate(chunks: Iterable[bytes]) -> Iterator[bytes]:
    inflater = zlib.decompressobj()
    for chunk in chunks:
        data = chunk
        while data:
            out = inflater.decompress(data, _CHUNK)
            yield out
            data = inflater.unconsumed_tail
            if inflater.eof:
                return


def _hex(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        data = carry + chunk.translate(None, _WHITE)
        end = data.find(b">")
        if end >= 0:
            data = data[:end]
        cut = len(data) - len(data) % 2
        yield bytes.fromhex(data[:cut].decode("ascii", "replace"))
        carry = data[cut:]
        if end >= 0:
            break
    if carry:
        yield bytes.fromhex(carry.decode("ascii", "replace") + "0")


def _ascii85(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        data = carry + chunk.translate(None, _WHITE)
        data = data.removeprefix(b"<~")
        end = data.find(b"~>")
        if end >= 0:
            data = data[:end]
        whole = _A85_GROUPS.match(data).end()  # complete groups only: a group never splits
        yield base64.a85decode(data[:whole])
        carry = data[whole:]
        if end >= 0:
            break
    if carry:
        yield base64.a85decode(carry)


def _run_length(chunks: Iterable[bytes]) -> Iterator[bytes]:
    carry = b""
    for chunk in chunks:
        data, i = carry + chunk, 0
        out = bytearray()
        while i < len(data):
            n = data[i]
            if n == 128:
                yield bytes(out)
                return
            if n < 128:
                if i + n + 2 > len(data):
                    break
                out += data[i + 1 : i + n + 2]
                i += n + 2
            else:
                if i + 2 > len(data):
                    break
                out += data[i + 1 : i + 2] * (257 - n)
                i += 2
            if len(out) >= _CHUNK:
                yield bytes(out)
                out.clear()
        carry = data[i:]
        yield bytes(out)


def _lzw(chunks: Iterable[bytes]) -> Iterator[bytes]:
    from pdfminer.lzw import LZWDecoder

    # its input was counted by the layer before it; its output is counted as it comes
    yield from LZWDecoder(io.BytesIO(b"".join(chunks))).run()


_DECODERS = {
    "FlateDecode": _flate,
    "Fl": _flate,
    "ASCIIHexDecode": _hex,
    "AHx": _hex,
    "ASCII85Decode": _ascii85,
    "A85": _ascii85,
    "RunLengthDecode": _run_length,
    "RL": _run_length,
    "LZWDecode": _lzw,
    "LZW": _lzw,
}


def _capped(chunks: Iterable[bytes], limit: int) -> Iterator[bytes]:
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > limit:
            raise StreamTooLarge()
        yield chunk


def check_inflation(raw: bytes, filters: Sequence[str], limit: int) -> None:
    """Raise StreamTooLarge when any layer of `filters` (outermost first, names without the
    slash) decodes `raw` beyond `limit` bytes. Damaged data ends the measurement quietly: the
    parsers report damage themselves."""
    chunks: Iterable[bytes] = (raw[i : i + _CHUNK] for i in range(0, len(raw), _CHUNK))
    for name in filters:
        decoder = _DECODERS.get(name.lstrip("/"))
        if decoder is None:
            break
        chunks = _capped(decoder(chunks), limit)
    try:
        for _chunk in chunks:
            pass
    except (zlib.error, ValueError, TypeError, EOFError):
        return
