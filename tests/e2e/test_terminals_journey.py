"""Issue 10, acceptance item 1, in a browser against the real platform on its embedded defaults.

An officer drafts an announcement for two communes, the agency head approves it, simulated terminals in
those communes (and only those) receive, verify and acknowledge it, and the reach page fills in, figures
and map, without a reload. The terminals are provisioned through the fleet page and run by `thanglong
terminals simulate` on the server's own broker (the embedded amqtt, MQTT 3.1.1), trusting the key that
`thanglong terminals keys public` prints for the server's data directory.

Two simulator runs: the "live" terminals (two per target commune, two in a third commune) are listening
when the announcement is approved; the "late" ones (one per target commune) start only once the reach
page is open, and take the announcement from the topic's retained active list, as a terminal back from
a power cut would. So the open page is certainly short of the late terminals' receipts, and must fill in
by itself.
"""

from __future__ import annotations

import json
import re
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.e2e.conftest import ARTIFACTS, DEMO_ADMIN, Browsing, Server, overflow, thanglong, too_wide
from tests.e2e.test_dossier_journey import _sign_in

pytestmark = pytest.mark.e2e

OFFICER = ("canbo", "CanBo@2025")
HEAD = ("chutich", "ChuTich@2025")
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")
# Three wards with no demo terminals, so every terminal expected there is one of this test's.
TARGETS = ("00008", "00082")  # Phường Ngọc Hà, Phường Cửa Nam
THIRD = "00025"  # Phường Giảng Võ, next to both, not targeted
LIVE = {TARGETS[0]: 2, TARGETS[1]: 2, THIRD: 2}
LATE = {TARGETS[0]: 1, TARGETS[1]: 1}
EXPECTED = sum(LIVE[c] + LATE.get(c, 0) for c in TARGETS)
HEADLINE = "Thử nghiệm: cắt nước tại Ngọc Hà và Cửa Nam"
GREEN = "#1a9850"  # the reach layer's "99 % and over" class (terminals manifest REACH_COLORS)
RED = "#d7301f"  # "under 50 %"
VIETNAMESE = re.compile(r"[ăâđêôơưĂÂĐÊÔƠƯàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵ]")
RECEIPTS_TIMEOUT_MS = 20_000


def _cli(server: Server, *commands: list[str]) -> list[str]:
    """Run `thanglong` commands side by side against the server's data directory; return their outputs."""
    running = [
        subprocess.Popen(
            [thanglong(), *args],
            env=server.console_env(),
            cwd=server.data_dir,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for args in commands
    ]
    outputs = []
    for process in running:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err + out
        outputs.append(out)
    return outputs


@dataclass
class Simulator:
    """A running `thanglong terminals simulate` over a credentials file."""

    name: str
    count: int
    process: subprocess.Popen[str]

    def interrupt(self) -> None:
        """Press Ctrl-C: the run ends cleanly and prints its summary."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)

    def stop(self) -> dict[str, Any]:
        """End the run as Ctrl-C does and return its JSON summary."""
        self.interrupt()
        out, err = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, f"{self.name}: {err}{out}"
        summary: dict[str, Any] = json.loads(out[out.index("{") :])
        return summary


def _simulate(server: Server, name: str, credentials: Path, count: int, key: Path) -> Simulator:
    # No --broker: the platform's own broker, login and protocol (3.1.1 on the embedded amqtt).
    process = subprocess.Popen(
        [
            thanglong(),
            "terminals",
            "simulate",
            "--count",
            str(count),
            "--credentials",
            str(credentials),
            "--keys",
            str(key),
            "--auto-ack",
            "--jitter",
            "0.5",
            "--session-expiry",
            "60",
            "--json",
        ],
        env=server.console_env(),
        cwd=server.data_dir,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    return Simulator(name, count, process)


def _provision(page: Page, base_url: str, terminals: dict[str, int], tag: str) -> list[tuple[str, str, str]]:
    """Provision a terminal for each household `E2E-<tag>-<commune>-<n>` on the fleet page; return logins."""
    made = []
    page.goto(base_url + "/terminals/fleet")
    for commune, count in terminals.items():
        for n in range(1, count + 1):
            serial = f"E2E-{tag}-{commune}-{n}"
            # The page that answers the form is the fleet page again, form included.
            page.fill("#pv-serial", serial)
            page.fill("#pv-household", f"E2E-{tag}-{commune}-{n}")
            page.locator("#fl-provision-form button[type=submit]").click()
            expect(page.locator("#fl-provisioned")).to_contain_text(serial)
            password = page.locator("#fl-password").inner_text().strip()
            assert password, f"no password shown for {serial}"
            made.append((serial, password, commune))
    return made


def _write_credentials(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    path.write_text("serial,password,commune\n" + "".join(f"{s},{p},{c}\n" for s, p, c in rows))
    return path


def _households_csv(path: Path) -> Path:
    lines = ["code,head_name,address,commune_code,lon,lat,phone"]
    for tag, plan in (("LIVE", LIVE), ("LATE", LATE)):
        for commune, count in plan.items():
            for n in range(1, count + 1):
                lines.append(f"E2E-{tag}-{commune}-{n},Hộ thử {tag} {n},Số {n} phố thử,{commune},,,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _map_settled(page: Page) -> None:
    """Wait until the map has fitted the communes and its zoom animation is over (for a fair screenshot)."""
    expect(page.locator("#map")).to_have_attribute("data-loaded", "true")
    page.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
    page.wait_for_function("!document.querySelector('#map').classList.contains('leaflet-zoom-anim')")


def _online(page: Page, base_url: str, serials: set[str]) -> set[str]:
    """Return which of the serials the fleet counts online (they said so once subscribed)."""
    answer = page.request.get(base_url + "/api/v1/terminals/fleet/terminals?status=online&size=500")
    assert answer.ok, answer.text()
    return {t["serial"] for t in answer.json()["terminals"]} & serials


def test_two_communes_receive_verify_and_acknowledge_and_the_reach_page_fills_in_live(
    browsing: Browsing, browser: Browser, server: Server
) -> None:
    started = time.monotonic()

    def lap(what: str) -> None:
        print(f"journey {time.monotonic() - started:.1f} s: {what}")

    work = server.data_dir / "e2e-journey"
    work.mkdir(exist_ok=True)
    # The public key terminals are configured with, from the server's own data directory.
    key_json, _imported = _cli(
        server,
        ["terminals", "keys", "public", "--json"],
        ["terminals", "households", "import", str(_households_csv(work / "households.csv")), "--json"],
    )
    key_file = work / "platform.pem"
    key_file.write_text(json.loads(key_json)["public_key_pem"])

    lap("key and households (CLI)")
    # The administrator provisions the terminals on the fleet page (each password is shown once).
    admin = browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
    admin.set_default_timeout(15_000)
    head_context = browser.new_context(viewport={"width": 390, "height": 844}, locale="vi-VN")
    head_context.set_default_timeout(15_000)
    simulators: list[Simulator] = []
    try:
        fleet = admin.new_page()
        _sign_in(fleet, server.base_url, DEMO_ADMIN)
        live_rows = _provision(fleet, server.base_url, LIVE, "LIVE")
        late_rows = _provision(fleet, server.base_url, LATE, "LATE")
        lap("provisioned on the fleet page")
        live = _simulate(
            server, "live", _write_credentials(work / "live.csv", live_rows), len(live_rows), key_file
        )
        simulators.append(live)
        live_serials = {s for s, _p, _c in live_rows}
        # Each simulated terminal sends a heartbeat once subscribed: the fleet then counts it online.
        deadline = time.monotonic() + 30
        while _online(fleet, server.base_url, live_serials) != live_serials:
            assert live.process.poll() is None, live.process.communicate()[1]
            assert time.monotonic() < deadline, "the live terminals never came online:\n" + server.log_tail()
            fleet.wait_for_timeout(250)

        lap("live terminals online")
        # The officer drafts for the two target communes.
        page = browsing.page
        _sign_in(page, server.base_url, OFFICER)
        page.goto(browsing.url("/terminals/announcements/new"))
        now = datetime.now(HANOI)
        page.fill("#ann-headline", HEADLINE)
        page.fill("#ann-description", "Cắt nước từ 8 giờ đến 12 giờ để sửa đường ống.")
        page.select_option("#ann-category", "routine")
        page.select_option("#ann-level", "priority")
        page.fill("#ann-start", now.strftime("%Y-%m-%dT%H:%M"))
        page.fill("#ann-expires", (now + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"))
        page.select_option("#ann-communes", list(TARGETS))
        page.click("#ann-submit")
        expect(page.locator(".flash").filter(has_text="Đã gửi duyệt bản tin")).to_have_count(1)
        expect(page.locator("#ann-state")).to_have_attribute("data-state", "pending")
        expect(page.locator("#ann-terminals")).to_have_text(str(EXPECTED))
        detail = page.url

        lap("drafted")
        # Another person, the agency head, approves it on a phone.
        head = head_context.new_page()
        _sign_in(head, server.base_url, HEAD)
        head.goto(detail)
        head.click("#ann-approve")
        expect(head.locator(".flash").filter(has_text="Đã duyệt và phát")).to_have_count(1)
        expect(head.locator("#ann-state")).to_have_attribute("data-state", "active")
        head.screenshot(path=str(ARTIFACTS / "terminals_journey_00_approved_phone_vi.png"), full_page=True)
        assert overflow(head) <= 0, too_wide(head)

        lap("approved")
        # The officer follows the reach from the announcement's page; publishing is a job after the
        # commit, so the page may answer 404 for a moment.
        page.goto(detail)
        reach_url = page.locator("#ann-reach").get_attribute("href")
        assert reach_url is not None
        deadline = time.monotonic() + 15
        page.set_viewport_size({"width": 390, "height": 844})
        while (answer := page.goto(browsing.url(reach_url))) is not None and answer.status == 404:
            assert time.monotonic() < deadline, "never published:\n" + server.log_tail()
            page.wait_for_timeout(200)
        expect(page.locator("#reach-live")).to_have_attribute("data-live", "open")
        expect(page.locator("[data-total=expected]")).to_have_text(str(EXPECTED))
        expect(page.locator("#reach-communes tbody tr")).to_have_count(2)
        expect(page.locator(f"#reach-communes tr[data-commune='{THIRD}']")).to_have_count(0)
        # The map draws the two target communes; not all their terminals have answered yet.
        expect(page.locator("#map path.leaflet-interactive")).to_have_count(2)
        assert page.locator(f"#map path[fill='{GREEN}']").count() < 2
        _map_settled(page)
        browsing.shot("terminals_journey_01_reach_opened_phone_vi")
        assert overflow(page) <= 0, too_wide(page)

        lap("reach page open")
        navigations: list[str] = []

        def on_navigated(frame: Frame) -> None:
            if frame == page.main_frame:
                navigations.append(frame.url)

        page.on("framenavigated", on_navigated)
        page.evaluate("document.documentElement.dataset.liveMark = 'kept'")
        # The live terminals' receipts may have come before the page; the late ones cannot have.
        late = _simulate(
            server, "late", _write_credentials(work / "late.csv", late_rows), len(late_rows), key_file
        )
        simulators.append(late)
        for kind in ("delivered", "played", "acknowledged"):
            expect(page.locator(f"[data-total={kind}]")).to_have_text(
                str(EXPECTED), timeout=RECEIPTS_TIMEOUT_MS
            )
        for commune in TARGETS:
            row = page.locator(f"#reach-communes tr[data-commune='{commune}'] td")
            expect(row.nth(1)).to_have_text(str(LIVE[commune] + LATE[commune]))
            expect(row.nth(2)).to_contain_text("100")
        expect(page.locator(f"#map path[fill='{GREEN}']")).to_have_count(2)
        lap("reach page filled in")
        expect(page.locator(f"#map path[fill='{RED}']")).to_have_count(0)
        assert page.evaluate("document.documentElement.dataset.liveMark") == "kept"
        assert navigations == [], "the reach page must fill in by itself, not reload"
        _map_settled(page)
        browsing.shot("terminals_journey_02_reach_filled_phone_vi")
        assert overflow(page) <= 0, too_wide(page)

        # Each simulator's own account: the target communes' terminals accepted the announcement and
        # sent their three receipts; the third commune's accepted nothing and sent nothing.
        late.interrupt()
        live_summary, late_summary = live.stop(), late.stop()
        assert live_summary["ever_subscribed"] == len(live_rows)
        assert live_summary["refused_connects"] == 0
        assert live_summary["accepted_by_commune"] == {c: LIVE[c] for c in TARGETS}
        assert live_summary["receipts_by_commune"] == {c: 3 * LIVE[c] for c in TARGETS}
        assert late_summary["accepted_by_commune"] == {c: LATE[c] for c in TARGETS}
        assert late_summary["receipts_by_commune"] == {c: 3 * LATE[c] for c in TARGETS}
        report = page.request.get(browsing.url(reach_url.replace("/terminals/", "/api/v1/terminals/", 1)))
        assert report.ok, report.text()
        assert {c["code"] for c in report.json()["communes"]} == set(TARGETS)

        lap("simulators stopped")
        # The same page in English leaves nothing in Vietnamese (the headline is not on it).
        page.goto(browsing.url(f"/lang/en?next={reach_url}"))
        expect(page.locator("#reach-live .live-on")).to_have_text("Updates itself as terminals confirm")
        expect(page.locator("#map path.leaflet-interactive")).to_have_count(2)
        leftover = VIETNAMESE.findall(page.locator("main").inner_text())
        assert leftover == [], page.locator("main").inner_text()
        _map_settled(page)
        browsing.shot("terminals_journey_03_reach_phone_en")
        assert overflow(page) <= 0, too_wide(page)
        lap("English page")
        assert browsing.console_errors == []
        assert browsing.external_requests == [] and browsing.blocked == []
    finally:
        for simulator in simulators:
            if simulator.process.poll() is None:
                simulator.process.kill()
                simulator.process.wait(timeout=10)
        admin.close()
        head_context.close()
