"""The web page's papercuts a new user met, in Chromium on a phone-sized screen and on a desktop.

Screenshots go to test-artifacts/web/phone-*.png.
"""

from __future__ import annotations

import pytest

from polydoc.formats.registry import by_extension
from tests.browser import DESKTOP, PHONE, browser_fixture, expect, loopback_page  # noqa: F401 - a fixture
from tests.helpers import ROOT, Service

SHOTS = ROOT / "test-artifacts" / "web"
NARROW_PHONE = {"width": 320, "height": 640}  # the narrowest phones still sold
STORY = b"The red house is very old.\n\nThe dog is black and the cat is white.\n"


@pytest.fixture(params=["phone", "desktop"])
def page(browser, request):  # noqa: ANN001, ANN201
    page = loopback_page(
        browser, PHONE if request.param == "phone" else DESKTOP, has_touch=request.param == "phone"
    )
    page.screen = request.param
    yield page
    errors, blocked = page.errors, page.blocked
    page.context.close()
    assert errors == [] and blocked == []


def sign_in(page, service: Service, key: str) -> None:  # noqa: ANN001
    page.goto(service.base_url + "/")
    page.get_by_label("API key").fill(key)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#target-list input[value=es]")).to_be_attached()


def box(page, selector: str) -> dict[str, float]:  # noqa: ANN001
    return page.locator(selector).first.bounding_box()


def under_header(page, selector: str) -> bool:  # noqa: ANN001
    """True when the element's top is hidden behind the sticky header."""
    header = box(page, ".topbar")
    return box(page, selector)["y"] < header["y"] + header["height"] - 1


def test_the_heading_is_not_hidden_under_the_header_after_sign_in(page, service: Service) -> None:  # noqa: ANN001
    sign_in(page, service, service.new_account("papercut-heading", credits=5))
    heading = page.get_by_role("heading", name="Translate documents")
    expect(heading).to_be_visible()
    page.wait_for_timeout(300)  # any scroll the sign-in causes has happened
    page.screenshot(path=str(SHOTS / f"phone-{page.screen}-signed-in.png"))
    assert not under_header(page, "#main") and not under_header(page, "#new-title")
    assert page.evaluate("document.activeElement.id") == "main"  # focus moved for keyboard users


@pytest.mark.parametrize("credits", [1, 1_234_567])
def test_the_phone_header_is_not_clipped(page, service: Service, credits: int) -> None:  # noqa: ANN001
    if page.screen == "phone":
        page.set_viewport_size(NARROW_PHONE)
    sign_in(page, service, service.new_account("papercut-header", credits=credits))
    expect(page.locator("#acc-balance")).to_have_text(f"{credits:,}")  # thousands separated
    expect(page.locator("#account .unit")).to_have_text("credit" if credits == 1 else "credits")
    page.screenshot(path=str(SHOTS / f"phone-{page.screen}-header-{credits}.png"))
    width = page.viewport_size["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scrolling
    sign_out = box(page, "#sign-out")
    for stat in page.locator("#account .stat").all():
        b = stat.bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= width + 0.5, stat.inner_text()
        overlaps = (
            b["x"] < sign_out["x"] + sign_out["width"]
            and sign_out["x"] < b["x"] + b["width"]
            and (b["y"] < sign_out["y"] + sign_out["height"] and sign_out["y"] < b["y"] + b["height"])
        )
        assert not overlaps, f"{stat.inner_text()!r} is under the Sign out button"
    brand = box(page, ".brand")
    assert brand["x"] >= 0 and brand["y"] >= 0


def test_after_translate_the_new_runs_are_shown_and_announced(page, service: Service) -> None:  # noqa: ANN001
    sign_in(page, service, service.new_account("papercut-feedback", credits=50))
    page.locator("#file-input").set_input_files(
        [{"name": "story.txt", "mimeType": "text/plain", "buffer": STORY}]
    )
    page.get_by_label("Spanish").check()
    page.get_by_label("Catalan").check()
    page.locator("#start").click()
    expect(page.locator("li.run")).to_have_count(2)
    status = page.locator("#start-summary")
    expect(status).to_contain_text("Started 2 translations")
    expect(status).to_be_visible()
    runs = page.locator("#runs li.run").first
    expect(runs).to_be_in_viewport()
    page.wait_for_timeout(600)  # the scroll has ended
    assert not under_header(page, "#runs li.run")
    page.screenshot(path=str(SHOTS / f"phone-{page.screen}-after-translate.png"))
    expect(page.locator("li.run[data-status=Succeeded]")).to_have_count(2, timeout=60_000)


def test_the_file_picker_offers_the_formats_we_translate(page, service: Service) -> None:  # noqa: ANN001
    page.goto(service.base_url + "/")
    accept = page.locator("#file-input").get_attribute("accept") or ""
    assert sorted(accept.split(",")) == sorted(f".{ext}" for ext in by_extension())
