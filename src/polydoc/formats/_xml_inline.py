"""Mixed-content XML paragraphs <-> tagged segment text (ODF paragraphs, and XHTML blocks for EPUB).

A paragraph's content is flattened into tokens: text, the start and end of an inline
wrapper (a span, a link: `<gN>`), or a child kept exactly as it is (a tab, a field, a
footnote, a frame, an image: `<xN/>`). Kept children are re-inserted as the same objects on
rebuild, so paragraphs nested inside them (a footnote body, a text box) stay in the tree and
are translated as segments of their own. Whitespace, kept children and wrappers around the
whole paragraph stay outside the segment: the engine sees "Hello <g1>world</g1>", not
"<x1/><g2> Hello…</g2>".

Paired tags nest (`<g1>a <g2>b</g2></g1>`), which `TagBuilder` cannot express, so numbering
is done here; reading back uses `parse_tagged`, `same_tags` and `well_formed`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from lxml import etree

from polydoc.segments import parse_tagged, same_tags, strip_tags, well_formed

Element = etree._Element
Token = tuple[Literal["text", "open", "close", "x"], "str | Element"]

_XML_WS = " \t\r\n"
_WS_RUN = re.compile(r"[ \t\r\n]+")


def _never(_: Element) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class InlineRules:
    is_wrapper: Callable[[Element], bool]  # its content is text of the paragraph: <gN>…</gN>
    is_link: Callable[[Element], bool] = _never  # a wrapper not spread over fallback text


@dataclass(slots=True)
class Flow:
    """One paragraph read as a segment; `spans`/`standalones` say what each N stands for."""

    text: str
    prefix: list[Token]
    suffix: list[Token]
    spans: dict[int, Element]
    standalones: dict[int, Element]
    base: list[Element]  # wrappers around the first words: the formatting of fallback text


def _is_wrapper(el: Element, rules: InlineRules) -> bool:
    return isinstance(el.tag, str) and rules.is_wrapper(el) and _has_text(el, rules)


def _has_text(el: Element, rules: InlineRules) -> bool:
    if el.text and el.text.strip(_XML_WS):
        return True
    for child in el:
        if child.tail and child.tail.strip(_XML_WS):
            return True
        if isinstance(child.tag, str) and rules.is_wrapper(child) and _has_text(child, rules):
            return True
    return False


def _tokens(el: Element, rules: InlineRules, out: list[Token]) -> list[Token]:
    if el.text:
        out.append(("text", el.text))
    for child in el:
        if _is_wrapper(child, rules):
            out.append(("open", child))
            _tokens(child, rules, out)
            out.append(("close", child))
        else:  # an empty wrapper is kept whole too: a tag around nothing only confuses engines
            out.append(("x", child))
        if child.tail:
            out.append(("text", child.tail))
    return out


def _peel(tokens: list[Token]) -> tuple[list[Token], list[Token], list[Token]]:
    """Split off leading/trailing whitespace, kept children and wrappers around everything."""
    prefix: list[Token] = []
    suffix: list[Token] = []
    lo, hi = 0, len(tokens)
    while lo < hi:
        kind, val = tokens[lo]
        if kind == "x" or (kind == "text" and not val.strip(_XML_WS)):
            prefix.append(tokens[lo])
            lo += 1
            continue
        kind, val = tokens[hi - 1]
        if kind == "x" or (kind == "text" and not val.strip(_XML_WS)):
            suffix.append(tokens[hi - 1])
            hi -= 1
            continue
        if tokens[lo][0] == "open" and tokens[hi - 1][0] == "close" and tokens[lo][1] is tokens[hi - 1][1]:
            prefix.append(tokens[lo])
            suffix.append(tokens[hi - 1])
            lo, hi = lo + 1, hi - 1
            continue
        break
    middle = tokens[lo:hi]
    if middle and middle[0][0] == "text":
        text = middle[0][1]
        body = text.lstrip(_XML_WS)
        if len(body) < len(text):
            prefix.append(("text", text[: len(text) - len(body)]))
            middle[0] = ("text", body)
    if middle and middle[-1][0] == "text":
        text = middle[-1][1]
        body = text.rstrip(_XML_WS)
        if len(body) < len(text):
            suffix.append(("text", text[len(body) :]))
            middle[-1] = ("text", body)
    suffix.reverse()
    return prefix, middle, suffix


def read_flow(root: Element, rules: InlineRules) -> Flow:
    """Read the inline content of `root` (not its tail) as tagged segment text."""
    prefix, middle, suffix = _peel(_tokens(root, rules, []))
    parts: list[str] = []
    spans: dict[int, Element] = {}
    standalones: dict[int, Element] = {}
    stack: list[tuple[int, Element]] = []
    base: list[Element] | None = None
    n = 0
    for kind, val in middle:
        if kind == "text":
            parts.append(_WS_RUN.sub(" ", val))
            if base is None and val.strip(_XML_WS):
                base = [el for _, el in stack if not rules.is_link(el)]
        elif kind == "open":
            n += 1
            spans[n] = val
            stack.append((n, val))
            parts.append(f"<g{n}>")
        elif kind == "close":
            parts.append(f"</g{stack.pop()[0]}>")
        else:
            n += 1
            standalones[n] = val
            parts.append(f"<x{n}/>")
    return Flow("".join(parts), prefix, suffix, spans, standalones, base or [])


def write_flow(root: Element, flow: Flow, translated: str) -> bool:
    """Replace the content of `root` with `translated`; False when its tags could not be used.

    Then the text goes in without the engine's paired tags (under the formatting of the
    first words) and every kept child is still put back, so no text is ever lost.
    """
    translated = translated.strip(_XML_WS)
    ok = same_tags(flow.text, translated) and well_formed(translated)
    middle = _tagged_tokens(flow, translated) if ok else _fallback_tokens(flow, translated)
    root.text = None
    for child in list(root):
        root.remove(child)
    _write(root, flow.prefix + middle + flow.suffix)
    return ok


def _tagged_tokens(flow: Flow, translated: str) -> list[Token]:
    out: list[Token] = []
    chain: tuple[int, ...] = ()
    for piece in parse_tagged(translated):
        want = piece.open_ids
        keep = 0
        while keep < min(len(chain), len(want)) and chain[keep] == want[keep]:
            keep += 1
        out.extend(("close", flow.spans[n]) for n in reversed(chain[keep:]))
        out.extend(("open", flow.spans[n]) for n in want[keep:])
        chain = want
        if piece.standalone is not None:
            out.append(("x", flow.standalones[piece.standalone]))
        else:
            out.append(("text", piece.text))
    out.extend(("close", flow.spans[n]) for n in reversed(chain))
    return out


def _fallback_tokens(flow: Flow, translated: str) -> list[Token]:
    out: list[Token] = [("open", el) for el in flow.base]
    used: set[int] = set()
    for piece in parse_tagged(translated):
        n = piece.standalone
        if n is None:
            out.append(("text", piece.text))
        elif n in flow.standalones and n not in used:
            used.add(n)
            out.append(("x", flow.standalones[n]))
    out.extend(("x", el) for n, el in flow.standalones.items() if n not in used)
    out.extend(("close", el) for el in reversed(flow.base))
    return out


def _write(root: Element, tokens: list[Token]) -> None:
    stack = [root]
    for kind, val in tokens:
        if kind == "text":
            _append_text(stack[-1], val)
        elif kind == "open":
            stack.append(_copy_wrapper(stack[-1], val))
        elif kind == "close":
            stack.pop()
        else:
            val.tail = None
            stack[-1].append(val)


def _append_text(parent: Element, text: str) -> None:
    if len(parent):
        last = parent[-1]
        last.tail = (last.tail or "") + text
    else:
        parent.text = (parent.text or "") + text


def _copy_wrapper(parent: Element, template: Element) -> Element:
    """A new empty element like `template`; lxml declares any namespace the parent lacks."""
    return etree.SubElement(parent, template.tag, attrib=dict(template.attrib))


def read_plain(el: Element) -> str:
    """Text of an element that holds only text (a title, alt text), whitespace collapsed."""
    return _WS_RUN.sub(" ", (el.text or "").strip(_XML_WS))


def write_plain(el: Element, translated: str) -> None:
    """Replace the text of a text-only element, keeping the whitespace around it."""
    text = el.text or ""
    body = text.strip(_XML_WS)
    start = text.find(body) if body else len(text)
    el.text = text[:start] + strip_tags(translated).strip(_XML_WS) + text[start + len(body) :]
