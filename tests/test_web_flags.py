"""The page tells which segments the quality checks flagged, and lists them on demand (chromium)."""

from __future__ import annotations

from tests.browser import browser, expect, page, sign_in  # noqa: F401 - `browser` and `page` are fixtures
from tests.helpers import Service

TEXT = b"The red house is very big.\n\nzorblaxing frobnicates wibbly\n\nThe dog sleeps in the garden.\n"


def test_a_run_card_says_what_to_review_and_lists_it(page, service: Service) -> None:  # noqa: ANN001, F811
    key = service.new_account("web-flags", credits=50)
    sign_in(page, service.base_url, key)
    expect(page.locator("#target-list input[value=es]")).to_be_attached()
    page.locator("#file-input").set_input_files(
        [{"name": "notes.txt", "mimeType": "text/plain", "buffer": TEXT}]
    )
    page.get_by_label("Spanish").check()
    page.locator("#start").click()

    card = page.locator("li.run[data-status=Succeeded]")
    expect(card).to_have_count(1, timeout=60_000)
    flagged = card.locator("details.flagged")
    expect(flagged.locator("summary")).to_have_text("1 segment to review: 1 left in the source language")
    flagged.locator("summary").click()
    items = flagged.locator(".flagged-list li")
    expect(items).to_have_count(1)
    expect(items.first).to_contain_text("left in the source language: the translation is the source text")
    expect(items.first.locator(".seg-source")).to_have_text("zorblaxing frobnicates wibbly")
