"""Issue 11: the traffic pages in Chromium against the real platform with the traffic domain enabled.

This module starts its own server with THANGLONG_DOMAINS naming traffic (the demo loads the main
streets of its OpenStreetMap network around Văn Miếu, a day of counts and one incident on that first
start). An operator sees the segments coloured on the map and in the table, a segment's charts
drawn, and an incident the detector opens appear on the open incident list without a reload; she
acknowledges then closes it in place and is told so, while a second operator and an officer watching
the same list see each change arrive. The officer has no buttons; a citizen gets 403. Each page fits a
390 px screen and shows nothing in Vietnamese in English.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import timedelta

import pytest
from playwright.sync_api import Browser, Frame, Page, expect

from tests.e2e.conftest import Browsing, Server, open_browsing, run_cli, running_server, too_wide
from tests.e2e.test_dossier_journey import _sign_in
from tests.e2e.test_walk_both_languages import VIETNAMESE, page_text, untranslatable_fragments
from thanglong.core.config import Settings
from thanglong.core.platform import build_platform
from thanglong.core.timeseries.query import latest
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic import demo
from thanglong.domains.traffic.incidents import operations as incidents
from thanglong.domains.traffic.state import series
from thanglong.domains.traffic.state.recording import CONTEXT

# The server's first start loads every demo and then runs the demo's event jobs: minutes, not seconds.
pytestmark = [pytest.mark.e2e, pytest.mark.timeout(900)]

DOMAINS = ["identity", "notify", "payments", "procedures", "operations", "terminals", "traffic"]
# Loading the platform's demos with a day of traffic counts takes about a minute on a loaded machine.
START_TIMEOUT_SECONDS = 300
OPERATOR = ("dieuhanh", "DieuHanh@2025")
SECOND_OPERATOR = ("dieuhanh2", "DieuHanh2@2025")
OFFICER = ("canbo", "CanBo@2025")
CITIZEN = ("congdan", "CongDan@2025")
# The segment of the demo's incident (the worst level of service), and another pair away from it where
# the test makes a queue: UP flows into DOWN.
SEGMENT = demo.incident_segment()
NEXT = next(
    s for s in demo.segments() if s.code == next(t.downstream for t in demo.segments() if t.code == SEGMENT)
)
_AWAY = [s for s in demo.segments() if s.downstream and not {s.code, s.downstream} & {SEGMENT, NEXT.code}]
UP_SEGMENT = _AWAY[0]
UP, DOWN = UP_SEGMENT.code, str(UP_SEGMENT.downstream)
LANES = {s.code: s.lanes for s in demo.segments()}
PAGES = ("/traffic", f"/traffic/segments/{SEGMENT}", "/traffic/incidents")
PHONE = 390
LIVE_TIMEOUT_MS = 10_000
# The layer's colours by level of service (traffic.manifest.LOS_COLORS), grey for "no state".
LOS_COLOURS = {
    "A": "#1a9641",
    "B": "#a6d96a",
    "C": "#ffd92f",
    "D": "#fdae61",
    "E": "#f46d43",
    "F": "#a50026",
    "": "#9e9e9e",
}
NOTE = "Đã cử tổ CSGT đến hiện trường"  # the operator's note when she acknowledges
# Shown as they are in English: the platform's name (streets have an English form) and what people typed
# (docs/ui.md), here the operator's note, which the list shows once the incident test has run.
AS_TYPED = ("Thăng Long", NOTE)
# Every Content-Security-Policy violation of the page, kept where the test can read it.
CSP_WATCH = """document.addEventListener("securitypolicyviolation", (e) => {
  (window.__csp = window.__csp || []).push(e.violatedDirective + " " + e.blockedURI);
});"""


@pytest.fixture(scope="module")
def traffic_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The platform with traffic enabled, its demo loaded, and a second operator account."""
    extra = {"THANGLONG_DOMAINS": json.dumps(DOMAINS)}
    with running_server(
        tmp_path_factory.mktemp("e2e-traffic"), extra, timeout=START_TIMEOUT_SECONDS
    ) as running:
        user, password = SECOND_OPERATOR
        run_cli(running, "users", "create", user, "--role", "operator", "--password", password)
        _wait_for_event_jobs(running)
        yield running


def _wait_for_event_jobs(server: Server) -> None:
    """Wait until the demo's after-commit event jobs have run (the outbox relay queues behind them).

    The demo's first start leaves its after-commit reactions queued (the subscriptions' guard keeps
    the camera entities' changes out of the queue, docs/events.md); until the worker has run them, an
    event to the live pages waits its turn. Prints how long it took.
    """
    started = time.monotonic()
    while True:
        kinds = json.loads(run_cli(server, "jobs", "stats", "--json"))["kinds"]
        waiting = sum(k["queued"] + k["running"] for k in kinds if k["kind"].startswith("event:"))
        if waiting == 0:
            print(f"demo event jobs drained {time.monotonic() - started:.0f} s after the server was healthy")
            return
        assert time.monotonic() - started < START_TIMEOUT_SECONDS, f"{waiting} event jobs still queued"
        time.sleep(2)


def open_incident_upstream(server: Server) -> str:
    """Send an ordinary interval, then three of a queue on UP (DOWN empty), and run the detector.

    They go through the operations intake and follow the last interval the demo recorded for the pair
    (so at most 25 minutes ahead of the clock); the detector runs as at the end of the last one, through
    the same use case as its schedule.
    Returns the id of the incident it opened. The server's outbox relay carries the event to the pages.
    """
    settings = Settings(_env_file=None, data_dir=server.data_dir, domains=DOMAINS, database_url=None)  # type: ignore[call-arg]
    platform = build_platform(settings)
    try:
        names = [series.series_name(code, series.OCCUPANCY) for code in (UP, DOWN)]
        with platform.uow() as uow:
            last = max(at for at, _ in latest(uow.session, names).values())
        # An ordinary interval, then three with the queue: the alarm's run (and so the onset) is new.
        for k, queue in ((1, False), (2, True), (3, True), (4, True)):
            start = last + k * demo.INTERVAL
            entities = [
                demo.stream_entity(code, lane, kind, start, vehicles, occupancy, speed)
                for code, occupancy, speed in (
                    ((UP, 0.62, 6.0), (DOWN, 0.03, 38.0)) if queue else ((UP, 0.1, 32.0), (DOWN, 0.1, 33.0))
                )
                for lane in range(1, LANES[code] + 1)
                for kind, vehicles in (("motorcycle", 14), ("car", 3))
            ]
            with platform.uow() as uow:
                result = operations.upsert_entities(uow, actor="cli:e2e", entities=entities, context=CONTEXT)
                assert not result.errors, result.errors
                uow.commit()
        with platform.uow() as uow:
            opened = incidents.detect(uow, now=last + 5 * demo.INTERVAL + timedelta(seconds=30))
            uow.commit()
        found = [i for i in opened if i.segment == UP]
        assert len(found) == 1, f"the detector opened {[(i.segment, i.state) for i in opened]}"
        return str(found[0].id)
    finally:
        platform.engine.dispose()


def _watch(browsing: Browsing) -> Browsing:
    browsing.page.add_init_script(CSP_WATCH)
    return browsing


def _csp(page: Page) -> list[str]:
    return list(page.evaluate("window.__csp || []"))


def _hex(colour: str) -> str:
    """Return a CSS colour as #rrggbb (Leaflet writes the stroke as given; browsers may give rgb())."""
    found = re.fullmatch(r"rgb\((\d+),\s*(\d+),\s*(\d+)\)", colour.strip())
    if found:
        return "#" + "".join(f"{int(v):02x}" for v in found.groups())
    return colour.strip().lower()


def _drawn_pixels(page: Page, canvas_id: str) -> int:
    """Count the canvas's pixels that are not transparent (0 when nothing was drawn)."""
    return int(
        page.evaluate(
            """(id) => {
              const c = document.getElementById(id);
              const data = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
              let n = 0;
              for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
              return n;
            }""",
            canvas_id,
        )
    )


def _scroll_overflow(page: Page) -> int:
    return int(page.evaluate("document.scrollingElement.scrollWidth")) - PHONE


def test_an_operator_sees_the_segments_coloured_on_the_map_and_a_segments_charts(
    browser: Browser, traffic_server: Server
) -> None:
    with open_browsing(browser, traffic_server.base_url) as browsing:
        page = _watch(browsing).page
        _sign_in(page, traffic_server.base_url, OPERATOR)
        page.goto(browsing.url("/traffic"))
        expect(page.locator("h1")).to_have_text("Bản đồ giao thông")
        rows = page.locator("#segments tbody tr[data-segment]")
        expect(rows).to_have_count(len(demo.segments()))
        levels = {r.get_attribute("data-segment"): r.get_attribute("data-los") or "" for r in rows.all()}
        # The demo's day ends at the moment the server started: every segment has a fresh state.
        assert all(los in "ABCDEF" and los for los in levels.values()), levels
        # The demo's queue on its incident segment is the worst level of service of the network.
        assert levels[SEGMENT] == "F", levels
        pane = page.locator(".leaflet-pane[data-layer='traffic.segments']")
        lines = pane.locator("path.leaflet-interactive")
        expect(lines).to_have_count(len(demo.segments()))
        expect(page.locator("[data-layer-box='traffic.segments']")).to_have_attribute("data-state", "loaded")
        strokes = sorted(_hex(line.get_attribute("stroke") or "") for line in lines.all())
        assert strokes == sorted(LOS_COLOURS[los] for los in levels.values()), (strokes, levels)
        # The table's badge has the map's colour for the same level.
        badge = page.locator(f"#segments tr[data-segment='{SEGMENT}'] .los")
        expect(badge).to_have_css("background-color", "rgb(165, 0, 38)")
        browsing.shot("traffic_01_map_desktop_vi")

        rows.filter(has=page.locator(f"a[href='/traffic/segments/{SEGMENT}']")).locator("a").click()
        expect(page).to_have_url(browsing.url(f"/traffic/segments/{SEGMENT}"))
        following = page.locator(f".tr-facts a[href='/traffic/segments/{NEXT.code}']")
        expect(following).to_have_text(NEXT.name)
        chart = page.locator("#traffic-chart")
        expect(chart).to_have_attribute("data-ready", "true")
        # A day of 5-minute intervals, and the three forecast horizons.
        assert int(chart.get_attribute("data-points") or "0") >= 280
        expect(page.locator("#traffic-forecast")).to_have_attribute("data-points", "3")
        assert _drawn_pixels(page, "traffic-chart") > 2000
        assert _drawn_pixels(page, "traffic-forecast") > 500
        expect(page.locator("#traffic-chart-note")).to_contain_text("Phương pháp dự báo:")
        browsing.shot("traffic_02_segment_desktop_vi")
        assert browsing.console_errors == []
        assert _csp(page) == []
        assert browsing.external_requests == [] and browsing.blocked == []


@contextmanager
def _incidents_page(browser: Browser, server: Server, user: tuple[str, str]) -> Iterator[Browsing]:
    with open_browsing(browser, server.base_url) as browsing:
        _watch(browsing)
        _sign_in(browsing.page, server.base_url, user)
        browsing.page.goto(browsing.url("/traffic/incidents"))
        expect(browsing.page.locator("#incidents-live")).to_have_attribute("data-live", "open")
        yield browsing


def test_an_incident_appears_live_and_is_handled_in_place_while_others_watch(
    browser: Browser, traffic_server: Server
) -> None:
    with ExitStack() as stack:
        views = {
            user[0]: stack.enter_context(_incidents_page(browser, traffic_server, user))
            for user in (OPERATOR, SECOND_OPERATOR, OFFICER)
        }
        operator, second, officer = (views[u[0]] for u in (OPERATOR, SECOND_OPERATOR, OFFICER))
        page = operator.page
        # The demo's incident is already open; the officer sees it without any button.
        expect(page.locator(f"#incidents-open li[data-segment='{SEGMENT}']")).to_have_count(1)
        expect(officer.page.locator(f"#incidents-open li[data-segment='{SEGMENT}']")).to_have_count(1)
        expect(officer.page.locator("[data-action]")).to_have_count(0)
        expect(page.locator(f"#incidents-open li[data-segment='{UP}']")).to_have_count(0)
        navigations: dict[str, list[str]] = {}
        for name, view in views.items():
            seen = navigations.setdefault(name, [])

            def on_navigated(frame: Frame, seen: list[str] = seen, view: Browsing = view) -> None:
                if frame == view.page.main_frame:
                    seen.append(frame.url)

            view.page.on("framenavigated", on_navigated)
            # A mark on the document: a reload would build a new document without it.
            view.page.evaluate("document.documentElement.dataset.liveMark = 'kept'")

        incident_id = open_incident_upstream(traffic_server)
        for view in views.values():
            row = view.page.locator(f"#incidents-open li[data-id='{incident_id}']")
            expect(row).to_have_count(1, timeout=LIVE_TIMEOUT_MS)
            expect(row).to_have_attribute("data-state", "open")
            expect(row.locator("h3")).to_contain_text(UP_SEGMENT.name)
        expect(officer.page.locator("[data-action]")).to_have_count(0)
        operator.shot("traffic_03_incident_opened_vi")

        row = page.locator(f"#incidents-open li[data-id='{incident_id}']")
        row.locator("input[name=note]").fill(NOTE)
        row.locator("button[data-action=acknowledge]").click()
        expect(
            page.locator(".flash").filter(has_text=f"Đã tiếp nhận sự cố trên {UP_SEGMENT.name}")
        ).to_have_count(1)
        expect(row).to_have_attribute("data-state", "acknowledged")
        expect(row).to_contain_text(NOTE)
        expect(row).to_contain_text(OPERATOR[0])
        expect(row.locator("button[data-action=acknowledge]")).to_have_count(0)
        for view in (second, officer):
            watched = view.page.locator(f"#incidents-open li[data-id='{incident_id}']")
            expect(watched).to_have_attribute("data-state", "acknowledged", timeout=LIVE_TIMEOUT_MS)
            expect(watched).to_contain_text(NOTE)
        operator.shot("traffic_04_incident_acknowledged_vi")

        row.locator("button[data-action=close]").click()
        expect(page.locator(".flash").filter(has_text=f"Đã đóng sự cố trên {UP_SEGMENT.name}")).to_have_count(
            1
        )
        expect(page.locator(f"#incidents-open li[data-id='{incident_id}']")).to_have_count(0)
        closed = page.locator(f"#incidents-closed li[data-id='{incident_id}']")
        expect(closed).to_have_attribute("data-state", "closed")
        expect(closed).to_contain_text(f"đóng bởi {OPERATOR[0]}")
        for view in (second, officer):
            expect(view.page.locator(f"#incidents-open li[data-id='{incident_id}']")).to_have_count(
                0, timeout=LIVE_TIMEOUT_MS
            )
            expect(view.page.locator(f"#incidents-closed li[data-id='{incident_id}']")).to_have_count(1)
        operator.shot("traffic_05_incident_closed_vi")

        for name, view in views.items():
            assert view.page.evaluate("document.documentElement.dataset.liveMark") == "kept", name
            assert navigations[name] == [], f"{name}'s list must update in place, not reload"
            assert view.console_errors == [], (name, view.console_errors)
            assert _csp(view.page) == [], name
            assert view.external_requests == [] and view.blocked == [], name


def test_an_officer_cannot_act_and_a_citizen_is_refused(browser: Browser, traffic_server: Server) -> None:
    with open_browsing(browser, traffic_server.base_url) as browsing:
        page = browsing.page
        _sign_in(page, traffic_server.base_url, OFFICER)
        for path in PAGES:
            assert page.goto(browsing.url(path)).status == 200, path  # type: ignore[union-attr]
        expect(page.locator("#incidents-open li")).not_to_have_count(0)
        expect(page.locator("[data-action], form[action*='/traffic/incidents/']")).to_have_count(0)
        # A post made by hand is refused too (the page carries a CSRF token for its live reloads).
        incident = page.locator("#incidents-open li").first.get_attribute("data-id")
        token = page.evaluate("document.querySelector('meta[name=csrf-token]')?.content || ''")
        answer = page.request.post(
            browsing.url(f"/traffic/incidents/{incident}/close"), form={"csrf_token": token}, max_redirects=0
        )
        # Refused for want of the permission (checked before the token), not for the token.
        assert answer.status == 403, answer.status
        assert "Bạn không có quyền thực hiện thao tác này" in answer.text(), answer.text()[:300]
        page.goto(browsing.url("/traffic/incidents"))
        expect(page.locator(f"#incidents-open li[data-id='{incident}']")).to_have_count(1)
    with open_browsing(browser, traffic_server.base_url) as browsing:
        page = browsing.page
        _sign_in(page, traffic_server.base_url, CITIZEN)
        for path in PAGES:
            answer = page.goto(browsing.url(path))
            assert answer is not None and answer.status == 403, path
        browsing.shot("traffic_06_citizen_403")


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_each_page_fits_a_phone_and_english_leaves_no_vietnamese(
    browser: Browser, traffic_server: Server, lang: str
) -> None:
    for width, label in ((PHONE, "phone"), (1280, "desktop")):
        with open_browsing(browser, traffic_server.base_url, width=width, height=844) as browsing:
            page = _watch(browsing).page
            _sign_in(page, traffic_server.base_url, OPERATOR)
            page.goto(browsing.url(f"/lang/{lang}?next=/traffic"))
            expect(page.locator("html")).to_have_attribute("lang", lang)
            for path in PAGES:
                page.goto(browsing.url(path))
                if path == "/traffic":
                    lines = page.locator(
                        ".leaflet-pane[data-layer='traffic.segments'] path.leaflet-interactive"
                    )
                    expect(lines).to_have_count(len(demo.segments()))
                elif path.startswith("/traffic/segments/"):
                    expect(page.locator("#traffic-chart")).to_have_attribute("data-ready", "true")
                else:
                    expect(page.locator("#incidents-live")).to_have_attribute("data-live", "open")
                page.wait_for_load_state("networkidle")
                name = path.strip("/").replace("/", "_")
                browsing.shot(f"traffic_{label}_{lang}_{name}")
                if width == PHONE:
                    assert _scroll_overflow(page) <= 1, (path, too_wide(page))
                if lang == "en":
                    text = page_text(page)
                    text = _without_typed(text)
                    assert [piece for piece in untranslatable_fragments() if piece in text] == [], path
                    left = [line for line in text.splitlines() if VIETNAMESE.search(line)]
                    assert left == [], (path, left)
            assert browsing.console_errors == []
            assert _csp(page) == []


def _without_typed(text: str) -> str:
    for kept in AS_TYPED:
        text = text.replace(kept, "")
    return text
