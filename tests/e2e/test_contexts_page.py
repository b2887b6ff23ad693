"""The @context register page as the demo administrator: upload, be told, phone width in English."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_ADMIN, Browsing, Server, overflow
from tests.e2e.test_dossier_journey import _sign_in
from tests.e2e.test_walk_both_languages import VIETNAMESE, page_text, untranslatable_fragments

pytestmark = pytest.mark.e2e

URL = "https://data.hanoi.gov.vn/contexts/e2e-moi-truong.jsonld"


def test_an_administrator_registers_a_context_and_the_page_fits_a_phone_in_english(
    browsing: Browsing, server: Server
) -> None:
    page = browsing.page
    _sign_in(page, server.base_url, DEMO_ADMIN)
    page.goto(browsing.url("/operations/contexts"))
    expect(page.locator("h1")).to_have_text("Ngữ cảnh JSON-LD")
    document = server.data_dir / "e2e-context.jsonld"
    document.write_text(
        json.dumps({"@context": {"bui_min": "https://data.hanoi.gov.vn/vocab#pm25"}}), "utf-8"
    )
    page.fill("input[name=url]", URL)
    page.set_input_files("input[name=document]", str(document))
    page.click("form.ctx-form button[type=submit]")
    expect(page.locator(".flash").filter(has_text="Đã đăng ký @context")).to_have_count(1)
    expect(page.locator(f"#ctx-registered li[data-url='{URL}']")).to_have_count(1)
    browsing.shot("contexts_01_registered_vi")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(browsing.url("/lang/en?next=/operations/contexts"))
    expect(page.locator("h1")).to_have_text("JSON-LD contexts")
    assert overflow(page) <= 0, f"the page is {overflow(page)} px wider than a 390 px screen"
    text = page_text(page)
    assert [piece for piece in untranslatable_fragments() if piece in text] == []
    left = [line for line in text.splitlines() if VIETNAMESE.search(line.replace("Thăng Long", ""))]
    assert left == []
    browsing.shot("contexts_02_phone_en")
