"""The web page's "Text" tab in a real browser (Debian's Chromium driven by Playwright) against
`polydoc serve` and real Apertium: type, translate, see the price, reuse the memory.

Fixtures and helpers are tests/test_web.py's; screenshots go to test-artifacts/web/.
"""

from __future__ import annotations

import re

from tests.helpers import Service
from tests.test_web import PHONE, browser, expect, new_page, page, shot, sign_in  # noqa: F401 - fixtures

__all__ = ["browser", "page"]  # fixtures used by name


def open_text_tab(page, service: Service, credits: int = 5) -> None:  # noqa: ANN001 - Playwright objects
    sign_in(page, service, service.new_account("web-text", credits=credits))
    page.get_by_role("tab", name="Text").click()
    expect(page.locator("#text-panel")).to_be_visible()
    expect(page.locator("#new-title")).to_be_hidden()  # the documents' cards step aside
    expect(page.get_by_role("tab", name="Text")).to_have_attribute("aria-selected", "true")


def test_text_tab_translates_bills_and_reuses_memory(page, service: Service) -> None:  # noqa: ANN001
    open_text_tab(page, service)
    page.get_by_label("Text to translate").fill("The red house is very old.\nThe dog is black.")
    expect(page.locator("#text-count")).to_have_text("44 characters")
    page.get_by_label("Into", exact=True).select_option("es")
    page.get_by_role("button", name="Translate text").click()
    output = page.get_by_label("Translation", exact=True)
    expect(output).to_have_value(re.compile(r"^La casa roja es muy vieja\.\nEl perro es negro\.$"))
    expect(page.locator("#text-meta")).to_have_text("English (detected) → Spanish · 1 credit · apertium")
    expect(page.locator("#acc-balance")).to_have_text("4")
    shot(page, "20-text-translated")

    page.get_by_label("Text to translate").press("Control+Enter")  # the same text again, from the keyboard
    expect(page.locator("#text-meta")).to_contain_text("free (from your translation memory)")
    expect(output).to_have_value(re.compile("La casa roja"))
    expect(page.locator("#acc-balance")).to_have_text("4")

    page.get_by_role("tab", name="Documents").click()
    expect(page.locator("#new-title")).to_be_visible()
    expect(page.locator("#text-panel")).to_be_hidden()


def test_text_tab_html_keeps_tags_and_explains_errors(page, service: Service) -> None:  # noqa: ANN001
    open_text_tab(page, service)
    page.get_by_label("Format", exact=True).select_option("html")
    page.get_by_label("From", exact=True).select_option("en")
    page.get_by_label("Into", exact=True).select_option("es")
    page.get_by_label("Text to translate").fill(
        '<p>The <b>big</b> dog. <a href="https://example.com/x">Read</a></p>'
    )
    page.get_by_role("button", name="Translate text").click()
    output = page.get_by_label("Translation", exact=True)
    expect(output).to_have_value(re.compile(r'^<p>El perro <b>grande</b>\. <a href="https://example.com/x">'))
    expect(page.locator("#text-meta")).to_contain_text("English → Spanish")

    page.get_by_label("Text to translate").fill("The dog. " * 2300)  # 20,700 characters: over the limit
    page.get_by_role("button", name="Translate text").click()
    expect(page.locator("#text-error")).to_contain_text("at most 20,000")
    expect(page.locator("#acc-balance")).to_have_text("4")  # the refused text cost nothing

    page.get_by_label("Text to translate").fill("   ")
    page.get_by_role("button", name="Translate text").click()
    expect(page.locator("#text-error")).to_have_text("Type or paste some text to translate.")
    expect(page.get_by_label("Text to translate")).to_be_focused()


def test_text_tab_on_a_phone(browser, service: Service) -> None:  # noqa: ANN001
    phone = new_page(browser, PHONE)
    try:
        open_text_tab(phone, service)
        phone.get_by_label("Text to translate").fill("The cat is white.")
        phone.get_by_label("Into", exact=True).select_option("ca")
        phone.get_by_role("button", name="Translate text").click()
        expect(phone.get_by_label("Translation", exact=True)).to_have_value(re.compile("gat"))
        box, out = (
            phone.get_by_label(n, exact=True).bounding_box() for n in ("Text to translate", "Translation")
        )
        assert out["y"] >= box["y"] + box["height"] and box["width"] <= PHONE["width"]  # stacked, not clipped
        shot(phone, "21-text-phone")
        assert phone.errors == []
    finally:
        phone.context.close()
