"""Text-based formats (HTML, Markdown, SRT, VTT, CSV, XLIFF, PO, JSON, YAML): open, structure,
visible text. As in `_zipped`, source and translation must give equal structures."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import tempfile
from pathlib import Path

from lxml import etree

X12 = "{urn:oasis:names:tc:xliff:document:1.2}"
X2 = "{urn:oasis:names:tc:xliff:document:2.0}"
_TAG = re.compile(r"</?[A-Za-z][^>]*>|\{\\[^}]*\}|<\d\d:\d\d[^>]*>")
_PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%[sd%]|\{\{?\w*\}?\}|%\{\w+\}|\{\w+, \w+|#")


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


def _html_structure(data: bytes) -> dict[str, object]:
    import lxml.html

    root = lxml.html.document_fromstring(data)

    def shape(el: etree._Element) -> list[tuple]:
        return [(e.tag, tuple(sorted(e.attrib.items()))) for e in el.iter() if isinstance(e.tag, str)]

    root.attrib.pop("lang", None)  # the page's language is the target language now

    return {
        "tags": shape(root),
        "scripts": [s.text for s in root.iter("script")],
        "code": [etree.tostring(e, with_tail=False) for e in root.iter("pre", "code")],
        "translate=no": [etree.tostring(e, with_tail=False) for e in root.xpath("//*[@translate='no']")],
        "math": [etree.tostring(m, with_tail=False) for m in root.iter("math")],
        "svg": [etree.tostring(s, with_tail=False) for s in root.iter("svg")],
        "template": [etree.tostring(t, with_tail=False) for t in root.iter("template")],
        "rtl": [p.text_content() for p in root.xpath("//*[@dir='rtl']")],
    }


def _markdown_structure(data: bytes) -> dict[str, object]:
    text = decode(data)
    lines = text.splitlines()
    fence = text.index("```")
    return {
        "lines": len(lines),
        "front matter": lines[: lines.index("---", 1) + 1],
        "admonitions": [re.sub(r'"[^"]*"', '"…"', line) for line in lines if line.lstrip().startswith("!!!")],
        "indented": [len(line) - len(line.lstrip()) for line in lines],
        "attributes": re.findall(r"\{#[^}]*\}", text),
        "footnotes": re.findall(r"\[\^\w+\]:?", text),
        "table rules": [line for line in lines if re.fullmatch(r"\|[-:| ]+\|", line)],
        "table cells": [line.count("|") for line in lines if line.startswith("|")],
        "html": re.findall(r"</?\w+[^>]*>", text),
        "code": text[fence : text.index("```", fence + 3) + 3],
        "links": re.findall(r"<https?://[^>]+>|`[^`]+`", text),
    }


def _cues(text: str) -> list[list[str]]:
    return [block.split("\n") for block in re.split(r"\n\n+", text.replace("\r\n", "\n").strip("\n\ufeff"))]


def _subtitle_structure(data: bytes) -> dict[str, object]:
    text = decode(data)
    blocks = _cues(text)
    timed = [b for b in blocks if any("-->" in line for line in b)]
    return {
        "bom": data.startswith(b"\xef\xbb\xbf"),
        "crlf": text.count("\r\n"),
        "blocks": len(blocks),
        "headers": [b for b in blocks if not any("-->" in line for line in b)],  # WEBVTT, STYLE, REGION, NOTE
        "timing": [[line for line in b if "-->" in line or line.isdigit() or line == "intro"] for b in timed],
        "tags": [sorted(_TAG.findall("\n".join(b))) for b in timed],
    }


def _csv_structure(data: bytes) -> dict[str, object]:
    rows = list(csv.reader(io.StringIO(decode(data), newline=""), delimiter=";"))
    return {
        "encoding": "utf-8" if data.decode("utf-8", "replace") == decode(data) else "cp1252",
        "shape": [len(r) for r in rows],
        "numbers and codes": [[c for c in r if not re.search(r"[a-z]{3}", c)] for r in rows],
    }


def _codes(segment: etree._Element) -> list[tuple[str, str | None]]:
    """Inline codes of the segment's target, or of its source while there is no target text."""
    ns = etree.QName(segment).namespace
    target = segment.find(f"{{{ns}}}target")
    side = (
        target
        if target is not None and (len(target) or (target.text or "").strip())
        else segment.find(f"{{{ns}}}source")
    )
    return sorted(
        (etree.QName(c).localname, c.get("id") or c.get("mid")) for c in side.iter() if c is not side
    )


def _xliff_structure(data: bytes) -> dict[str, object]:
    root = etree.fromstring(data)
    ns = X12 if root.tag.startswith(X12) else X2
    unit = "trans-unit" if ns == X12 else "unit"
    out: dict[str, object] = {
        "header": [etree.tostring(e, with_tail=False) for e in root.iter(f"{ns}header", f"{ns}originalData")]
    }
    for u in root.iter(f"{ns}{unit}"):
        info: dict[str, object] = {
            "translate": u.get("translate"),
            "sources": [etree.tostring(s, with_tail=False) for s in u.iter(f"{ns}source", f"{ns}seg-source")],
            "notes": [
                etree.tostring(n, with_tail=False)
                for n in u.iter(f"{ns}note", f"{ns}alt-trans", "{*}matches")
            ],
        }
        if u.get("translate") != "no":  # a target written back carries its source's inline codes
            info["codes"] = [_codes(seg) for seg in ([u] if ns == X12 else u.iter(f"{ns}segment"))]
        out[u.get("id")] = info
    return out


def _po_structure(data: bytes) -> dict[str, object]:
    import polib

    po = polib.pofile(decode(data))
    return {
        "entries": [(e.msgctxt, e.msgid, e.msgid_plural, sorted(e.flags), e.obsolete) for e in po],
        "obsolete": [(e.msgid, e.msgstr) for e in po if e.obsolete],
        "plurals": [sorted(e.msgstr_plural) for e in po if e.msgid_plural],
        "placeholders": [sorted(_PLACEHOLDER.findall(e.msgid)) for e in po if not e.obsolete],
    }


def _tree(value: object) -> object:
    """Keys, non-text values and the placeholders/ICU skeleton of text values."""
    if isinstance(value, dict):
        return {k: _tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_tree(v) for v in value]
    if isinstance(value, str):
        icu = re.findall(
            r"\{(\w+), (plural|select|number)|(?<=[ {])(=\d+|zero|one|two|few|many|other|female|male) \{",
            value,
        )
        return ("text", sorted(_PLACEHOLDER.findall(value)), icu, re.findall(r"</?\w+>", value))
    return value


def _json_structure(data: bytes) -> dict[str, object]:
    return {"tree": _tree(json.loads(data))}


def _yaml_structure(data: bytes) -> dict[str, object]:
    from ruamel.yaml import YAML

    text = decode(data)
    tree = YAML(typ="safe").load(text)
    return {
        "tree": _tree(next(iter(tree.values()))),  # under the language key
        "anchors": re.findall(r"[&*]\w+|<<:", text),
        "comments": re.findall(r"#.*", text),
        "blocks": re.findall(r": [|>][-+]?$", text, re.M),
    }


def opens(fmt: str, data: bytes) -> None:
    text = decode(data)
    if fmt == "html":
        import lxml.html

        lxml.html.document_fromstring(data)
        etree.fromstring(re.search(r"<svg.*?</svg>", text, re.S)[0])  # the SVG is still well-formed XML
    elif fmt == "xliff":
        etree.fromstring(data)
    elif fmt == "po":
        import polib

        polib.pofile(text)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "out.po"
            path.write_bytes(data)
            done = subprocess.run(
                ["msgfmt", "--check-format", "-o", "/dev/null", str(path)],
                capture_output=True,
                text=True,
                timeout=30,
            )
            assert done.returncode == 0, done.stderr
    elif fmt == "json":
        json.loads(data)
    elif fmt == "yaml":
        from ruamel.yaml import YAML

        YAML(typ="safe").load(text)
    elif fmt == "csv":
        assert list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    elif fmt in ("srt", "vtt", "md"):
        assert text.strip()


def visible_text(fmt: str, data: bytes) -> str:
    if fmt == "html":
        import lxml.html

        return lxml.html.document_fromstring(data).text_content()
    if fmt == "xliff":  # what is written back: the targets
        return "\n".join(
            "".join(t.itertext()) for t in etree.fromstring(data).iter(f"{X12}target", f"{X2}target")
        )
    if fmt == "po":
        import polib

        po = polib.pofile(decode(data))
        return "\n".join([e.msgstr for e in po] + [s for e in po for s in e.msgstr_plural.values()])
    return decode(data)


STRUCTURE = {
    "html": _html_structure,
    "md": _markdown_structure,
    "srt": _subtitle_structure,
    "vtt": _subtitle_structure,
    "csv": _csv_structure,
    "xliff": _xliff_structure,
    "po": _po_structure,
    "json": _json_structure,
    "yaml": _yaml_structure,
}
