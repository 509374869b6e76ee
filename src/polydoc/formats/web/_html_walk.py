"""HTML source → segments, and segments → HTML source, by splicing into exact token spans.

Block elements (p, h1–h6, li, td, div…) bound the flows of text; inline elements (b, a, span…)
inside a flow become `<gN>` tags and void or opaque things (br, img, inline code, a comment, a
URL) become `<xN/>`, so a sentence with a bold word is one segment. `code`, `kbd`, `samp` and
`var` are kept opaque (`<xN/>`, never translated): they hold identifiers and commands far more
often than prose. `pre`, `script`, `style`, `template`, `textarea`, inline `svg`/`math` and
elements marked `translate="no"` or `class="notranslate"` keep their content exactly as it is
(the first group still gets its own title/placeholder attributes translated, the last does not);
`noscript` content is translated (users without scripts read it). Some attributes (alt, title,
placeholder, aria-label, meta description, submit button labels…) are segments of their own.
"""

from __future__ import annotations

import html
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

from polydoc.formats.web._html_bilingual import Blocks, bilingual_edits
from polydoc.formats.web._html_flow import Flow, Part, entity_keeper, make_flow, render, split_urls
from polydoc.formats.web._html_tokens import Attr, Token, tokenize
from polydoc.segments import translatable

BLOCK = frozenset(
    """address article aside blockquote body caption center colgroup datalist dd details dialog dir div
    dl dt fieldset figcaption figure footer form frameset h1 h2 h3 h4 h5 h6 head header hgroup hr html
    legend li main menu nav ol optgroup option p search section select summary table tbody td tfoot
    th thead title tr ul pre template""".split()
)
VOID = frozenset("area base br col embed hr img input keygen link meta param source track wbr".split())
_OPAQUE = frozenset(
    "script style template pre textarea svg math code kbd samp var iframe noembed noframes xmp".split()
)
_OPTIONAL_END = frozenset("p li dt dd td th tr option".split())
_ATTRS = {"alt": "alt", "title": "title", "placeholder": "placeholder", "aria-label": "label"}
_ATTRS |= {"aria-description": "description", "aria-placeholder": "placeholder"}
_META = frozenset(
    "description og:title og:description og:site_name twitter:title twitter:description".split()
)
_CONTEXT = {"title": "title", "td": "cell", "th": "cell", "li": "list item", "caption": "caption"}
_CONTEXT |= {f"h{i}": "heading" for i in range(1, 7)}


@dataclass(slots=True)
class AttrSegment:
    id: str
    attr: Attr
    text: str
    context: str


@dataclass(slots=True)
class Page:
    flows: list[Flow]
    attrs: list[AttrSegment]
    html_tag: Token | None
    tokens: list[Token]

    def segments(self) -> list[tuple[int, str, str, str]]:
        """(source offset, id, text, context) of every segment, in reading order."""
        out = [(f.start, f.id, f.text, f.context) for f in self.flows]
        out += [(a.attr.start, a.id, a.text, a.context) for a in self.attrs]
        return sorted(out)


def _region_end(tokens: list[Token], i: int) -> int:
    """Index of the token that ends the element opened at tokens[i]."""
    first = tokens[i]
    if first.self_closing or first.name in VOID:
        return i
    depth = 0
    for j in range(i + 1, len(tokens)):
        t = tokens[j]
        if t.name != first.name:
            continue
        if t.kind == "start" and not t.self_closing:
            if depth == 0 and first.name in _OPTIONAL_END:
                return j - 1
            depth += 1
        elif t.kind == "end":
            if depth == 0:
                return j
            depth -= 1
    return len(tokens) - 1


class _Walker:
    def __init__(self, source: str, prefix: str) -> None:
        self.source = source
        self.prefix = prefix
        self.flows: list[Flow] = []
        self.attrs: list[AttrSegment] = []
        self.parts: list[Part] = []
        self.context = ""
        self.html_tag: Token | None = None
        self.elements = 0

    def value(self, attr: Attr) -> str:
        return html.unescape(self.source[attr.start : attr.end])

    def flush(self) -> None:
        if self.parts:
            sid = f"{self.prefix}t{len(self.flows) + 1}"
            flow = make_flow(sid, self.parts, self.source, html.unescape, self.context)
            if flow is not None:
                self.flows.append(flow)
            self.parts = []

    def add_attr(self, token: Token, name: str, context: str) -> None:
        attr = token.attr(name)
        if attr is None or not attr.has_value:
            return
        text = " ".join(self.value(attr).split())
        if translatable(text):
            sid = f"{self.prefix}e{self.elements}@{name}"
            self.attrs.append(AttrSegment(sid, attr, text, context))

    def collect_attrs(self, token: Token) -> None:
        self.elements += 1
        for name, context in _ATTRS.items():
            self.add_attr(token, name, context)
        if token.name in ("option", "optgroup", "track"):
            self.add_attr(token, "label", "label")
        if token.name == "meta":
            kind = token.attr("name") or token.attr("property")
            if kind and self.value(kind).strip().lower() in _META:
                self.add_attr(token, "content", "description")
        if token.name == "input":
            kind = token.attr("type")
            if kind and self.value(kind).strip().lower() in ("submit", "button", "reset"):
                self.add_attr(token, "value", "button")

    def walk(self, tokens: list[Token]) -> None:
        i = 0
        while i < len(tokens):
            t = tokens[i]
            if t.kind == "start":
                if _skipped(t, self):
                    if t.name in _OPAQUE and not _marked_no(t, self):
                        self.collect_attrs(t)  # <textarea placeholder>, <pre title>: their content stays
                    j = _region_end(tokens, i)
                    if t.name in BLOCK:
                        self.flush()
                    else:
                        self.parts.append(Part("x", t.start, tokens[j].end))
                    i = j + 1
                    continue
                self.collect_attrs(t)
                if t.name == "html" and self.html_tag is None:
                    self.html_tag = t
                if t.name in BLOCK:
                    self.flush()
                    self.context = _CONTEXT.get(t.name, "")
                elif t.name in VOID or t.self_closing:
                    self.parts.append(Part("x", t.start, t.end))
                else:
                    self.parts.append(Part("open", t.start, t.end, key=t.name))
            elif t.kind == "end":
                if t.name in BLOCK:
                    self.flush()
                else:
                    self.parts.append(Part("close", t.start, t.end, key=t.name))
            elif t.kind in ("text", "rcdata"):
                self.parts.extend(split_urls(t.start, t.end, self.source))
            else:
                self.parts.append(Part("x", t.start, t.end))
            i += 1
        self.flush()


def _skipped(token: Token, walker: _Walker) -> bool:
    """Elements whose content is left exactly as it is."""
    return token.name in _OPAQUE or _marked_no(token, walker)


def _marked_no(token: Token, walker: _Walker) -> bool:
    """translate="no" or class="notranslate": the element is left alone, attributes included."""
    translate = token.attr("translate")
    if translate and walker.value(translate).strip().lower() == "no":
        return True
    classes = token.attr("class")
    return bool(classes and "notranslate" in walker.value(classes).split())


def parse_page(source: str, prefix: str = "") -> Page:
    walker = _Walker(source, prefix)
    tokens = tokenize(source)
    walker.walk(tokens)
    return Page(walker.flows, walker.attrs, walker.html_tag, tokens)


def _text_escaper(raw: str) -> Callable[[str], str]:
    keep = entity_keeper(raw)

    def escape(text: str) -> str:
        return keep(html.escape(text, quote=False)).replace("\xa0", "&nbsp;")

    return escape


def _escape_attr(text: str, quote: str) -> str:
    text = html.escape(text, quote=False).replace("\xa0", "&nbsp;")
    return text.replace("'", "&#x27;") if quote == "'" else text.replace('"', "&quot;")


Edit = tuple[int, int, str]


def _splice(source: str, start: int, end: int, edits: list[Edit]) -> str:
    """source[start:end] with the edits that fall inside it applied (edits sorted, disjoint)."""
    out, pos = [], start
    for s, e, new in edits[bisect_left(edits, (start, -1, "")) :]:
        if s >= end:
            break
        if e > end:
            continue
        out.append(source[pos:s])
        out.append(new)
        pos = e
    out.append(source[pos:end])
    return "".join(out)


def _lang_edits(page: Page, lang: str) -> list[Edit]:
    tag = page.html_tag
    if tag is None:
        return []
    edits: list[Edit] = []
    for attr in tag.attrs:
        if attr.name in ("lang", "xml:lang"):
            if attr.has_value and attr.quote:
                edits.append((attr.start, attr.end, _escape_attr(lang, attr.quote)))
            elif attr.has_value:
                edits.append((attr.start, attr.end, f'"{_escape_attr(lang, chr(34))}"'))
            else:
                edits.append((attr.name_end, attr.name_end, f'="{_escape_attr(lang, chr(34))}"'))
    if not tag.attr("lang"):
        at = tag.start + 1 + len("html")
        edits.append((at, at, f' lang="{_escape_attr(lang, chr(34))}"'))
    return edits


def translate_page(
    source: str,
    translations: Mapping[str, str],
    warnings: list[str],
    *,
    prefix: str = "",
    lang: str | None = None,
    bilingual: str | None = None,
) -> str:
    """The page with every translated segment spliced in; untouched bytes stay as they were.

    With `bilingual` (the target language) the source text stays and each translation is added
    beside it (`_html_bilingual`); `lang` then stays as the page had it."""
    page = parse_page(source, prefix)
    edits: list[Edit] = []
    for seg in page.attrs:
        new = translations.get(seg.id)
        if new is None or new == seg.text:
            continue
        a = seg.attr
        value = " ".join(new.split())
        if a.quote:
            edits.append((a.start, a.end, _escape_attr(value, a.quote)))
        else:
            edits.append((a.start, a.end, f'"{_escape_attr(value, chr(34))}"'))
    if lang and not bilingual:
        edits += _lang_edits(page, lang)
    edits.sort()

    def payload(part: Part) -> str:
        return part.raw if part.raw is not None else _splice(source, part.start, part.end, edits)

    def rendered(flow: Flow) -> str | None:
        new = translations.get(flow.id)
        if new is None or new == flow.text:
            return None
        return render(flow, new, _text_escaper(source[flow.start : flow.end]), payload, warnings)

    flow_edits: list[Edit] = []
    in_place = page.flows
    if bilingual:
        blocks = Blocks(page.tokens, BLOCK, VOID)
        splice = partial(_splice, source, edits=edits)
        flow_edits, in_place = bilingual_edits(source, blocks, page.flows, rendered, bilingual, splice)
    for flow in in_place:
        if (text := rendered(flow)) is not None:
            flow_edits.append((flow.start, flow.end, text))
    starts = [s for s, _, _ in flow_edits]
    for s, e, new in edits:
        k = bisect_right(starts, s) - 1
        if k < 0 or flow_edits[k][1] < e:  # edits inside a translated flow went in through its payloads
            flow_edits.append((s, e, new))
    flow_edits.sort()
    return _splice(source, 0, len(source), flow_edits)
