"""The web page in a real browser (Debian's Chromium driven by Playwright) against `polydoc serve`.

Screenshots of the main states go to test-artifacts/web/.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import ROOT, Service

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

CHROMIUM = os.environ.get("POLYDOC_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SHOTS = ROOT / "test-artifacts" / "web"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

HTML = b"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>The red house</title></head>
<body><h1>The red house</h1><p>The <b>big</b> house is very old and the dog is black.</p>
<p>Read <a href="https://example.com/guide">the guide</a> today.</p></body></html>
"""
LONG = "".join(f"Sentence number {i} about the red house and the dog.\n\n" for i in range(6000)).encode()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


def new_page(browser, viewport: dict[str, int] = DESKTOP):  # noqa: ANN001, ANN201 - Playwright objects
    context = browser.new_context(viewport=viewport, accept_downloads=True, locale="en-GB")
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.errors = []  # uncaught exceptions in the page fail the test
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.fixture
def page(browser) -> Iterator[object]:  # noqa: ANN001
    page = new_page(browser)
    yield page
    errors = page.errors
    page.context.close()
    assert errors == []


def sign_in(page, service: Service, key: str) -> None:  # noqa: ANN001
    page.goto(service.base_url + "/")
    page.get_by_label("API key").fill(key)
    page.get_by_label("API key").press("Enter")
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#target-list input[value=es]")).to_be_attached()


def shot(page, name: str) -> None:  # noqa: ANN001
    page.evaluate("window.scrollTo(0, 0)")  # a full-page shot of a scrolled page misplaces the sticky header
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_translate_into_two_languages_and_download(page, service: Service) -> None:  # noqa: ANN001
    key = service.new_account("web-user", credits=200)
    page.goto(service.base_url + "/")
    shot(page, "01-sign-in")
    page.get_by_label("API key").fill("pd_not_a_key")
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator("#signin-error")).to_contain_text("That API key was not accepted")
    sign_in(page, service, key)
    expect(page.locator("#acc-balance")).to_have_text("200")

    page.locator("#file-input").set_input_files(
        [{"name": "welcome.html", "mimeType": "text/html", "buffer": HTML}]
    )
    expect(page.locator("#chosen")).to_contain_text("welcome.html")
    page.get_by_label("Spanish").check()
    page.get_by_label("Catalan").check()
    expect(page.locator("#start")).to_have_text("Translate (2 runs)")
    shot(page, "02-file-and-languages-chosen")
    page.locator("#start").click()

    runs = page.locator("li.run")
    expect(runs).to_have_count(2)
    expect(page.locator("li.run[data-status=Succeeded]")).to_have_count(2, timeout=60_000)
    expect(page.locator("#live")).to_contain_text("welcome.html into Spanish: finished")
    expect(page.locator("#live")).to_contain_text("welcome.html into Catalan: finished")
    spanish = runs.filter(has_text="Spanish")
    expect(spanish.locator(".stage")).to_contain_text("Done")
    expect(spanish.locator(".meta")).to_contain_text("1 credit")
    expect(page.locator("#acc-spent")).to_have_text("2")
    expect(page.locator("#acc-balance")).to_have_text("198")
    expect(page.locator("#files")).to_contain_text("welcome.es.html")
    shot(page, "03-runs-succeeded")

    with page.expect_download() as info:
        spanish.get_by_role("button", name=re.compile(" in Spanish$")).click()
    download = info.value
    assert download.suggested_filename == "welcome.es.html"
    text = Path(download.path()).read_text()
    assert "casa" in text and "perro" in text and "house" not in text and "<b>" in text

    with page.expect_download() as info:
        spanish.get_by_role("button", name=re.compile("original")).click()
    assert Path(info.value.path()).read_bytes() == HTML

    page.reload()  # the key is remembered; runs and files come back from the server
    expect(page.locator("li.run[data-status=Succeeded]")).to_have_count(2)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_label("API key")).to_be_visible()
    assert page.evaluate("localStorage.getItem('polydoc.apiKey')") is None


def test_price_and_balance_after_it_before_translate(page, service: Service) -> None:  # noqa: ANN001
    key = service.new_account("web-price", credits=100)
    story = "".join(f"Line number {i} tells of the red house and the dog.\n\n" for i in range(70)).encode()
    sign_in(page, service, key)
    expect(page.locator("#price")).to_be_hidden()
    page.locator("#file-input").set_input_files([{"name": "story.txt", "mimeType": "text/plain", "buffer": story}])
    page.get_by_label("Spanish").check()
    price = page.locator("#price")
    expect(price.locator(".price-total")).to_have_text("Price: 2 credits for 1 translation · balance 100 → 98")
    expect(price).to_contain_text("story.txt → Spanish: 2 credits (2 pages)")
    page.get_by_label("Catalan").check()  # every file × language, summed
    expect(price.locator(".price-total")).to_have_text("Price: 4 credits for 2 translations · balance 100 → 96")
    expect(page.locator("#acc-balance")).to_have_text("100")  # a price holds nothing
    shot(page, "02b-price-before-translate")
    page.get_by_label("Catalan").uncheck()
    expect(price.locator(".price-total")).to_have_text("Price: 2 credits for 1 translation · balance 100 → 98")
    page.locator("#start").click()
    expect(page.locator("li.run[data-status=Succeeded]")).to_have_count(1, timeout=60_000)
    expect(page.locator("#acc-balance")).to_have_text("98")  # charged what was shown
    expect(price).to_be_hidden()
    with service.client(key) as c:
        assert len(c.get("/v1/files").json()) == 2  # the upload priced is the one translated, and its output

    # the same text again: the memory has it, so it is free, and the page says so first
    page.locator("#file-input").set_input_files([{"name": "again.txt", "mimeType": "text/plain", "buffer": story}])
    expect(price.locator(".price-total")).to_have_text("Price: 0 credits for 1 translation · balance 98 → 98")
    expect(price).to_contain_text("70 of 70 segments from memory")
    page.locator("#chosen").get_by_role("button", name=re.compile("^Remove")).click()
    expect(price).to_be_hidden()
    with service.client(key) as c:  # an upload priced and then removed is not kept
        for _ in range(50):
            if len(c.get("/v1/files").json()) == 2:
                break
            page.wait_for_timeout(100)
        assert sorted(f["filename"] for f in c.get("/v1/files").json()) == ["story.es.txt", "story.txt"]


def test_bad_uploads_show_readable_errors(page, service: Service) -> None:  # noqa: ANN001
    key = service.new_account("web-errors", credits=50)
    sign_in(page, service, key)
    page.locator("#start").click()
    expect(page.locator("#form-error")).to_have_text("Choose at least one file to translate.")

    # a filename is text, never markup
    page.locator("#file-input").set_input_files(
        [{"name": "<img src=x onerror=alert(1)>.txt", "mimeType": "text/plain", "buffer": b""}]
    )
    expect(page.locator("#chosen")).to_contain_text("<img src=x onerror=alert(1)>.txt")
    assert page.locator("#chosen img").count() == 0
    page.locator("#chosen").get_by_role("button", name=re.compile("^Remove")).click()

    page.locator("#file-input").set_input_files([{"name": "empty.txt", "mimeType": "text/plain", "buffer": b""}])
    page.get_by_label("Spanish").check()
    page.locator("#start").click()
    expect(page.locator("#uploads")).to_contain_text("The file is empty. Choose a file that contains some text.")

    # binary junk named .txt, dropped on the drop zone
    junk = list(os.urandom(4096))
    handle = page.evaluate_handle(
        """(bytes) => {
            const dt = new DataTransfer();
            dt.items.add(new File([new Uint8Array(bytes)], "notes.txt", {type: "text/plain"}));
            return dt;
        }""",
        junk,
    )
    page.locator("#drop-zone").dispatch_event("drop", {"dataTransfer": handle})
    expect(page.locator("#chosen")).to_contain_text("notes.txt")
    page.locator("#start").click()
    expect(page.locator("#uploads")).to_contain_text("This kind of file can't be translated")
    expect(page.locator("#live")).to_contain_text("notes.txt could not be uploaded")

    # a document already in Spanish, into Spanish: the server's reason, in words
    page.locator("#file-input").set_input_files([{"name": "es.txt", "mimeType": "text/plain",
                                                  "buffer": b"La casa es muy grande y el perro es negro.\n"}])
    page.get_by_label("Spanish").check()
    page.locator("#start").click()
    expect(page.locator("#uploads")).to_contain_text("Spanish: This language combination isn't available")
    expect(page.locator("#uploads")).to_contain_text("Details: The document is already in es")
    expect(page.locator("#uploads")).not_to_contain_text("null")
    shot(page, "04-readable-errors")
    assert page.locator("li.run").count() == 0
    expect(page.locator("#files")).not_to_contain_text("es.txt")  # an upload no run uses is not kept
    expect(page.locator("#acc-balance")).to_have_text("50")
    with service.client(key) as c:
        assert c.get("/v1/files").json() == []


def test_keyboard_alone(page, service: Service) -> None:  # noqa: ANN001
    key = service.new_account("web-keyboard", credits=50)
    page.goto(service.base_url + "/")
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "api-key":
            break
    page.keyboard.type(key)
    page.keyboard.press("Enter")
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#target-list input[value=es]")).to_be_attached()

    page.locator("#file-input").set_input_files([{"name": "k.txt", "mimeType": "text/plain",
                                                  "buffer": b"The house is big.\n"}])
    reached: list[str] = []
    for _ in range(40):
        page.keyboard.press("Tab")
        ident = page.evaluate("document.activeElement.id || document.activeElement.value || ''")
        reached.append(ident)
        if ident == "file-input":
            focus_ring = page.evaluate("getComputedStyle(document.querySelector('#drop-zone')).outlineStyle")
            assert focus_ring == "solid"  # the drop zone shows that its file input has the focus
            shot(page, "05-keyboard-drop-zone-focused")
        if ident == "es":
            page.keyboard.press("Space")  # choose Spanish from the keyboard
        if ident == "start":
            break
    assert "file-input" in reached and "start" in reached, reached
    assert reached.index("file-input") < reached.index("es") < reached.index("start")
    page.keyboard.press("Enter")
    expect(page.locator("li.run[data-status=Succeeded]")).to_have_count(1, timeout=60_000)
    expect(page.locator("#live")).to_contain_text("k.txt into Spanish: finished")


def test_phone_cancel_filter_delete(browser, service: Service) -> None:  # noqa: ANN001
    key = service.new_account("web-phone", credits=500)
    page = new_page(browser, PHONE)
    sign_in(page, service, key)
    shot(page, "06-phone-empty")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]  # no sideways scrolling
    expect(page.locator("#acc-balance")).to_be_in_viewport()

    page.locator("#file-input").set_input_files([{"name": "long.txt", "mimeType": "text/plain", "buffer": LONG}])
    page.get_by_label("Spanish").check()
    page.locator("#start").click()
    run = page.locator("li.run").first
    expect(run).to_have_attribute("data-status", "Running", timeout=30_000)
    expect(run.locator("progress")).to_be_visible()
    shot(page, "07-phone-running")
    run.get_by_role("button", name=re.compile("^Cancel")).click()
    expect(run).to_have_attribute("data-status", "Failed")
    expect(run.locator(".badge")).to_have_text("Cancelled")
    expect(run).to_contain_text("You cancelled this run. No credits were charged.")
    expect(page.locator("#acc-balance")).to_have_text("500")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shot(page, "08-phone-cancelled")

    page.locator("#run-status").select_option("Succeeded")
    expect(page.locator("#runs-empty")).to_have_text("No runs match the filter.")
    page.locator("#run-status").select_option("Failed")
    expect(run).to_be_visible()
    page.locator("#run-filter").fill("long")
    expect(run).to_be_visible()
    page.locator("#run-filter").fill("nothing like this")
    expect(run).to_be_hidden()

    row = page.locator("li.file", has_text="long.txt")
    page.once("dialog", lambda dialog: dialog.accept())
    row.get_by_role("button", name=re.compile("^Delete")).click()
    expect(row).to_have_count(0)
    expect(page.locator("#live")).to_contain_text("long.txt was deleted")
    with service.client(key) as c:
        assert c.get("/v1/files").json() == []
    errors = page.errors
    page.context.close()
    assert errors == []
