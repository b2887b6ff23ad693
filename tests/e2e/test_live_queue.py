"""The officer's queue updates by itself, without a reload, when a citizen files in another browser."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Frame, Page, expect

from tests.e2e.conftest import ARTIFACTS, Browsing
from tests.e2e.test_dossier_journey import (
    AGENCY_CODE,
    CITIZEN,
    OFFICER,
    PROCEDURE,
    _officer_act,
    _pdf,
    _sign_in,
)

pytestmark = pytest.mark.e2e

# The relay polls the outbox every second; filing to the officer's screen should take about 1-2 s.
LIVE_TIMEOUT_MS = 10_000


def _shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _officer_context(browser: Browser) -> BrowserContext:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    context.set_default_timeout(15_000)
    return context


def _file(citizen: Page, base: str) -> str:
    """File a temporary-residence dossier to the officer's ward, as the journey test does."""
    citizen.goto(f"{base}/procedures/{PROCEDURE}/apply")
    agency = citizen.locator(f"#receiving_agency_id option[data-code='{AGENCY_CODE}']").get_attribute("value")
    citizen.select_option("#receiving_agency_id", agency)
    citizen.fill("[name='f.nguoi_nop.ho_ten']", "Lê Văn Trực")
    citizen.fill("[name='f.nguoi_nop.so_dinh_danh']", "001190054321")
    citizen.fill("[name='f.nguoi_nop.dien_thoai']", "0987654321")
    citizen.fill("[name='f.dia_chi_cu_tru']", "Số 5 phố Hàng Đào, phường Hoàn Kiếm, Hà Nội")
    citizen.select_option("[name='f.cho_o']", "so_huu")
    citizen.select_option("[name='f.hinh_thuc_nhan']", "truc_tuyen")
    citizen.set_input_files(
        "#files", files=[{"name": "so-do.pdf", "mimeType": "application/pdf", "buffer": _pdf("So do")}]
    )
    citizen.click("#apply-submit")
    expect(citizen).to_have_url(re.compile(r"/my/dossiers/[0-9a-f-]{36}"))
    return citizen.url.rsplit("/", 1)[1]


def test_the_officers_queue_shows_a_new_dossier_and_its_status_change_without_reload(
    browsing: Browsing, browser: Browser
) -> None:
    base = browsing.base_url
    officer_context, other_context = _officer_context(browser), _officer_context(browser)
    officer, other = officer_context.new_page(), other_context.new_page()
    errors: list[str] = []
    navigations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_navigated(frame: Frame) -> None:
        if frame == officer.main_frame:
            navigations.append(frame.url)

    officer.on("console", on_console)
    try:
        _sign_in(officer, base, OFFICER)
        officer.goto(f"{base}/officer/queue")
        live = officer.locator("#queue-live")
        expect(live).to_have_attribute("data-live", "open")
        officer.on("framenavigated", on_navigated)
        # A mark on the document: a reload would build a new document without it.
        officer.evaluate("document.documentElement.dataset.liveMark = 'kept'")
        _shot(officer, "live_queue_01_officer_before")

        _sign_in(browsing.page, base, CITIZEN)
        dossier_id = _file(browsing.page, base)
        filed = time.monotonic()
        row = officer.locator(f"#queue-new a[href='/officer/dossiers/{dossier_id}']")
        expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        seconds = time.monotonic() - filed
        print(f"filing to the officer's screen: {seconds:.2f} s")
        assert officer.evaluate("document.documentElement.dataset.liveMark") == "kept"
        assert navigations == [], "the queue must update in place, not reload"
        browsing.shot("live_queue_02_citizen_filed")
        _shot(officer, "live_queue_02_officer_after_filing")

        # Another officer of the ward receives it: the first officer sees it move to "received".
        _sign_in(other, base, OFFICER)
        _officer_act(other, base, dossier_id, "receive")
        moved = officer.locator(f"#queue-received a[href='/officer/dossiers/{dossier_id}']")
        expect(moved).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
        expect(row).to_have_count(0)
        assert officer.evaluate("document.documentElement.dataset.liveMark") == "kept"
        assert navigations == []
        _shot(officer, "live_queue_03_officer_after_receive")

        # The same page on a phone, in English: the live line reads in the page's language.
        officer.set_viewport_size({"width": 390, "height": 844})
        officer.goto(f"{base}/lang/en?next=/officer/queue")
        expect(officer.locator("#queue-live")).to_have_attribute("data-live", "open")
        expect(officer.locator("#queue-live .live-on")).to_have_text(
            "Updates by itself when a dossier arrives"
        )
        width = officer.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"the queue page is {width} px wide on a 390 px screen"
        _shot(officer, "live_queue_04_officer_phone_en")
    finally:
        officer_context.close()
        other_context.close()
    assert errors == [], errors
    assert browsing.external_requests == [] and browsing.blocked == []
