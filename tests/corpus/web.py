"""Awkward web documents: a fixed-layout EPUB 3, an HTML page and MkDocs/pandoc Markdown."""

from __future__ import annotations

import io
import zipfile

from tests.builders.epub import PNG
from tests.corpus.office import EMAIL, FORUM_PATH, ORDER_ID, POLICY_URL

KEEP = ("www.amazon.com", EMAIL, ORDER_ID, POLICY_URL, FORUM_PATH)

JSON_LD = (
    '{"@context": "https://schema.org", "@type": "Article", "headline": "The harbour guide",'
    ' "author": {"@type": "Person", "name": "Jane Doe"}, "url": "https://example.com/harbour"}'
)
SVG = (
    '<svg xmlns="http://www.w3.org/2000/svg" width="200" height="60" viewBox="0 0 200 60">'
    '<title>Tide chart</title><rect width="200" height="60" fill="#eef"/>'
    '<text x="10" y="35" font-size="14">High tide at noon</text></svg>'
)
MATH = (
    '<math xmlns="http://www.w3.org/1998/Math/MathML"><mi>π</mi><mo>⁢</mo>'
    "<msup><mi>r</mi><mn>2</mn></msup></math>"
)
SCRIPT = 'const label = "Loading the map"; if (a < b && b > c) { show(label); }'
CODE = "$ polydoc serve --port 30000\n# Listening on all interfaces"
PROSE = (
    '<p>Order at www.ama<b>zon</b>.com or mail <a href="mailto:ray@example.org">ray@example.org</a>'
    f" with code {ORDER_ID}.</p>\n"
    f"<p>The rules are at {POLICY_URL} and the forum lives at {FORUM_PATH} for everyone.</p>\n"
)

HTML = f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>The harbour guide</title>
<script type="application/ld+json">{JSON_LD}</script>
</head>
<body>
<h1>The harbour guide</h1>
<p dir="rtl" lang="ar">مرحبا بكم في الميناء</p>
{PROSE}<p>See <a href="http://mi.safaribooksonline.com">http://mi.safaribooksonline.com</a> for the old books.</p>
<template id="boat-row"><tr><td class="name">Boat name</td><td>Ready to sail</td></tr></template>
{SVG}
<p>The pool covers {MATH} square metres.</p>
<pre><code>{CODE}</code></pre>
<p>Call <code>translate_file()</code> once for every document.</p>
<p>The brand <span translate="no">Harbour Master Pro</span> stays as it is.</p>
<div translate="no"><p>Do not translate this whole block.</p></div>
<script>{SCRIPT}</script>
</body>
</html>
"""

MARKDOWN = f"""---
title: Harbour handbook
author: Jane Doe
date: 2024-05-01
abstract: A short guide to the harbour and its boats.
---

# Harbour handbook {{#handbook .unnumbered}}

!!! note "Before you sail"
    Check the weather forecast and tell someone where you are going.

!!! warning
    The north pier is closed in winter.

Tides change twice a day[^tides]. Order at www.amazon.com or mail {EMAIL} with code {ORDER_ID}.

The rules are at <{POLICY_URL}> and the forum lives at `{FORUM_PATH}` for everyone.

| Boat | Length | Crew |
|:-----|-------:|------|
| Blue heron | 12.5 | Two sailors |
| Sea wind | 9 | One sailor |

<div class="callout">
<p>The harbour office opens at nine.</p>
</div>

```bash
$ sail --to island --crew 2
```

[^tides]: Sometimes the printed tide table is wrong by an hour.
"""

_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles>
</container>
"""
_ENCRYPTION = """<?xml version="1.0" encoding="UTF-8"?>
<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">
  <enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.idpf.org/2008/embedding"/>
    <enc:CipherData><enc:CipherReference URI="OEBPS/fonts/harbour.otf"/></enc:CipherData></enc:EncryptedData>
</encryption>
"""
_OPF = """<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="3.0" unique-identifier="uid" prefix="rendition: http://www.idpf.org/vocab/rendition/#">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:5a1c2f6e-3b0d-4c51-9a7e-2c0f6b1d8e42</dc:identifier>
    <dc:title>The Harbour Picture Book</dc:title>
    <dc:language>en</dc:language>
    <meta property="dcterms:modified">2024-05-01T10:00:00Z</meta>
    <meta property="rendition:layout">pre-paginated</meta>
    <meta property="rendition:orientation">landscape</meta>
    <meta property="rendition:spread">none</meta>
  </metadata>
  <manifest>
    <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>
    <item id="p1" href="page1.xhtml" media-type="application/xhtml+xml" properties="scripted svg mathml"/>
    <item id="p2" href="page2.xhtml" media-type="application/xhtml+xml"/>
    <item id="img" href="images/boat.png" media-type="image/png"/>
    <item id="font" href="fonts/harbour.otf" media-type="font/otf"/>
  </manifest>
  <spine>
    <itemref idref="p1" properties="page-spread-left"/>
    <itemref idref="p2" properties="rendition:layout-reflowable"/>
  </spine>
</package>
"""
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
    '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" xml:lang="en" lang="en">\n'
)
_PAGE1 = f"""<head><title>At the harbour</title><meta name="viewport" content="width=1200, height=800"/></head>
<body>
<h1>At the harbour</h1>
{PROSE}<p>Here is a boat <img src="images/boat.png" alt="A small blue boat"/> at rest.</p>
{SVG}
<p>The pool covers {MATH} square metres.</p>
<pre>{CODE}</pre>
<script type="text/javascript">{SCRIPT.replace("&&", "&amp;&amp;").replace("<", "&lt;").replace(">", "&gt;")}</script>
</body>
</html>
"""
_PAGE2 = """<head><title>Going home</title></head>
<body><section epub:type="chapter"><h2>Going home</h2><p dir="rtl" lang="he">שלום ולהתראות</p>
<p>The boats come back <span epub:type="noteref">before dark</span>.</p></section></body>
</html>
"""
_NAV = """<head><title>Contents</title></head>
<body><nav epub:type="toc" id="toc"><h1>Contents</h1><ol>
<li><a href="page1.xhtml">At the harbour</a></li><li><a href="page2.xhtml">Going home</a></li></ol></nav>
<nav epub:type="landmarks" hidden=""><ol><li><a epub:type="bodymatter" href="page1.xhtml">Start reading</a></li></ol></nav>
</body>
</html>
"""
FONT = bytes(range(256)) * 4  # obfuscated font bytes: opaque, must come back as they are


def build_epub() -> bytes:
    """A fixed-layout EPUB 3 (rendition:layout pre-paginated) with a script, SVG, MathML, a nav
    with landmarks, an obfuscated font and split URLs/e-mails/ids."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, body in {
            "META-INF/container.xml": _CONTAINER.encode(),
            "META-INF/encryption.xml": _ENCRYPTION.encode(),
            "OEBPS/content.opf": _OPF.encode(),
            "OEBPS/nav.xhtml": (_HEAD + _NAV).encode(),
            "OEBPS/page1.xhtml": (_HEAD + _PAGE1).encode(),
            "OEBPS/page2.xhtml": (_HEAD + _PAGE2).encode(),
            "OEBPS/images/boat.png": PNG,
            "OEBPS/fonts/harbour.otf": FONT,
        }.items():
            zf.writestr(name, body, compress_type=zipfile.ZIP_DEFLATED)
    return out.getvalue()


def build_html() -> bytes:
    """`<template>`, inline `<svg>` with `<text>`, `<math>`, JSON-LD, `<pre><code>`, inline code,
    `translate="no"`, an RTL paragraph, a bare URL as link text and split URLs/e-mails/ids."""
    return HTML.encode()


def build_markdown() -> bytes:
    """Pandoc front matter and header attributes, MkDocs admonitions, a footnote, an aligned
    table, an HTML block, a fenced code block and URLs/e-mails/ids in prose."""
    return MARKDOWN.encode()
