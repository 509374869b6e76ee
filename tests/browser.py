"""Debian's Chromium driven by Playwright, allowed to reach loopback addresses only.

Every request to another host is aborted and recorded in `page.blocked`, so a page that still
needs the internet (a CDN, web fonts) shows up as a failed test, never as traffic.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

CHROMIUM = os.environ.get("POLYDOC_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("Debian's chromium is not installed (apt-get install chromium)", allow_module_level=True)

ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}


@pytest.fixture(scope="module", name="browser")
def browser_fixture() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield browser
        browser.close()


browser = browser_fixture  # the same fixture under the name some modules import


def loopback_page(browser, viewport: dict[str, int] = DESKTOP, **options: object):  # noqa: ANN001, ANN201
    """A page in a new context whose non-loopback requests are aborted (and listed in `blocked`)."""
    context = browser.new_context(viewport=viewport, locale="en-GB", accept_downloads=True, **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.blocked, page.errors = [], []

    def only_loopback(route) -> None:  # noqa: ANN001
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).hostname in LOOPBACK:
            route.continue_()
        else:
            page.blocked.append(url)
            route.abort()

    context.route("**/*", only_loopback)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    return page


@pytest.fixture
def page(browser) -> Iterator[object]:  # noqa: ANN001
    """A loopback-only desktop page; the test fails if the page threw or tried to leave the machine."""
    page = loopback_page(browser)
    yield page
    errors, blocked = page.errors, page.blocked
    page.context.close()
    assert errors == [] and blocked == []


def sign_in(page, base_url: str, key: str) -> None:  # noqa: ANN001
    """Open the page and sign in with `key`; returns once the app shows."""
    page.goto(base_url + "/")
    page.get_by_label("API key").fill(key)
    page.get_by_label("API key").press("Enter")
    expect(page.locator("#app")).to_be_visible()
