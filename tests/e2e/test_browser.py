"""End-to-end tests in Debian's Chromium against a real `thanglong serve` process."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_ADMIN, Browsing, overflow

pytestmark = pytest.mark.e2e

COMMUNES = 126


def sign_in(browsing: Browsing, username: str, password: str) -> None:
    """Fill and submit the login form."""
    page = browsing.page
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("#login-submit")


def test_admin_signs_in_through_the_form_and_reaches_users_admin(browsing: Browsing) -> None:
    page = browsing.page
    page.goto(browsing.url("/"))
    page.click("#login-link")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator("input[name=csrf_token]")).to_have_count(1)
    browsing.shot("login_vi")

    sign_in(browsing, DEMO_ADMIN[0], "mat-khau-sai")
    expect(page).to_have_url(re.compile(r"/login"))
    expect(page.locator(".who")).to_have_count(0)
    expect(page.locator("[role=alert]").first).to_be_visible()
    expect(page.locator("input[name=username]")).to_have_value(DEMO_ADMIN[0])
    browsing.shot("login_wrong_password_vi")

    sign_in(browsing, *DEMO_ADMIN)
    expect(page.locator(".who")).to_have_text(DEMO_ADMIN[0])
    expect(page).to_have_url(browsing.url("/"))
    expect(page.locator("#commune-figures")).to_be_visible()
    expect(page.locator("#stat-phuong")).to_contain_text("51")
    expect(page.locator("#stat-xa")).to_contain_text("75")
    browsing.shot("home_admin_vi")

    page.click("nav.mainnav a[href='/admin/users']")
    expect(page).to_have_url(browsing.url("/admin/users"))
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_attribute("href", "/admin/users")
    expect(page.locator("main")).to_contain_text(DEMO_ADMIN[0])
    browsing.shot("admin_users_vi")

    page.click("nav.mainnav a[href='/admin/agencies']")
    expect(page.locator("form#create-agency")).to_be_visible()
    expect(page.locator("tr[data-code='000.00.61.H26']")).to_have_count(1)
    browsing.shot("admin_agencies_vi")

    page.click("#logout")
    expect(page.locator(".who")).to_have_count(0)
    expect(page.locator("#login-link")).to_be_visible()
    # The rejected password answers 401, which Chromium logs; nothing else may fail.
    assert [e for e in browsing.console_errors if "401" not in e] == []
    assert browsing.external_requests == [] and browsing.blocked == []


def test_language_switch_to_english_and_back(browsing: Browsing) -> None:
    page = browsing.page
    page.goto(browsing.url("/map"))
    html = page.locator("html")
    home_link = page.locator("nav.mainnav a[href='/']")
    map_link = page.locator("nav.mainnav a[href='/map']")
    expect(html).to_have_attribute("lang", "vi")
    expect(home_link).to_have_text("Trang chủ")
    expect(map_link).to_have_text("Bản đồ")

    page.click("a.lang[data-lang=en]")
    expect(page).to_have_url(browsing.url("/map"))
    expect(html).to_have_attribute("lang", "en")
    expect(home_link).to_have_text("Home")
    expect(map_link).to_have_text("Map")
    expect(page.locator("a.lang[data-lang=en]")).to_have_attribute("aria-current", "true")
    page.goto(browsing.url("/"))
    expect(page.locator("#domains-title")).to_have_text("Platform domains")
    browsing.shot("home_en")

    page.click("a.lang[data-lang=vi]")
    expect(html).to_have_attribute("lang", "vi")
    expect(home_link).to_have_text("Trang chủ")
    expect(page.locator("#domains-title")).to_have_text("Các lĩnh vực của nền tảng")
    assert browsing.console_errors == []
    assert browsing.external_requests == [] and browsing.blocked == []


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_map_draws_every_commune_without_leaving_localhost(browsing: Browsing, lang: str) -> None:
    page = browsing.page
    page.goto(browsing.url(f"/lang/{lang}?next=/map"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#map")).to_be_visible()
    expect(page.locator("#commune-count")).to_have_text(str(COMMUNES), timeout=30_000)
    expect(page.locator("#map path.leaflet-interactive")).to_have_count(COMMUNES)
    browsing.shot(f"map_{lang}")
    assert any("/api/v1/map/layers/geo.communes.geojson" in u for u in browsing.requests)
    assert browsing.external_requests == [], browsing.external_requests
    assert browsing.blocked == []
    assert browsing.console_errors == []


def test_home_fits_a_phone_screen(browsing: Browsing) -> None:
    page = browsing.page
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(browsing.url("/"))
    expect(page.locator("#commune-figures")).to_be_visible()
    too_wide = overflow(page)
    assert too_wide <= 0, f"the page is {too_wide}px wider than the phone screen"
    browsing.shot("home_phone_vi")
    assert browsing.console_errors == []


def test_unknown_page_shows_the_error_page(browsing: Browsing) -> None:
    page = browsing.page
    response = page.goto(browsing.url("/khong-co-trang-nay"))
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Không tìm thấy trang")
    expect(page.locator("p.error")).to_have_attribute("data-code", "not_found")
    browsing.shot("error_404_vi")
