"""The job queue's admin page in Chromium: figures, retrying dead jobs, English, and a phone screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import insert, select

from tests.e2e.conftest import DEMO_ADMIN, Browsing, Server, overflow, too_wide
from tests.e2e.test_browser import sign_in
from thanglong.core.db import make_engine
from thanglong.core.models import Job

pytestmark = pytest.mark.e2e

PHONE = {"width": 390, "height": 844}
# Kinds no domain of the server declares: a retried job stays queued instead of running.
DEAD_KIND = "e2e.vnpost.ship"
LONG_ERROR = (
    "HTTPError: 503 Service Unavailable — máy chủ VNPost không trả lời khi tạo vận đơn cho hồ sơ "
    "000.00.01.H26-260302-0001; " + "chi tiết phản hồi dài " * 30
)


def seed_jobs(server: Server) -> list[int]:
    """Put dead, done and waiting jobs into the server's database; return the dead ones' ids."""
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for n in range(3):
        rows.append(
            {
                "kind": DEAD_KIND,
                "payload": {"n": n},
                "status": "dead",
                "run_after": now - timedelta(hours=2),
                "attempts": 5,
                "max_attempts": 0,
                "created_at": now - timedelta(hours=2, minutes=n),
                "finished_at": now - timedelta(hours=1),
                "last_error": LONG_ERROR if n == 0 else f"ConnectionRefusedError: [Errno 111] lần {n}",
            }
        )
    for _ in range(2):
        rows.append(
            {
                "kind": "e2e.report.build",
                "payload": {},
                "status": "done",
                "run_after": now - timedelta(minutes=30),
                "attempts": 1,
                "max_attempts": 0,
                "created_at": now - timedelta(minutes=30),
                "finished_at": now - timedelta(minutes=29),
            }
        )
    rows.append(
        {
            "kind": "e2e.report.build",
            "payload": {},
            "status": "queued",
            "run_after": now - timedelta(minutes=12),
            "attempts": 0,
            "max_attempts": 0,
            "created_at": now - timedelta(minutes=12),
        }
    )
    engine = make_engine(f"sqlite:///{server.data_dir / 'thanglong.db'}")
    try:
        with engine.begin() as conn:
            # One executemany needs the same keys in every row.
            blank = {"finished_at": None, "last_error": None}
            conn.execute(insert(Job), [{**blank, **row} for row in rows])
            return list(
                conn.scalars(
                    select(Job.id).where(Job.kind == DEAD_KIND, Job.status == "dead").order_by(Job.id)
                )
            )
    finally:
        engine.dispose()


def fits_the_screen(page: Page) -> None:
    wider = overflow(page)
    assert wider <= 0, f"the page is {wider}px wider than the screen: {too_wide(page)}"


def test_admin_retries_dead_jobs_in_both_languages_and_on_a_phone(browsing: Browsing, server: Server) -> None:
    dead = seed_jobs(server)
    page = browsing.page
    page.goto(browsing.url("/login?next=/admin/jobs"))
    sign_in(browsing, *DEMO_ADMIN)
    expect(page).to_have_url(browsing.url("/admin/jobs"))
    expect(page.locator("h1")).to_have_text("Hàng đợi công việc")
    expect(page.locator("nav.mainnav a[aria-current=page]")).to_have_attribute("href", "/admin/jobs")
    health = page.locator("#jobs-health")
    expect(health.locator("[data-figure=dead] dd")).not_to_have_text("0")
    # The waiting job is of a kind no domain of the server runs: held (said under the figures), not late.
    expect(page.locator("#jobs-held")).to_contain_text("đang được giữ lại")
    expect(page.locator(f"#jobs-kinds tr[data-kind='{DEAD_KIND}'] td[data-status=dead]")).to_have_text("3")
    for job_id in dead:
        expect(page.locator(f"#jobs-retry-{job_id}")).to_be_visible()
    browsing.shot("jobs_admin_vi")

    page.click(f"#jobs-retry-{dead[0]}")
    expect(page.locator("#jobs-flash-retried")).to_have_text("Đã đưa 1 công việc trở lại hàng đợi.")
    expect(page.locator(f"#jobs-dead tr[data-job-id='{dead[0]}']")).to_have_count(0)
    expect(page.locator(f"#jobs-recent tr[data-job-id='{dead[0]}']")).to_have_attribute(
        "data-status", "queued"
    )
    browsing.shot("jobs_admin_retried_vi")

    page.set_viewport_size(PHONE)
    page.goto(browsing.url("/admin/jobs"))
    fits_the_screen(page)
    browsing.shot("jobs_admin_phone_vi")

    page.click("a.lang[data-lang=en]")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Job queue")
    expect(page.locator(f"#jobs-retry-{dead[1]}")).to_have_text("Retry")
    fits_the_screen(page)
    browsing.shot("jobs_admin_phone_en")

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(browsing.url("/admin/jobs"))
    browsing.shot("jobs_admin_en")
    page.click("#jobs-retry-all")
    expect(page.locator("#jobs-flash-retried")).to_contain_text("job(s) again.")
    expect(page.locator("#jobs-dead-empty")).to_have_text("No dead jobs.")
    expect(page.locator("#jobs-health [data-figure=dead] dd")).to_have_text("0")
    browsing.shot("jobs_admin_retried_all_en")
    page.click("a.lang[data-lang=vi]")
    assert browsing.console_errors == []
    assert browsing.external_requests == [] and browsing.blocked == []
