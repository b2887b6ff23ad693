"""The notices a citizen and an officer find in their inbox, on a 390 px phone, in both languages."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, Page, ViewportSize, expect

from tests.e2e.conftest import ARTIFACTS, Browsing, overflow
from tests.e2e.test_dossier_journey import AGENCY_CODE, CITIZEN, OFFICER, PROCEDURE, _officer_act, _sign_in

pytestmark = pytest.mark.e2e

PHONE: ViewportSize = {"width": 390, "height": 844}


def _file(page: Page, base: str) -> str:
    """File a residence registration as the demo citizen; return the dossier id."""
    page.goto(f"{base}/procedures/{PROCEDURE}/apply")
    agency = page.locator(f"#receiving_agency_id option[data-code='{AGENCY_CODE}']").get_attribute("value")
    page.select_option("#receiving_agency_id", agency)
    page.fill("[name='f.nguoi_nop.ho_ten']", "Phạm Văn Long")
    page.fill("[name='f.nguoi_nop.so_dinh_danh']", "001190054321")
    page.fill("[name='f.nguoi_nop.dien_thoai']", "0987654321")
    page.fill("[name='f.dia_chi_cu_tru']", "Số 3 phố Hàng Đào, phường Hoàn Kiếm, Hà Nội")
    page.select_option("[name='f.cho_o']", "so_huu")
    page.select_option("[name='f.hinh_thuc_nhan']", "truc_tuyen")
    page.click("#apply-submit")
    expect(page).to_have_url(re.compile(r"/my/dossiers/[0-9a-f-]{36}"))
    return page.url.rsplit("/", 1)[1]


def test_the_citizen_and_the_officer_find_their_notices_in_the_inbox(
    browsing: Browsing, browser: Browser
) -> None:
    citizen, base = browsing.page, browsing.base_url
    citizen.set_viewport_size(PHONE)
    staff_context = browser.new_context(viewport=PHONE, locale="vi-VN")
    staff_context.set_default_timeout(15_000)
    staff = staff_context.new_page()
    try:
        _sign_in(citizen, base, CITIZEN)
        dossier_id = _file(citizen, base)
        link = f"/my/dossiers/{dossier_id}"

        # The officer is told of the new dossier (the server's worker runs the job after the commit).
        _sign_in(staff, base, OFFICER)
        staff.goto(f"{base}/inbox")
        officer_item = staff.locator(f"#inbox-list a.inbox-link[href='/officer/dossiers/{dossier_id}']")
        expect(officer_item).to_have_count(1)
        assert overflow(staff) <= 0
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        staff.screenshot(path=str(ARTIFACTS / "notices_officer_inbox_phone.png"), full_page=True)
        _officer_act(staff, base, dossier_id, "receive")
        code = staff.locator("#dossier-code").inner_text().strip()
        _officer_act(staff, base, dossier_id, "request_supplement", "Bổ sung bản sao giấy tờ nhà")

        # The citizen's inbox: the receipt and the request, each linking to the dossier.
        # The notices are written by after-commit jobs and the inbox page is not live: open it again until
        # both are there (a busy machine may run the second job after the first opening).
        items = citizen.locator(f"#inbox-list li:has(a.inbox-link[href='{link}'])")
        deadline = time.monotonic() + 45
        while True:
            citizen.goto(f"{base}/inbox")
            if items.count() >= 2 or time.monotonic() > deadline:
                break
            citizen.wait_for_timeout(1_000)
        expect(items).to_have_count(2)
        expect(citizen.locator("#inbox-list")).to_contain_text(f"Hồ sơ {code} đã được tiếp nhận")
        expect(citizen.locator("#inbox-list")).to_contain_text("Bổ sung bản sao giấy tờ nhà")
        assert overflow(citizen) <= 0
        browsing.shot("notices_citizen_inbox_phone_vi")

        citizen.goto(f"{base}/lang/en?next=/inbox")
        expect(citizen.locator("html")).to_have_attribute("lang", "en")
        expect(citizen.locator("h1")).to_have_text("Inbox")
        expect(items.first.locator("a.inbox-link")).to_have_text("View details")
        assert overflow(citizen) <= 0
        browsing.shot("notices_citizen_inbox_phone_en")
        items.first.locator("button.mark-read").click()
        expect(citizen.locator(f"#inbox-list li.read:has(a.inbox-link[href='{link}'])")).to_have_count(1)
        items.first.locator("a.inbox-link").click()
        expect(citizen).to_have_url(re.compile(re.escape(link) + "$"))
        expect(citizen.locator("#dossier")).to_have_attribute("data-status", "supplement_requested")
    finally:
        staff_context.close()
    assert browsing.external_requests == [] and browsing.blocked == []
