"""The announcement centre in a browser: an officer drafts for two wards, the agency head approves."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import Browsing, Server, overflow
from tests.e2e.test_dossier_journey import _sign_in

pytestmark = pytest.mark.e2e

OFFICER = ("canbo", "CanBo@2025")
HEAD = ("chutich", "ChuTich@2025")
HEADLINE = "Thử nghiệm: lịch tiêm chủng tại hai phường"


def test_officer_drafts_for_two_communes_and_the_head_approves(
    browsing: Browsing, browser: Browser, server: Server
) -> None:
    page = browsing.page
    _sign_in(page, server.base_url, OFFICER)
    page.goto(browsing.url("/terminals/announcements/new"))
    page.fill("#ann-headline", HEADLINE)
    page.fill("#ann-description", "Tiêm vắc-xin sởi tại trạm y tế phường từ 8 giờ sáng.")
    page.select_option("#ann-category", "public_health")
    page.select_option("#ann-level", "priority")
    page.fill("#ann-start", "2099-01-01T08:00")
    page.fill("#ann-expires", "2099-01-03T08:00")
    page.select_option("#ann-communes", ["00070", "00004"])
    browsing.shot("announcements_01_form_vi")
    page.click("#ann-submit")
    expect(page.locator(".flash").filter(has_text="Đã gửi duyệt bản tin")).to_have_count(1)
    expect(page.locator("#ann-state")).to_have_attribute("data-state", "pending")
    expect(page.locator("#ann-communes")).to_contain_text("Hoàn Kiếm")
    expect(page.locator("#ann-communes")).to_contain_text("Ba Đình")
    detail = page.url

    head_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    try:
        head = head_context.new_page()
        _sign_in(head, server.base_url, HEAD)
        head.goto(detail)
        head.click("#ann-approve")
        expect(head.locator(".flash").filter(has_text="Đã duyệt và phát")).to_have_count(1)
        expect(head.locator("#ann-state")).to_have_attribute("data-state", "active")
        assert overflow(head) <= 0, f"the page is {overflow(head)} px wider than a 390 px screen"
        identifier = head.locator("#ann-xml").inner_text().split("<identifier>")[1].split("<")[0]
        head.goto(f"{server.base_url}/terminals/alerts/{identifier}")
        expect(head.locator("h1")).to_have_text(HEADLINE)
        assert overflow(head) <= 0
    finally:
        head_context.close()

    page.reload()
    expect(page.locator("#ann-state")).to_have_attribute("data-state", "active")
    expect(page.locator("#ann-trail")).to_contain_text("terminals.announcement.approved")
