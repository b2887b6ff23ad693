"""The map page's layers in Chromium: offered by permission, toggled on and off, on a phone and in English."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.e2e.conftest import Browsing, overflow

pytestmark = pytest.mark.e2e

COMMUNES = "geo.communes"
DOSSIERS = "procedures.dossiers_by_commune"
HEAD = ("chutich", "ChuTich@2025")
COMMUNE_COUNT = 126


def toggle(page: Page, name: str) -> Locator:
    """Return the checkbox of a layer."""
    return page.locator(f'input[data-layer="{name}"]')


def drawn(page: Page, name: str) -> Locator:
    """Return the shapes Leaflet drew for a layer (each layer has its own pane)."""
    return page.locator(f'#map .leaflet-pane[data-layer="{name}"] path.leaflet-interactive')


def layer_box(page: Page, name: str) -> Locator:
    """Return the layer's entry in the layer list."""
    return page.locator(f'[data-layer-box="{name}"]')


def sign_in(browsing: Browsing, user: tuple[str, str]) -> None:
    """Sign in through the login form and come back to the map."""
    page = browsing.page
    page.goto(browsing.url("/login"))
    page.fill("input[name=username]", user[0])
    page.fill("input[name=password]", user[1])
    page.click("#login-submit")
    expect(page.locator(".who")).to_have_text(user[0])
    page.goto(browsing.url("/map"))


def popup_shown(page: Page) -> None:
    """Wait until the open popup has faded in, so that a screenshot shows it whole."""
    page.wait_for_function(
        "() => { const p = document.querySelector('.leaflet-popup');"
        " return p !== null && getComputedStyle(p).opacity === '1'; }",
        # Two cores shared with the rest of the suite: the fade may start late.
        timeout=45_000,
    )


def assert_hanoi_time(status: str) -> None:
    """Check that "Updated at HH:MM:SS" is Hanoi's time now, whatever the browser's time zone."""
    found = re.search(r"(\d\d):(\d\d):(\d\d)", status)
    assert found, status
    shown = int(found[1]) * 3600 + int(found[2]) * 60 + int(found[3])
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    expected = now.hour * 3600 + now.minute * 60 + now.second
    gap = abs(shown - expected) % 86400
    assert min(gap, 86400 - gap) <= 120, f"{status!r} is not Hanoi time ({now:%H:%M:%S})"


def no_overflow(page: Page) -> None:
    """Fail when the page is wider than the screen."""
    too_wide = overflow(page)
    assert too_wide <= 0, f"the page is {too_wide}px wider than the screen"


def test_anonymous_sees_the_communes_and_no_dossier_layer(browsing: Browsing) -> None:
    page = browsing.page
    page.goto(browsing.url("/map"))
    expect(page.locator("#commune-count")).to_have_text(str(COMMUNE_COUNT), timeout=30_000)
    expect(drawn(page, COMMUNES)).to_have_count(COMMUNE_COUNT)
    expect(toggle(page, COMMUNES)).to_be_checked()
    expect(toggle(page, DOSSIERS)).to_have_count(0)
    expect(layer_box(page, COMMUNES).locator(".map-legend li")).to_have_count(7)
    browsing.shot("map_layers_anonymous_vi")
    assert not [u for u in browsing.requests if DOSSIERS in u]
    assert browsing.console_errors == []
    assert browsing.external_requests == [] and browsing.blocked == []


def test_agency_head_toggles_the_dossier_layer(browsing: Browsing) -> None:
    page = browsing.page
    sign_in(browsing, HEAD)
    expect(page.locator("#commune-count")).to_have_text(str(COMMUNE_COUNT), timeout=30_000)
    expect(toggle(page, COMMUNES)).to_be_checked()
    expect(toggle(page, DOSSIERS)).not_to_be_checked()
    expect(drawn(page, DOSSIERS)).to_have_count(0)
    expect(layer_box(page, DOSSIERS)).to_contain_text("Cập nhật mỗi 60 giây")

    toggle(page, DOSSIERS).check()
    box = layer_box(page, DOSSIERS)
    expect(box).to_have_attribute("data-state", "loaded", timeout=30_000)
    features = int(box.get_attribute("data-features") or "0")
    assert features > 0
    expect(drawn(page, DOSSIERS)).to_have_count(features)
    # The layer asks for the visible area only.
    assert any(f"{DOSSIERS}.geojson?bbox=" in u for u in browsing.requests)
    expect(box.locator(".map-legend")).to_be_visible()
    browsing.shot("map_layers_head_both_vi")

    toggle(page, COMMUNES).uncheck()
    expect(drawn(page, COMMUNES)).to_have_count(0)
    expect(page.locator("#commune-count")).to_have_text("0")
    expect(drawn(page, DOSSIERS)).to_have_count(features)
    # A click on a ward opens its popup with the counts.
    drawn(page, DOSSIERS).first.click(force=True)
    expect(page.locator(".leaflet-popup-content .map-popup dt").first).to_have_text("Mã")
    popup_shown(page)
    browsing.shot("map_layers_head_dossiers_only_vi")

    toggle(page, DOSSIERS).uncheck()
    expect(drawn(page, DOSSIERS)).to_have_count(0)
    expect(box.locator(".map-legend")).to_be_hidden()
    toggle(page, COMMUNES).check()
    expect(drawn(page, COMMUNES)).to_have_count(COMMUNE_COUNT, timeout=30_000)
    assert browsing.console_errors == []
    assert browsing.external_requests == [] and browsing.blocked == []


def test_map_layers_on_a_phone_in_english(browsing: Browsing) -> None:
    page = browsing.page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(browsing, HEAD)
    page.goto(browsing.url("/lang/en?next=/map"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#map-layers legend")).to_have_text("Map layers")
    expect(layer_box(page, COMMUNES)).to_contain_text("Wards and communes: population density")
    expect(layer_box(page, DOSSIERS)).to_contain_text("Refreshed every 60 seconds")
    expect(page.locator("#commune-count")).to_have_text(str(COMMUNE_COUNT), timeout=30_000)
    toggle(page, DOSSIERS).check()
    expect(layer_box(page, DOSSIERS)).to_have_attribute("data-state", "loaded", timeout=30_000)
    expect(layer_box(page, DOSSIERS).locator(".map-legend")).to_contain_text("50 and over")
    expect(layer_box(page, DOSSIERS)).to_contain_text("Updated at")
    assert_hanoi_time(layer_box(page, DOSSIERS).locator("[data-layer-status]").inner_text())
    no_overflow(page)
    browsing.shot("map_layers_phone_en")
    page.locator("#map").scroll_into_view_if_needed()
    drawn(page, DOSSIERS).first.click(force=True)
    expect(page.locator(".leaflet-popup-content .map-popup dt").nth(1)).to_have_text("In progress")
    popup_shown(page)
    no_overflow(page)
    browsing.shot("map_layers_phone_en_popup")
    assert browsing.console_errors == []
    assert browsing.external_requests == [] and browsing.blocked == []
