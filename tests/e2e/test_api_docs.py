"""/api/docs: the vendored Swagger UI renders the platform's OpenAPI document under the CSP, offline."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Browsing

pytestmark = pytest.mark.e2e


def test_swagger_ui_lists_the_operations_without_a_cdn(browsing: Browsing) -> None:
    page = browsing.page
    page.goto(browsing.url("/api/docs"))
    expect(page.locator("#swagger-ui .opblock").first).to_be_visible(timeout=30_000)
    assert page.locator("#swagger-ui .opblock").count() > 20
    expect(page.locator("main h1").first).to_have_text("Tài liệu API")
    browsing.shot("api_docs_vi")
    assert browsing.console_errors == []
    assert browsing.external_requests == [] and browsing.blocked == []
