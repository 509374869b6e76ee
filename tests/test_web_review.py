"""The review view in chromium: edit a segment with the keyboard, then download the reviewed DOCX."""

from __future__ import annotations

import io
from pathlib import Path

import docx

from tests.browser import browser, expect, page, sign_in  # noqa: F401 - `browser` and `page` are fixtures
from tests.helpers import Service
from tests.test_review import build_docx


def test_edit_a_segment_in_the_browser_and_download_the_reviewed_docx(page, service: Service) -> None:  # noqa: ANN001, F811
    key = service.new_account("web-review", credits=50)
    sign_in(page, service.base_url, key)
    expect(page.locator("#target-list input[value=es]")).to_be_attached()
    page.locator("#file-input").set_input_files(
        [{"name": "report.docx", "mimeType": "application/octet-stream", "buffer": build_docx()}]
    )
    page.get_by_label("Spanish").check()
    page.locator("#start").click()
    card = page.locator("li.run[data-status=Succeeded]")
    expect(card).to_have_count(1, timeout=60_000)
    card.get_by_role("button", name="Review the Spanish translation of report.docx").click()

    dialog = page.locator("dialog#review")
    expect(dialog).to_be_visible()
    rows = dialog.locator("li.review-row")
    expect(rows).to_have_count(4)
    expect(rows.first).to_be_focused()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(rows.nth(2)).to_be_focused()
    expect(rows.nth(2).locator(".review-source")).to_have_text("The dog sleeps in the garden.")
    page.keyboard.press("Enter")
    editor = rows.nth(2).locator("textarea")
    expect(editor).to_be_focused()
    editor.fill("El perro duerme en el jardín.")
    page.keyboard.press("Control+Enter")
    expect(rows.nth(2)).to_have_attribute("data-origin", "human")
    expect(rows.nth(2).locator(".review-target")).to_have_text("El perro duerme en el jardín.")

    with page.expect_download() as info:
        dialog.get_by_role("button", name="Download reviewed").click()
    paragraphs = [p.text for p in docx.Document(io.BytesIO(Path(info.value.path()).read_bytes())).paragraphs]
    assert "El perro duerme en el jardín." in paragraphs
