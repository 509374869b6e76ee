"""Realistic English web documents (HTML pages, Markdown docs) written into a given folder."""

from __future__ import annotations

from pathlib import Path

HTML_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Polydoc &amp; the translated web</title>
  <meta name="description" content="Translate whole documents and keep their layout">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <style>
    body { font-family: sans-serif; } /* Style comment about the main layout */
    .lead::before { content: "Note: "; }
  </style>
  <script>
    // Script comment: greeting logic
    const greeting = "<p>Hello from the script</p>";
    if (1 < 2 && greeting) { console.log("Loaded page"); }
  </script>
</head>
<body>
  <!-- Navigation comment: keep this markup -->
  <nav class="top">
    <ul>
      <li><a href="/index.html">Home</a></li>
      <li><a href="/docs/guide.html?lang=en&amp;v=2" title="Read the guide">Documentation</a></li>
    </ul>
  </nav>
  <main>
    <h1>Welcome to the <em>translation</em> service</h1>
    <p class="lead">Press <b>red</b> to stop the machine, then read the
      <a href="https://example.com/manual#safety">safety manual</a> carefully.&nbsp;Copyright &copy;
      2024 Example.</p>
    <p>Run <code>polydoc serve --port 30000</code> and visit https://example.com/status for the status.<br>
      Our brand <span translate="no">WidgetCorp Ultra</span> stays as written.</p>
    <ul>
      <li>Fast and private translation</li>
      <li>Keeps <strong>bold text</strong> and <i>italic text</i></li>
    </ul>
    <table>
      <caption>Price list</caption>
      <tr><th>Plan</th><th>Monthly price</th></tr>
      <tr><td>Basic plan</td><td>10 dollars</td></tr>
    </table>
    <figure>
      <img src="/img/cat.png" alt="A sleepy orange cat" width="320">
      <figcaption>Our office cat sleeping</figcaption>
    </figure>
    <form action="/subscribe" method="post">
      <label for="email">Email address</label>
      <input id="email" type="email" placeholder="Enter your email">
      <input type="submit" value="Subscribe now">
    </form>
    <pre><code>for item in items:
    print("keep this code exactly")</code></pre>
    <div class="notranslate">Internal build number stays</div>
  </main>
</body>
</html>
"""

MARKDOWN_DOC = """---
title: Getting started guide
tags: [setup, install]
---

# Getting started with *Polydoc*

Press **Save** now to keep the `config.yaml` file, then read
[the manual](https://example.com/path?x=1 "Manual title") before you start.

## Install the tool

1. Download the latest release from <https://example.com/releases>.
2. Run the installer
   - Choose a folder for the files
   - Accept the license terms

> Translation is a craft that needs
> patience and good tools.

```python
def hello():
    # Print a friendly greeting
    print("Hello world and welcome")
```

    indented code block with English words

| Option | Meaning |
|--------|---------|
| `--fast` | Use the quick engine |
| Quiet mode | Print fewer messages |

See the [user guide][guide] and the [FAQ] for more help.

<!-- Editor comment: review this page -->

![A diagram of the translation flow](images/flow.png)

[guide]: https://example.com/guide "Guide title"
[FAQ]: https://example.com/faq
"""


def build_html_page(folder: Path, name: str = "page.html") -> Path:
    """A full English page: doctype, head (title, meta description, style, script), a nav with
    links, a heading with <em>, paragraphs with <b>/<a>/<code> mid-sentence, `&nbsp;` and
    `&copy;` entities, a bare URL, a `translate="no"` span, a list with <strong>/<i>, a table
    with caption, an image with alt, a form (label, placeholder, submit button), a pre/code
    block, an HTML comment and a `notranslate` div."""
    path = folder / name
    path.write_text(HTML_PAGE, encoding="utf-8")
    return path


def build_html_fragment(folder: Path, name: str = "fragment.html") -> Path:
    """A fragment without <html>: two paragraphs ("Hello <b>bold</b> world.", "Second paragraph
    with <a href="/x">a link</a>.") and an image whose alt is "Company logo"."""
    path = folder / name
    path.write_text(
        '<p>Hello <b>bold</b> world.</p>\n<p>Second paragraph with <a href="/x">a link</a>.</p>\n'
        '<img src="logo.png" alt="Company logo">\n',
        encoding="utf-8",
    )
    return path


def build_html_cp1252(folder: Path, name: str = "legacy.html") -> Path:
    """A Windows-1252 page declared with <meta charset>: title "Café menu", a paragraph
    "The café serves crème brûlée – every day." (non-ASCII letters and an en dash)."""
    path = folder / name
    page = (
        '<html lang="en"><head><meta charset="windows-1252"><title>Café menu</title></head>\n'
        "<body><p>The café serves crème brûlée – every day.</p></body></html>\n"
    )
    path.write_bytes(page.encode("cp1252"))
    return path


def build_markdown_doc(folder: Path, name: str = "guide.md", *, newline: str = "\n") -> Path:
    """An English Markdown guide: YAML front matter, headings (one with *em*), a paragraph
    wrapped over two lines with **bold**, `inline code` and [a link](https://example.com/path?x=1
    "Manual title"), an ordered list with an autolink and a nested bullet list, a two-line
    blockquote, a fenced Python block and an indented code block with English words, a table
    with inline code, reference links ([user guide][guide] and shortcut [FAQ]) with their
    definitions, an HTML comment and an image with alt text. `newline` sets the line endings."""
    path = folder / name
    path.write_bytes(MARKDOWN_DOC.replace("\n", newline).encode("utf-8"))
    return path


def build_markdown_toml(folder: Path, name: str = "post.md") -> Path:
    """A short post with TOML front matter (+++), a heading "Release notes" and a paragraph
    "We fixed **many** bugs in this release." followed by a raw HTML block
    <p align="center">Made with <b>care</b></p>."""
    path = folder / name
    path.write_text(
        '+++\ntitle = "Release notes"\ndraft = false\n+++\n\n# Release notes\n\n'
        "We fixed **many** bugs in this release.\n\n"
        '<p align="center">Made with <b>care</b></p>\n',
        encoding="utf-8",
    )
    return path
