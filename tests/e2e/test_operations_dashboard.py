"""The operations dashboard as the demo operator: sensors on the map, a chart with its alarm band,
a phone's width, and English with no Vietnamese left."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import ViewportSize, expect

from tests.e2e.conftest import Browsing, Server, overflow, run_cli
from tests.e2e.test_alarm_console import _evaluate
from tests.e2e.test_dossier_journey import _sign_in
from tests.e2e.test_walk_both_languages import VIETNAMESE, page_text, untranslatable_fragments

pytestmark = pytest.mark.e2e

OPERATOR = ("dieuhanh", "DieuHanh@2025")
PHONE: ViewportSize = {"width": 390, "height": 844}
LIVE_TIMEOUT_MS = 10_000
RULE = "e2e.dashboard-cau-giay"
# The demo's Cầu Giấy readings are 35 to 56 µg/m³: "> 1" holds at once, and no demo rule watches it.
RULE_YAML = f"""name: {RULE}
title: Bụi mịn PM2.5 Cầu Giấy (thử)
title_en: Cau Giay PM2.5 (test)
target:
  series: operations.air.hanoi-cau-giay.pm25
when:
  threshold: "> 1"
severity: critical
"""


def test_the_dashboard_shows_sensors_a_banded_chart_and_fits_a_phone_in_english(
    browsing: Browsing, server: Server
) -> None:
    page = browsing.page
    _sign_in(page, server.base_url, OPERATOR)
    page.goto(browsing.url("/operations"))
    expect(page.locator("h1")).to_have_text("Bảng điều hành")
    # The demo's three located stations are drawn in the sensors' pane.
    pane = page.locator(".leaflet-pane[data-layer='operations.sensors']")
    expect(pane.locator("path.leaflet-interactive")).to_have_count(3)
    expect(page.locator("[data-layer-box='operations.sensors']")).to_have_attribute("data-state", "loaded")
    # The chart of the Hoàn Kiếm series with its threshold band (> 50 µg/m³) and its open alarm.
    chart = page.locator("#dash-chart")
    expect(chart).to_have_attribute("data-ready", "true")
    # At least the demo rule's band: the browser tests share one server, and another may add a rule.
    expect(chart).to_have_attribute("data-bands", re.compile(r"^[1-9][0-9]*$"))
    assert int(chart.get_attribute("data-buckets") or "0") >= 10
    assert int(chart.get_attribute("data-alarms") or "0") >= 1
    assert int(page.locator("[data-count=open]").inner_text()) >= 2
    expect(page.locator("#dash-live")).to_have_attribute("data-live", "open")
    browsing.shot("dashboard_01_desktop_vi")

    # A new critical alarm reaches the counts over the live channel, without a reload.
    critical = page.locator("[data-severity=critical]")
    before = critical.inner_text()
    page.evaluate("document.documentElement.dataset.liveMark = 'kept'")
    rule_file = server.data_dir / "e2e-dashboard-rule.yaml"
    rule_file.write_text(RULE_YAML, encoding="utf-8")
    run_cli(server, "operations", "alarms", "rules", "import", str(rule_file))
    _evaluate(server)
    expect(critical).not_to_have_text(before, timeout=LIVE_TIMEOUT_MS)
    assert page.evaluate("document.documentElement.dataset.liveMark") == "kept"

    page.set_viewport_size(PHONE)
    page.goto(browsing.url("/lang/en?next=/operations"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Operations dashboard")
    # At least the demo rule's band: the browser tests share one server, and another may add a rule.
    expect(chart).to_have_attribute("data-bands", re.compile(r"^[1-9][0-9]*$"))
    expect(pane.locator("path.leaflet-interactive")).to_have_count(3)
    page.wait_for_load_state("networkidle")
    assert overflow(page) <= 0
    text = page_text(page)
    assert [piece for piece in untranslatable_fragments() if piece in text] == []
    # The platform's name is the only Vietnamese left: a proper name, as on every page.
    left = [line for line in text.splitlines() if VIETNAMESE.search(line.replace("Thăng Long", ""))]
    assert left == []
    browsing.shot("dashboard_02_phone_en")
    assert browsing.console_errors == []
    assert browsing.external_requests == []
