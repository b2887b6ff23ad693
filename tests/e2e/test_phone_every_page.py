"""At 390 px, as each demo role, in both languages: the menu collapses and no page is wider than the screen.

Every page reachable from the navigation the role sees is visited (plus home, map and the API docs).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import DEMO_ADMIN, Browsing, overflow

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
ROLES = {
    "anonymous": None,
    "citizen": ("congdan", "CongDan@2025"),
    "officer": ("canbo", "CanBo@2025"),
    "head": ("chutich", "ChuTich@2025"),
    "operator": ("dieuhanh", "DieuHanh@2025"),
    "administrator": DEMO_ADMIN,
}


def nav_paths(page: Page) -> list[str]:
    """Return the paths of the main navigation's links."""
    hrefs = page.eval_on_selector_all("#mainnav a", "links => links.map(a => a.getAttribute('href'))")
    return list(dict.fromkeys(str(h) for h in hrefs if h and h.startswith("/")))


@pytest.mark.parametrize("lang", ["vi", "en"])
@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone(browsing: Browsing, role: str, lang: str) -> None:
    page = browsing.page
    page.set_viewport_size(PHONE)
    user = ROLES[role]
    if user is not None:
        page.goto(browsing.url("/login"))
        page.fill("input[name=username]", user[0])
        page.fill("input[name=password]", user[1])
        page.click("#login-submit")
        expect(page.locator(".who")).to_have_text(user[0])
    page.goto(browsing.url(f"/lang/{lang}?next=/"))
    expect(page.locator("html")).to_have_attribute("lang", lang)
    # The navigation is a menu: hidden until the button opens it.
    toggle = page.locator("#menu-toggle")
    expect(toggle).to_be_visible()
    expect(page.locator("#mainnav")).to_be_hidden()
    toggle.click()
    expect(page.locator("#mainnav")).to_be_visible()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(toggle).to_have_text("Menu" if lang == "en" else "Danh mục")
    paths = nav_paths(page)
    assert "/" in paths and "/map" in paths
    too_wide = []
    for path in [*paths, "/api/docs"]:
        page.goto(browsing.url(path))
        page.wait_for_load_state("networkidle")
        if overflow(page) > 0:
            too_wide.append(f"{path}: {overflow(page)} px")
            browsing.shot(f"phone_overflow_{role}_{lang}_{path.strip('/').replace('/', '_') or 'home'}")
    browsing.shot(f"phone_{role}_{lang}_last")
    assert not too_wide, f"pages wider than a 390 px screen as {role} ({lang}): {too_wide}"
    assert browsing.external_requests == [] and browsing.blocked == []
