"""The account's translation memory on the page: import a TMX file, export it again (chromium)."""

from __future__ import annotations

from pathlib import Path

from tests.browser import browser, expect, page, sign_in  # noqa: F401 - `browser` and `page` are fixtures
from tests.helpers import Service

TMX = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<tmx version="1.4"><header srclang="en" segtype="sentence" '
    b'adminlang="en" datatype="plaintext" o-tmf="x" creationtool="t" creationtoolversion="1"/><body>'
    b'<tu creationdate="20240501T120000Z"><tuv xml:lang="en"><seg>Press <bpt i="1" x="1">&lt;b&gt;</bpt>Save'
    b'<ept i="1">&lt;/b&gt;</ept> to keep the file.</seg></tuv><tuv xml:lang="es"><seg>Pulsa '
    b'<bpt i="1" x="1">&lt;b&gt;</bpt>Guardar<ept i="1">&lt;/b&gt;</ept> para conservar el archivo.</seg></tuv>'
    b"</tu></body></tmx>\n"
)


def test_import_and_export_a_tmx_on_the_account_page(page, service: Service) -> None:  # noqa: ANN001, F811
    key = service.new_account("web-memory", credits=10)
    sign_in(page, service.base_url, key)

    page.locator("#memory-file").set_input_files(
        [{"name": "glossary.tmx", "mimeType": "application/x-tmx+xml", "buffer": TMX}]
    )
    expect(page.locator("#memory-status")).to_have_text("Imported 1 translations from glossary.tmx")
    page.locator("#memory-file").set_input_files(
        [{"name": "broken.tmx", "mimeType": "application/x-tmx+xml", "buffer": b"<tmx><body>"}]
    )
    expect(page.locator("#memory-status")).to_contain_text("broken.tmx:")

    with page.expect_download() as info:
        page.get_by_role("button", name="Export TMX").click()
    download = info.value
    assert download.suggested_filename == "polydoc-memory.tmx"
    text = Path(download.path()).read_text()
    assert "Pulsa <bpt" in text and '<prop type="x-polydoc-origin">import</prop>' in text
    expect(page.locator("#memory-status")).to_have_text("Exported")
