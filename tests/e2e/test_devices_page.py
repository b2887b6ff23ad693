"""The device register as the demo operator: a device placed by a click on the map, told what happened."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Browsing, Server, overflow
from tests.e2e.test_dossier_journey import _sign_in
from tests.e2e.test_walk_both_languages import VIETNAMESE, page_text, untranslatable_fragments

pytestmark = pytest.mark.e2e

OPERATOR = ("dieuhanh", "DieuHanh@2025")


def test_an_operator_registers_a_device_from_the_map_and_the_page_fits_a_phone_in_english(
    browsing: Browsing, server: Server
) -> None:
    page = browsing.page
    _sign_in(page, server.base_url, OPERATOR)
    page.goto(browsing.url("/operations/devices"))
    expect(page.locator("h1")).to_have_text("Thiết bị cảm biến")
    page.click("details.dev-new summary")
    page.fill("#dev-id", "e2e-aq-01")
    page.fill("#dev-name", "Trạm thử Hoàn Kiếm")
    # A click in the middle of the map gives the coordinates (the map opens on central Hanoi).
    page.locator("#devices-map").click()
    expect(page.locator("#dev-lon")).not_to_have_value("")
    lon, lat = float(page.input_value("#dev-lon")), float(page.input_value("#dev-lat"))
    assert 105.0 < lon < 106.5 and 20.5 < lat < 21.5, (lon, lat)
    browsing.shot("devices_01_form_vi")
    page.click("form.dev-form button[type=submit]")
    expect(page.locator(".flash").filter(has_text="Đã đăng ký thiết bị e2e-aq-01")).to_have_count(1)
    expect(page.locator("li[data-device='e2e-aq-01']")).to_have_count(1)

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(browsing.url("/lang/en?next=/operations/devices"))
    expect(page.locator("h1")).to_have_text("Sensor devices")
    page.click("details.dev-new summary")
    assert overflow(page) <= 0, f"the page is {overflow(page)} px wider than a 390 px screen"
    text = page_text(page)
    assert [piece for piece in untranslatable_fragments() if piece in text] == []
    # Device names are the operators' own words (Vietnamese place names): only they may stay.
    left = [
        line
        for line in text.splitlines()
        if VIETNAMESE.search(line.replace("Thăng Long", "")) and "Trạm" not in line and "Hà" not in line
    ]
    assert left == [], left
    browsing.shot("devices_02_phone_en")
