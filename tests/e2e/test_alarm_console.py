"""The alarm console shows a new alarm without a reload, and fits a phone in English."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import ConsoleMessage, Frame, expect

from tests.e2e.conftest import DEMO_ADMIN, Browsing, Server, overflow, run_cli
from tests.e2e.test_dossier_journey import _sign_in

pytestmark = pytest.mark.e2e

# The relay polls the outbox every second; the alarm should reach the console in about 1-2 s.
LIVE_TIMEOUT_MS = 10_000
RULE = "e2e.hoan-kiem-high"
# The demo's Hoàn Kiếm sensor has an hour of readings between 35 and 56 µg/m³: "> 1" holds at once.
RULE_YAML = f"""name: {RULE}
title: Bụi mịn PM2.5 Hoàn Kiếm vượt ngưỡng (thử)
title_en: Hoan Kiem PM2.5 above the limit (test)
target:
  series: operations.air.hanoi-hoan-kiem.pm25
when:
  threshold: "> 1"
severity: critical
"""


def _evaluate(server: Server) -> None:
    """Evaluate the rules; the caller then sees the rule's alarm open on the page.

    The server's own schedule evaluates every rule each minute, so it may raise the alarm between the
    import and this evaluation: who raised it does not matter, and the page shows it either way.
    """
    run_cli(server, "operations", "alarms", "evaluate")


def test_a_raised_alarm_appears_in_the_open_console_and_the_page_fits_a_phone(
    browsing: Browsing, server: Server
) -> None:
    page = browsing.page
    errors: list[str] = []
    navigations: list[str] = []

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            errors.append(message.text)

    def on_navigated(frame: Frame) -> None:
        if frame == page.main_frame:
            navigations.append(frame.url)

    page.on("console", on_console)
    _sign_in(page, server.base_url, DEMO_ADMIN)
    page.goto(browsing.url("/operations/alarms"))
    expect(page.locator("#alarms-live")).to_have_attribute("data-live", "open")
    expect(page.locator(f"#alarms-open li[data-rule='{RULE}']")).to_have_count(0)
    page.on("framenavigated", on_navigated)
    # A mark on the document: a reload would build a new document without it.
    page.evaluate("document.documentElement.dataset.liveMark = 'kept'")
    browsing.shot("alarms_01_console_before")

    rule_file = server.data_dir / "e2e-rule.yaml"
    rule_file.write_text(RULE_YAML, encoding="utf-8")
    assert f"{RULE} v1" in run_cli(server, "operations", "alarms", "rules", "import", str(rule_file))
    evaluated = time.monotonic()
    _evaluate(server)

    row = page.locator(f"#alarms-open li[data-rule='{RULE}']")
    expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
    print(f"evaluation to the console: {time.monotonic() - evaluated:.2f} s")
    expect(row).to_have_attribute("data-severity", "critical")
    expect(row.locator(".sev")).to_have_text("Khẩn cấp")
    assert page.evaluate("document.documentElement.dataset.liveMark") == "kept"
    assert navigations == [], "the console must update in place, not reload"
    browsing.shot("alarms_02_console_raised")

    # Acknowledging tells the operator what happened and records who.
    row.locator("input[name=note]").fill("Đã cử người kiểm tra trạm")
    row.locator("button.alarm-ack").click()
    expect(page.locator(".flash").filter(has_text="Đã tiếp nhận cảnh báo")).to_have_count(1)
    acknowledged = page.locator(f"#alarms-open li[data-rule='{RULE}']")
    expect(acknowledged).to_have_attribute("data-status", "acknowledged")
    expect(acknowledged).to_contain_text("Đã cử người kiểm tra trạm")

    # The same console on a phone, in English, nothing wider than the screen.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(browsing.url("/lang/en?next=/operations/alarms"))
    expect(page.locator("#alarms-live")).to_have_attribute("data-live", "open")
    expect(page.locator("#alarms-live .live-on")).to_have_text("Updates by itself when an alarm changes")
    expect(page.locator(f"#alarms-open li[data-rule='{RULE}'] .sev")).to_have_text("Critical")
    assert overflow(page) <= 0, f"the console is {overflow(page)} px wider than a 390 px screen"
    browsing.shot("alarms_03_console_phone_en")
    assert errors == [], errors
    assert browsing.external_requests == [] and browsing.blocked == []
