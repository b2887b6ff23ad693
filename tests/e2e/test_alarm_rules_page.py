"""The alarm rules page as the demo operator: a file checked, imported, told; a phone in English."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import Browsing, Server, overflow
from tests.e2e.test_dossier_journey import _sign_in
from tests.e2e.test_walk_both_languages import VIETNAMESE, page_text, untranslatable_fragments

pytestmark = pytest.mark.e2e

OPERATOR = ("dieuhanh", "DieuHanh@2025")
RULE = "e2e.rules-page-ha-dong"
# The demo's Hà Đông station has been silent for 20 minutes: a rule no other browser test raises.
RULE_YAML = f"""name: {RULE}
title: Trạm Hà Đông mất tín hiệu (thử)
target: {{series: operations.air.hanoi-ha-dong.pm25}}
when: {{no_data: {{minutes: 60}}}}
"""


def test_an_operator_checks_and_imports_a_rule_file_and_the_page_fits_a_phone(
    browsing: Browsing, server: Server
) -> None:
    page = browsing.page
    _sign_in(page, server.base_url, OPERATOR)
    page.goto(browsing.url("/operations/alarms"))
    page.click("#alarms-rules-link")
    expect(page.locator("h1")).to_have_text("Các luật cảnh báo")
    rules = server.data_dir / "e2e-rules-page.yaml"
    rules.write_text(RULE_YAML, encoding="utf-8")
    page.set_input_files("#rules-file", str(rules))
    page.click("button[value=check]")
    expect(page.locator("#rules-checked")).to_contain_text(f"{RULE} v1")
    page.set_input_files("#rules-file", str(rules))
    page.click("button[value=import]")
    expect(page.locator(".flash").filter(has_text=f"Đã nhập 1 luật: {RULE} v1")).to_have_count(1)
    expect(page.locator(f"#rules-active li[data-rule='{RULE}']")).to_have_count(1)
    browsing.shot("alarm_rules_01_imported_vi")

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(browsing.url("/lang/en?next=/operations/alarms/rules"))
    expect(page.locator("h1")).to_have_text("Alarm rules")
    assert overflow(page) <= 0, f"the page is {overflow(page)} px wider than a 390 px screen"
    text = page_text(page)
    assert [piece for piece in untranslatable_fragments() if piece in text] == []
    left = [line for line in text.splitlines() if VIETNAMESE.search(line.replace("Thăng Long", ""))]
    assert left == [], left
    browsing.shot("alarm_rules_02_phone_en")
