"""Rich text of a workbook as tagged segment text, and back.

Two run models live in a workbook. SpreadsheetML (`si`, inline `is`, comment `text`)
holds `t` or `r` runs with an `rPr`; phonetic `rPh`/`phoneticPr` are left where they
are. DrawingML (`a:p` in chart titles and text boxes) holds `a:r` runs plus `a:br`
and `a:fld`, which become `<xN/>`. The run format that covers most characters is the
base and carries no tag; every other run format becomes a `<gN>` span.
"""

from __future__ import annotations

import copy
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from lxml import etree

from polydoc.segments import TagBuilder, parse_tagged, same_tags, strip_tags, well_formed

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
A_NS = "http://schemas.openxmlformats.org/drawingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

_S = {name: f"{{{MAIN_NS}}}{name}" for name in ("t", "r", "rPr")}
_A = {name: f"{{{A_NS}}}{name}" for name in ("t", "r", "rPr", "br", "fld", "pPr", "endParaRPr")}

# Excel's ST_Xstring escape: characters XML cannot carry are written as _xHHHH_.
_X_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_X_NEEDS = re.compile(r"_x[0-9A-Fa-f]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")
_XML_INVALID = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
# DrawingML run attributes that differ between runs without any visible difference.
_INVISIBLE_ATTRS = ("lang", "altLang", "dirty", "err", "noProof", "smtClean", "smtId", "bmk")


def xml_safe(text: str) -> str:
    """`text` without the characters XML 1.0 cannot carry (an engine may produce them)."""
    return _XML_INVALID.sub("", text)


def decode_xstring(text: str) -> str:
    return _X_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def encode_xstring(text: str) -> str:
    def esc(m: re.Match[str]) -> str:
        s = m.group(0)
        return "_x005F_" + s[1:] if len(s) > 1 else f"_x{ord(s):04X}_"  # _x005F_ is the "_" itself

    return _X_NEEDS.sub(esc, text)


@dataclass(slots=True)
class RichText:
    """A run container read as tagged text, with what each tag number stands for."""

    text: str
    base: etree._Element | None  # run properties of untagged text
    first: etree._Element | None  # run properties of the first run: the fallback format
    spans: dict[int, etree._Element | None] = field(default_factory=dict)
    standalones: dict[int, etree._Element] = field(default_factory=dict)


Item = tuple[etree._Element | None, str] | etree._Element  # (rPr, text) or a standalone element


def _sml_key(rpr: etree._Element | None) -> bytes:
    return b"" if rpr is None else etree.tostring(rpr, method="c14n")


def _dml_key(rpr: etree._Element | None) -> bytes:
    if rpr is None:
        return b""
    clean = copy.deepcopy(rpr)
    for attr in _INVISIBLE_ATTRS:
        clean.attrib.pop(attr, None)
    return etree.tostring(clean, method="c14n") if len(clean) or clean.attrib else b""


def _tagged(items: list[Item], key: Callable[[etree._Element | None], bytes]) -> RichText:
    weights: Counter[bytes] = Counter()
    first: etree._Element | None = None
    seen_text = False
    for item in items:
        if isinstance(item, tuple):
            weights[key(item[0])] += len(item[1].strip())
            if not seen_text:
                first, seen_text = item[0], True
    base_key = max(weights, key=weights.__getitem__) if weights else b""
    elements: dict[bytes, etree._Element | None] = {}
    builder = TagBuilder()
    for item in items:
        if not isinstance(item, tuple):
            builder.add_standalone(item)
            continue
        rpr, text = item
        k = key(rpr)
        elements.setdefault(k, rpr)
        # a whitespace-only run with its own format would only add noise tags
        builder.add(text, None if k == base_key or not text.strip() else k)
    return RichText(
        text=builder.text(),
        base=elements.get(base_key),
        first=first,
        spans={n: elements[k] for n, k in builder.spans.items()},  # type: ignore[index]
        standalones=dict(builder.standalones),  # type: ignore[arg-type]
    )


def _runs_for(rich: RichText, translated: str) -> tuple[list[Item], bool]:
    """The runs to write for `translated`; False when the tags could not be honoured."""
    if not (same_tags(rich.text, translated) and well_formed(translated)):
        return [(rich.first, strip_tags(translated))], False
    items: list[Item] = []
    for piece in parse_tagged(translated):
        if piece.standalone is not None:
            items.append(rich.standalones[piece.standalone])
            continue
        rpr = rich.spans[piece.open_ids[-1]] if piece.open_ids else rich.base
        last = items[-1] if items else None
        if isinstance(last, tuple) and last[0] is rpr:
            items[-1] = (rpr, last[1] + piece.text)
        else:
            items.append((rpr, piece.text))
    return items, True


def _set_t(t: etree._Element, text: str, *, sml: bool) -> None:
    if sml:
        t.text = encode_xstring(text)
        if text != text.strip() or "\n" in text or "  " in text:
            t.set(XML_SPACE, "preserve")
        else:
            t.attrib.pop(XML_SPACE, None)
    else:
        t.text = xml_safe(text)


# --- SpreadsheetML: si, is, comment text ---------------------------------------------


def read_sml(container: etree._Element) -> RichText:
    items: list[Item] = []
    for child in container:
        if child.tag == _S["t"]:
            items.append((None, decode_xstring(child.text or "")))
        elif child.tag == _S["r"]:
            t = child.find(_S["t"])
            text = decode_xstring(t.text or "") if t is not None else ""
            items.append((child.find(_S["rPr"]), text))
    return _tagged(items, _sml_key)


def write_sml(container: etree._Element, rich: RichText, translated: str) -> bool:
    items, ok = _runs_for(rich, translated)
    old = [c for c in container if c.tag in (_S["t"], _S["r"])]
    at = container.index(old[0]) if old else 0
    for child in old:
        container.remove(child)
    plain = len(items) == 1 and isinstance(items[0], tuple) and items[0][0] is None
    for offset, item in enumerate(items):
        rpr, text = item  # SpreadsheetML has no standalone tags
        if plain:
            node = etree.Element(_S["t"])
            _set_t(node, text, sml=True)
        else:
            node = etree.Element(_S["r"])
            if rpr is not None:
                node.append(copy.deepcopy(rpr))
            _set_t(etree.SubElement(node, _S["t"]), text, sml=True)
        container.insert(at + offset, node)
    return ok


# --- DrawingML: a:p in charts and drawings ---------------------------------------------


def read_dml(paragraph: etree._Element) -> RichText:
    items: list[Item] = []
    for child in paragraph:
        if child.tag == _A["r"]:
            t = child.find(_A["t"])
            items.append((child.find(_A["rPr"]), (t.text or "") if t is not None else ""))
        elif child.tag in (_A["br"], _A["fld"]):
            items.append(child)
    return _tagged(items, _dml_key)


def write_dml(paragraph: etree._Element, rich: RichText, translated: str) -> bool:
    items, ok = _runs_for(rich, translated)
    old = [c for c in paragraph if c.tag in (_A["r"], _A["br"], _A["fld"])]
    ppr = paragraph.find(_A["pPr"])
    at = paragraph.index(old[0]) if old else (1 if ppr is not None and paragraph.index(ppr) == 0 else 0)
    for child in old:
        paragraph.remove(child)
    for offset, item in enumerate(items):
        if isinstance(item, tuple):
            rpr, text = item
            node = etree.Element(_A["r"])
            if rpr is not None:
                node.append(copy.deepcopy(rpr))
            _set_t(etree.SubElement(node, _A["t"]), text, sml=False)
        else:
            node = item
        paragraph.insert(at + offset, node)
    return ok
