"""Removing text-showing operators from a page's content streams with pikepdf.

A removed operator is replaced by `[n] TJ` that moves the pen exactly as the glyphs did, so
text drawn later in the same text object stays where it was. Operators inside Form XObjects
are removed from a private copy of the form, never from the shared original. Each operator is
checked against the bytes pdfminer saw; any disagreement aborts the page untouched. A removed
underline or strike-through keeps its path but paints it with `n`, so a clip still applies.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import pikepdf
from pikepdf import Array, ContentStreamInstruction, Dictionary, Name, Operator, Stream

from polydoc.formats.pdf._chars import OpKey, ShowOp

_SHOW = {"Tj", "TJ", "'", '"'}
_PAINT = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*"}  # counted as pdfminer's paint_path calls


class StreamMismatch(Exception):
    """pikepdf and pdfminer disagree about the page's operators."""


def shallow_copy(obj: Dictionary) -> Dictionary:
    return Dictionary({key: obj[key] for key in obj.keys()})


def fresh_name(entries: Dictionary, prefix: str) -> Name:
    """A resource name not used in `entries`, chosen deterministically."""
    n = 1
    while f"/{prefix}{n}" in entries:
        n += 1
    return Name(f"/{prefix}{n}")


def compressed_stream(pdf: pikepdf.Pdf, data: bytes, **entries: object) -> Stream:
    stream = Stream(pdf, b"")
    stream.write(zlib.compress(data, 6), filter=Name.FlateDecode)
    for key, value in entries.items():
        stream[f"/{key}"] = value
    return stream


def _string_bytes(ins: ContentStreamInstruction) -> bytes:
    operands = ins.operands
    if str(ins.operator) == "TJ":
        arr = operands[0] if operands else Array()
        return b"".join(bytes(x) for x in arr if isinstance(x, pikepdf.String))
    return bytes(operands[-1]) if operands and isinstance(operands[-1], pikepdf.String) else b""


def _replacement(ins: ContentStreamInstruction, op: ShowOp) -> list[ContentStreamInstruction]:
    name = str(ins.operator)
    out: list[ContentStreamInstruction] = []
    if name == '"':
        out.append(ContentStreamInstruction([ins.operands[0]], Operator("Tw")))
        out.append(ContentStreamInstruction([ins.operands[1]], Operator("Tc")))
    if name in ("'", '"'):
        out.append(ContentStreamInstruction([], Operator("T*")))
    if abs(op.advance) > 1e-6:
        out.append(ContentStreamInstruction([Array([round(op.advance, 3)])], Operator("TJ")))
    return out


class Stripper:
    """Rewrites one page; `removed` counts the operators actually taken out."""

    def __init__(
        self, pdf: pikepdf.Pdf, remove: dict[OpKey, ShowOp], paths: set[OpKey] | None = None
    ) -> None:
        self.pdf = pdf
        self.remove = remove
        self.paths = paths or set()
        keys = [*remove, *self.paths]
        self.prefixes = {key[0][:n] for key in keys for n in range(1, len(key[0]) + 1)}
        self.removed = 0
        self.kept: dict[OpKey, ContentStreamInstruction] = {}

    def rewrite(
        self, instructions: Sequence[object], path: tuple[int, ...], resources: Dictionary | None
    ) -> list[object]:
        """The instructions without the removed operators; Form XObjects copied where needed."""
        shows = dos = paints = 0
        out: list[object] = []
        for ins in instructions:
            name = str(ins.operator) if isinstance(ins, ContentStreamInstruction) else ""
            if name in _SHOW:
                key = (path, shows)
                shows += 1
                op = self.remove.get(key)
                if op is not None:
                    if _string_bytes(ins) != op.raw:
                        raise StreamMismatch(f"operator {key} differs")
                    self.kept[key] = ins
                    out.extend(_replacement(ins, op))
                    self.removed += 1
                    continue
            elif name in _PAINT:
                paints += 1
                if (path, paints - 1) in self.paths:
                    out.append(ContentStreamInstruction([], Operator("n")))  # the path, unpainted
                    continue
            elif name == "Do":
                child = (*path, dos)
                dos += 1
                if child in self.prefixes and resources is not None:
                    out.append(self._form_copy(ins, child, resources))
                    continue
            out.append(ins)
        return out

    def _form_copy(
        self, ins: ContentStreamInstruction, path: tuple[int, ...], resources: Dictionary
    ) -> ContentStreamInstruction:
        xobjects = resources.get("/XObject")
        form = xobjects.get(ins.operands[0]) if isinstance(xobjects, Dictionary) else None
        if not isinstance(form, Stream) or form.get("/Subtype") != Name.Form:
            raise StreamMismatch(f"form {path} not found")
        inner = form.get("/Resources")
        # a form without resources uses its parent's, which we are already editing
        own = shallow_copy(inner) if isinstance(inner, Dictionary) else resources
        if isinstance(own.get("/XObject"), Dictionary) and own is not resources:
            own["/XObject"] = shallow_copy(own["/XObject"])
        body = pikepdf.unparse_content_stream(self.rewrite(pikepdf.parse_content_stream(form), path, own))
        entries = {
            k[1:]: form[k]
            for k in form.keys()
            if k not in ("/Length", "/Filter", "/DecodeParms", "/Resources")
        }
        if own is not resources:
            entries["Resources"] = own
        copy = self.pdf.make_indirect(compressed_stream(self.pdf, body, **entries))
        new_name = fresh_name(xobjects, "PdX")
        xobjects[new_name] = copy
        return ContentStreamInstruction([new_name], Operator("Do"))
