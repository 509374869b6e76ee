"""The target picker says how each language is reached, with the source detected or set by hand.

Chromium against `polydoc serve`, with the fixtures and helpers of tests/test_web.py. Which pairs
are pivots depends on the Apertium pairs installed, so the expectations come from /v1/languages.
"""

from __future__ import annotations

from tests import test_web
from tests.helpers import Service

# the browser and page fixtures of tests/test_web.py, and its helpers
browser, page, expect, shot, sign_in = (
    test_web.browser,
    test_web.page,
    test_web.expect,
    test_web.shot,
    test_web.sign_in,
)

ENGLISH = b"The house is very big and the dog is small.\n\nThe cat sleeps in the garden.\n"


def _chip(page, code: str):  # noqa: ANN001, ANN202 - Playwright objects
    return page.locator(f"#target-list .chip[data-target='{code}']")


def test_pivot_choices_say_via_with_the_source_detected_or_set(page, service: Service) -> None:  # noqa: ANN001
    key = service.new_account("web-routes", credits=100)
    with service.client(key) as c:
        listing = c.get("/v1/languages").json()
    names = {lang["code"]: lang["name"] for lang in listing["languages"]}
    apertium = next(r for r in listing["routes"] if r["engine"] == "apertium")
    pivots = [r for r in apertium["pivot"] if r["source"] == "en"]
    assert pivots, "Apertium offers no pivot route from English here"
    sign_in(page, service, key)
    expect(_chip(page, "en-US")).to_be_attached()  # offered: Spanish or Catalan reach it directly

    page.locator("#file-input").set_input_files(
        [{"name": "r2.txt", "mimeType": "text/plain", "buffer": ENGLISH}]
    )
    # detection on: once the upload says English, every pivot choice says so
    for r in pivots:
        via = ", ".join(names[c] for c in r["via"])
        expect(_chip(page, r["target"]).locator(".via")).to_have_text(f"via {via}")
    expect(_chip(page, "es").locator(".via")).to_have_text("")  # direct
    # English into English (United States) would be refused: the chip says so before anyone tries
    expect(_chip(page, "en-US").locator(".via")).to_have_text("refused: same language")
    expect(_chip(page, "en-US")).to_have_class("chip refused")
    # the route is the checkbox's description, not part of its name
    first = pivots[0]
    via = f"via {', '.join(names[c] for c in first['via'])}"
    expect(_chip(page, first["target"]).locator("input")).to_have_accessible_description(via)
    expect(_chip(page, "es").locator("input")).to_have_accessible_description("")
    shot(page, "10-routes-detected")

    # the price asks the same estimate the run would: the refused variant is explained there too
    _chip(page, first["target"]).locator("input").check()
    expect(page.locator("#price .price-total")).to_contain_text("for 1 translation")
    _chip(page, "en-US").locator("input").check()
    expect(page.locator("#price")).to_contain_text(
        "English (United States): The document is already in this language"
    )

    # the same source set by hand: the same labels, and the refused variant is not offered at all
    page.get_by_text("Source language and engine").click()
    page.get_by_label("Source language").select_option("en")
    for r in pivots:
        expect(_chip(page, r["target"]).locator(".via")).to_have_text(
            f"via {', '.join(names[c] for c in r['via'])}"
        )
    expect(_chip(page, "en-US")).to_have_count(0)
    page.get_by_label("Source language").select_option("")
    expect(_chip(page, "en-US").locator(".via")).to_have_text("refused: same language")

    # without a chosen file nothing is known about the source: no route is claimed
    page.locator("#chosen").get_by_role("button", name="Remove r2.txt").click()
    expect(_chip(page, first["target"]).locator(".via")).to_have_text("")
    expect(_chip(page, "en-US")).not_to_have_class("chip refused")
