"""The catalogue administration pages on a 390 px phone, in Vietnamese and English: list, edit, upload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import DEMO_ADMIN, Browsing, overflow
from tests.e2e.test_browser import sign_in
from thanglong.domains.procedures.catalogue.shipped import shipped_text

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}


def test_catalogue_admin_fits_a_phone_in_both_languages(browsing: Browsing, tmp_path: Path) -> None:
    page = browsing.page
    page.set_viewport_size(PHONE)
    page.goto(browsing.url("/login?next=/admin/procedures"))
    sign_in(browsing, *DEMO_ADMIN)
    expect(page.locator("h1")).to_have_text("Quản trị danh mục thủ tục")
    expect(page.locator("#catalogue-admin tr[data-code='1.001193']")).to_be_visible()
    assert overflow(page) <= 0, f"list: {overflow(page)} px too wide"
    browsing.shot("catalogue_admin_phone_vi")

    page.click("#catalogue-admin a[href='/admin/procedures/1.001193']")
    expect(page.locator("#edit-procedure input[name=name]")).to_have_value("Thủ tục đăng ký khai sinh")
    assert overflow(page) <= 0, f"edit: {overflow(page)} px too wide"
    browsing.shot("catalogue_admin_edit_phone_vi")

    document = json.loads(shipped_text())
    entry = next(e for e in document["procedures"] if e["code"] == "1.001193")
    entry["time_amount"] = entry["time_amount"] + 1
    upload = tmp_path / "danh-muc.json"
    upload.write_text(json.dumps({"procedures": [entry]}, ensure_ascii=False), encoding="utf-8")
    page.goto(browsing.url("/admin/procedures"))
    page.set_input_files("#upload-form input[type=file]", str(upload))
    page.click("#upload-form button[type=submit]")
    expect(page.locator("#plan-changes tr[data-code='1.001193']")).to_be_visible()
    expect(page.locator("#apply-form")).to_be_visible()
    assert overflow(page) <= 0, f"preview: {overflow(page)} px too wide"
    browsing.shot("catalogue_admin_preview_phone_vi")

    page.goto(browsing.url("/lang/en?next=/admin/procedures/1.001193"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#edit-procedure")).to_contain_text("Competent agency")
    assert overflow(page) <= 0, f"edit (en): {overflow(page)} px too wide"
    browsing.shot("catalogue_admin_edit_phone_en")
    page.goto(browsing.url("/lang/vi?next=/"))
    assert browsing.console_errors == []
    assert browsing.external_requests == [] and browsing.blocked == []
