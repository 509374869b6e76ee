"""Build small EPUB 3 and EPUB 2 books by hand with zipfile (the format is a zip of XML files)."""

from __future__ import annotations

import zipfile
from pathlib import Path

GUIDE_URL = "https://example.com/garden?lang=en"
IMAGE_SRC = "images/flower.png"
# the smallest valid PNG: one transparent pixel
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e2219bc00000000049454e44ae426082"
)
CSS = b"body { font-family: serif; }\nb { color: darkgreen; }\n"

_CONTAINER = """<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
  <rootfiles>
    <rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
  </rootfiles>
</container>
"""

_XHTML_HEAD = {
    3: '<?xml version="1.0" encoding="UTF-8"?>\n<!DOCTYPE html>\n'
    '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops" '
    'xml:lang="en" lang="en">\n',
    2: '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.1//EN" "http://www.w3.org/TR/xhtml11/DTD/xhtml11.dtd">\n'
    '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="en">\n',
}

_CHAPTER_ONE = """<head>
  <title>First Chapter</title>
  <link rel="stylesheet" type="text/css" href="style.css"/>
  <style type="text/css">p { margin: 0; }</style>
</head>
<body>
  <h1>First Chapter</h1>
  <p>The garden was <b>very quiet</b> in the morning.</p>
  <p>Read <a href="GUIDE_URL">the garden guide</a> for more details.</p>
  <p>Here is a flower <img src="IMAGE_SRC" alt="A red flower"/> in bloom.</p>
  <pre>print("Hello garden")</pre>
  <p>Call <code>water_plants()</code> every day.</p>
  <script type="text/javascript">var greeting = "Hello";</script>
</body>
</html>
"""

_CHAPTER_TWO = """<head><title>Second Chapter</title></head>
<body>
  <section>
    <h2>Second Chapter</h2>
    <blockquote><p>Plants need light and water.</p></blockquote>
    <ul>
      <li>Water the roses</li>
      <li>Cut the grass</li>
    </ul>
    <table>
      <caption>Garden plants</caption>
      <tr><th>Plant</th><td>Tomato plant</td></tr>
    </table>
    <p>First line<br/>second line with <em>strong feelings</em> and a
       <abbr title="Very important person">guest</abbr>.</p>
    <div>Some direct text in a division</div>
    <p>2024</p>
  </section>
</body>
</html>
"""

_NAV = """<head><title>Contents</title></head>
<body>
  <nav epub:type="toc" id="toc">
    <h1>Contents</h1>
    <ol>
      <li><a href="chapter1.xhtml">First Chapter</a></li>
      <li><a href="chapter2.xhtml">Second Chapter</a></li>
    </ol>
  </nav>
</body>
</html>
"""

_NCX = """<?xml version="1.0" encoding="UTF-8"?>
<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1" xml:lang="en">
  <head><meta name="dtb:uid" content="urn:uuid:0f7e0d43-9d43-4c2e-9d0e-2f1a8b6d7c11"/></head>
  <docTitle><text>The Little Garden Book</text></docTitle>
  <navMap>
    <navPoint id="n1" playOrder="1"><navLabel><text>First Chapter</text></navLabel>
      <content src="chapter1.xhtml"/></navPoint>
    <navPoint id="n2" playOrder="2"><navLabel><text>Second Chapter</text></navLabel>
      <content src="chapter2.xhtml"/></navPoint>
  </navMap>
</ncx>
"""


def _opf(version: int) -> str:
    nav = '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>'
    ncx = '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
    modified = '<meta property="dcterms:modified">2024-05-01T10:00:00Z</meta>'
    scripted = ' properties="scripted"' if version == 3 else ""
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" unique-identifier="uid">
  <metadata xmlns:dc="http://purl.org/dc/elements/1.1/">
    <dc:identifier id="uid">urn:uuid:0f7e0d43-9d43-4c2e-9d0e-2f1a8b6d7c11</dc:identifier>
    <dc:title>The Little Garden Book</dc:title>
    <dc:creator>Jane Gardener</dc:creator>
    <dc:language>en</dc:language>
    <dc:description>A short book about quiet gardens.</dc:description>
    {modified if version == 3 else ""}
  </metadata>
  <manifest>
    {nav if version == 3 else ncx}
    <item id="ch1" href="chapter1.xhtml" media-type="application/xhtml+xml"{scripted}/>
    <item id="ch2" href="chapter2.xhtml" media-type="application/xhtml+xml"/>
    <item id="css" href="style.css" media-type="text/css"/>
    <item id="img" href="{IMAGE_SRC}" media-type="image/png"/>
  </manifest>
  <spine{' toc="ncx"' if version == 2 else ""}>
    <itemref idref="ch1"/>
    <itemref idref="ch2"/>
  </spine>
</package>
"""


def _write_epub(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), b"application/epub+zip", compress_type=zipfile.ZIP_STORED)
        for name, data in members.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


def _members(version: int) -> dict[str, bytes]:
    head = _XHTML_HEAD[version]
    chapter_one = _CHAPTER_ONE.replace("GUIDE_URL", GUIDE_URL).replace("IMAGE_SRC", IMAGE_SRC)
    chapter_two = _CHAPTER_TWO
    if version == 2:  # XHTML 1.1: no section, no script; HTML entities come from its DTD
        chapter_two = chapter_two.replace("section>", "div>").replace("First line", "First&nbsp;line")
        chapter_one = chapter_one.replace(
            '<script type="text/javascript">var greeting = "Hello";</script>', ""
        )
    members = {
        "META-INF/container.xml": _CONTAINER.encode(),
        "OEBPS/content.opf": _opf(version).encode(),
        "OEBPS/chapter1.xhtml": (head + chapter_one).encode(),
        "OEBPS/chapter2.xhtml": (head + chapter_two).encode(),
        "OEBPS/style.css": CSS,
        f"OEBPS/{IMAGE_SRC}": PNG,
    }
    if version == 3:
        members["OEBPS/nav.xhtml"] = (head + _NAV).encode()
    else:
        members["OEBPS/toc.ncx"] = _NCX.encode()
    return members


def build_epub3(folder: Path, name: str = "garden.epub") -> Path:
    """An EPUB 3 book in English: title "The Little Garden Book", description
    "A short book about quiet gardens.", a nav.xhtml with "Contents", "First Chapter" and
    "Second Chapter" as links, and two chapters:

    1. h1 "First Chapter"; "The garden was <b>very quiet</b> in the morning."; "Read <a>the
       garden guide</a> for more details." (link to GUIDE_URL); "Here is a flower <img
       alt="A red flower"/> in bloom."; untouched <pre>, inline <code>, <script> and <style>.
    2. a section with h2 "Second Chapter", a blockquote, a list ("Water the roses", "Cut the
       grass"), a table with caption "Garden plants" and cells "Plant" / "Tomato plant",
       "First line<br/>second line with <em>strong feelings</em> and a <abbr
       title="Very important person">guest</abbr>.", a div with direct text, and "2024".
    """
    return _write_epub(folder / name, _members(3))


def build_epub2(folder: Path, name: str = "garden2.epub") -> Path:
    """The same book as EPUB 2: XHTML 1.1 doctype, a toc.ncx (docTitle and two navLabels)
    instead of nav.xhtml, a div instead of the section, no script, and a `&nbsp;` entity in
    chapter 2 ("First&nbsp;line")."""
    return _write_epub(folder / name, _members(2))
