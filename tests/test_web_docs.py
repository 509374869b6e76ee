"""`/docs` and `/redoc` render their operations in Chromium with the internet cut off."""

from __future__ import annotations

import pytest

from tests.browser import browser_fixture, expect, loopback_page  # noqa: F401 - a fixture
from tests.helpers import Service


@pytest.fixture
def page(browser):  # noqa: ANN001, ANN201
    page = loopback_page(browser)
    yield page
    page.context.close()


def test_swagger_ui_renders_every_operation_offline(page, service: Service) -> None:  # noqa: ANN001
    page.goto(service.base_url + "/docs")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("Polydoc")
    runs_create = page.locator(".opblock-post", has_text="/v1/runs").first
    expect(runs_create).to_be_visible()
    operations = service.client().get("/openapi.json").json()["paths"]
    count = sum(len(methods) for methods in operations.values())
    expect(page.locator(".opblock")).to_have_count(count)
    # an operation opens and shows its schema, which Swagger UI draws from the spec
    page.locator(".opblock-summary-path", has_text="/v1/languages").first.click()
    expect(page.get_by_role("button", name="Try it out")).to_be_visible()
    assert page.blocked == [] and page.errors == []


def test_redoc_renders_the_operations_offline(page, service: Service) -> None:  # noqa: ANN001
    page.goto(service.base_url + "/redoc")
    expect(page.locator("h1", has_text="Polydoc")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("/v1/runs/{run_id}/cancel").first).to_be_attached()
    expect(page.locator("[data-section-id^='tag/runs']").first).to_be_attached()
    assert page.blocked == [] and page.errors == []


def test_docs_assets_come_from_this_server(service: Service) -> None:
    html = service.client().get("/docs").text + service.client().get("/redoc").text
    assert "cdn." not in html and "fonts.googleapis" not in html
    for asset in ("swagger-ui-bundle.js", "swagger-ui.css", "redoc.standalone.js"):
        resp = service.client().get(f"/static-docs/{asset}")
        assert resp.status_code == 200 and len(resp.content) > 100_000
