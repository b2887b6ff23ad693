"""The job queue's admin page and JSON API: permissions, figures, audited retries and purges, queries."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, select, update

from tests.domains.identity.helpers import csrf, csrf_value, make_user, sign_in
from thanglong.core import jobs
from thanglong.core.models import AuditRecord, Job
from thanglong.core.platform import Platform
from thanglong.core.security import RoleName
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN, OFFICER

# 01:30 UTC is 08:30 in Hanoi: the page must show the latter.
CREATED = datetime(2026, 3, 2, 1, 30, tzinfo=UTC)


def api_key(platform: Platform, role: RoleName) -> dict[str, str]:
    with platform.uow() as uow:
        _dto, key = identity_api.create_api_key(uow, actor="test", name=f"jobs-{role}", role=role)
    return {"Authorization": f"Bearer {key}"}


def add_jobs(platform: Platform, kind: str, count: int, *, status: str = jobs.QUEUED) -> list[int]:
    """Put jobs of a kind in the queue, dead ones with an error, and return their ids (oldest first)."""
    with platform.uow() as uow:
        for n in range(count):
            jobs.enqueue(uow, kind, {"n": n}, run_after=CREATED)
        uow.session.flush()
        ids = list(uow.session.scalars(select(Job.id).where(Job.kind == kind).order_by(Job.id)))
        values: dict[str, Any] = {"created_at": CREATED}
        if status == jobs.DEAD:
            values.update(
                status=jobs.DEAD,
                attempts=3,
                finished_at=CREATED + timedelta(minutes=5),
                last_error="ConnectionRefusedError: cổng DVCQG không trả lời <script>",
            )
        uow.session.execute(update(Job).where(Job.id.in_(ids)).values(**values))
        uow.commit()
    return ids


def job(platform: Platform, job_id: int) -> Job:
    with platform.uow() as uow:
        row = uow.session.get(Job, job_id)
        assert row is not None
        uow.session.expunge(row)
        return row


def audits(platform: Platform, action: str) -> list[AuditRecord]:
    with platform.uow() as uow:
        found = list(
            uow.session.scalars(
                select(AuditRecord).where(AuditRecord.action == action).order_by(AuditRecord.seq)
            )
        )
        uow.session.expunge_all()
        return found


@contextmanager
def counted_statements(platform: Platform) -> Iterator[list[str]]:
    """Collect the SQL statements the platform's engine runs inside the block."""
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(platform.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(platform.engine, "before_cursor_execute", count)


def test_anonymous_is_sent_to_sign_in_and_the_api_answers_401(client: TestClient) -> None:
    page = client.get("/admin/jobs", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    assert client.get("/api/v1/jobs").status_code == 401
    assert client.get("/api/v1/jobs/stats").status_code == 401
    refused = client.post("/api/v1/jobs/1/retry", headers=csrf(client))
    assert refused.status_code == 401 and refused.json()["code"] == "not_authenticated"


def test_a_citizen_and_an_officer_are_refused(client: TestClient, platform: Platform) -> None:
    [dead] = add_jobs(platform, "t.web.refused", 1, status=jobs.DEAD)
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/admin/jobs").status_code == 403
    assert client.get("/api/v1/jobs", headers={"Accept": "application/json"}).status_code == 403
    form = {"csrf_token": csrf_value(client)}
    assert client.post(f"/admin/jobs/{dead}/retry", data=form).status_code == 403
    officer = api_key(platform, OFFICER)
    assert client.post(f"/api/v1/jobs/{dead}/retry", headers=officer).status_code == 403
    assert job(platform, dead).status == jobs.DEAD
    assert "/admin/jobs" not in client.get("/").text, "the menu offers the page only to those who may see it"


def test_admin_sees_health_counts_and_jobs_in_hanoi_time(client: TestClient, platform: Platform) -> None:
    dead = add_jobs(platform, "t.web.dead", 2, status=jobs.DEAD)
    queued = add_jobs(platform, "t.web.queued", 3)
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    page = client.get("/admin/jobs")
    assert page.status_code == 200
    html = page.text
    assert '<a href="/admin/jobs" aria-current="page">' in html
    assert re.search(r'data-figure="dead" data-alert="yes"><dt>Thất bại hẳn</dt><dd>\d+</dd>', html)
    assert re.search(r'data-kind="t.web.dead">.*?data-status="dead">2<', html, flags=re.DOTALL)
    assert re.search(r'data-kind="t.web.queued">.*?data-status="queued">3<', html, flags=re.DOTALL)
    for job_id in dead:
        assert f'action="/admin/jobs/{job_id}/retry"' in html
        assert f'id="jobs-retry-{job_id}"' in html
    assert f'data-job-id="{queued[-1]}" data-status="queued"' in html
    assert "02/03/2026 08:30:00" in html and "02/03/2026 08:35:00" in html
    assert "cổng DVCQG không trả lời &lt;script&gt;" in html, "errors are shown escaped"
    assert 'id="jobs-retry-all"' in html and 'name="csrf_token"' in html

    filtered = client.get("/admin/jobs", params={"status": "queued", "kind": "t.web.queued"}).text
    recent = filtered.split('id="jobs-recent"')[1]
    assert recent.count("data-job-id=") == 3
    assert client.get("/admin/jobs", params={"status": "nope"}).status_code == 422


def test_the_page_in_english(client: TestClient, platform: Platform) -> None:
    add_jobs(platform, "t.web.en", 1, status=jobs.DEAD)
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    client.cookies.set("tl_lang", "en")
    html = client.get("/admin/jobs").text
    assert '<html lang="en">' in html
    for text in (
        "<h1>Job queue</h1>",
        "Queue health",
        "Dead jobs",
        "Retry all",
        ">Retry</button>",
        "Oldest wait",
    ):
        assert text in html, text
    assert "Thử lại" not in html


def test_retry_one_from_the_page_is_audited_and_told(client: TestClient, platform: Platform) -> None:
    first, second = add_jobs(platform, "t.web.retry", 2, status=jobs.DEAD)
    sign_in(client, platform, make_user(platform, ADMINISTRATOR, username="jobs-admin"))
    token = csrf_value(client)
    refused = client.post(f"/admin/jobs/{first}/retry", headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    assert job(platform, first).status == jobs.DEAD

    done = client.post(f"/admin/jobs/{first}/retry", data={"csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin/jobs?retried=1&skipped=0"
    row = job(platform, first)
    assert (row.status, row.attempts, row.finished_at) == (jobs.QUEUED, 0, None)
    assert job(platform, second).status == jobs.DEAD
    [record] = audits(platform, "core.jobs.retried")
    assert record.actor.startswith("user:") and record.actor.endswith(":jobs-admin")
    assert record.object_id == str(first) and record.after == {
        "count": 1,
        "ids": [first],
        "ids_truncated": False,
        "all_dead": False,
        # The page's request, as its answer named it (X-Request-ID).
        "request_id": done.headers["x-request-id"],
    }
    page = client.get(done.headers["location"]).text
    assert 'id="jobs-flash-retried" data-count="1">Đã đưa 1 công việc trở lại hàng đợi.</p>' in page

    again = client.post(f"/admin/jobs/{first}/retry", data={"csrf_token": token}, follow_redirects=False)
    assert again.headers["location"] == "/admin/jobs?retried=0&skipped=1"
    told = client.get(again.headers["location"]).text
    assert "Không có công việc nào cần chạy lại." in told and 'id="jobs-flash-skipped"' in told
    assert len(audits(platform, "core.jobs.retried")) == 1, "retrying nothing records nothing"
    missing = client.post("/admin/jobs/987654321/retry", data={"csrf_token": token})
    assert missing.status_code == 404


def test_retry_all_dead_from_the_page(client: TestClient, platform: Platform) -> None:
    dead = add_jobs(platform, "t.web.all", 3, status=jobs.DEAD)
    [queued] = add_jobs(platform, "t.web.all.queued", 1)
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    token = csrf_value(client)
    response = client.post("/admin/jobs/retry-dead", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    count = int(response.headers["location"].split("retried=")[1])
    assert count >= 3
    assert {job(platform, i).status for i in dead} == {jobs.QUEUED}
    assert job(platform, queued).run_after == CREATED, "a queued job is not touched"
    [record] = audits(platform, "core.jobs.retried")
    assert record.object_id == "dead" and record.after is not None
    assert record.after["all_dead"] is True and set(dead) <= set(record.after["ids"])
    assert "Thử lại tất cả" not in client.get("/admin/jobs").text, "no dead job is left to offer"


def test_purge_from_the_page_is_audited(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    [old_done] = add_jobs(platform, "t.web.purge", 1)
    [old_dead] = add_jobs(platform, "t.web.purge.dead", 1, status=jobs.DEAD)
    with platform.uow() as uow:
        uow.session.execute(
            update(Job).where(Job.id == old_done).values(status=jobs.DONE, finished_at=CREATED)
        )
        uow.commit()
    token = csrf_value(client)
    response = client.post(
        "/admin/jobs/purge", data={"csrf_token": token, "older_than_days": "7"}, follow_redirects=False
    )
    assert response.status_code == 303 and "purged=" in response.headers["location"]
    with platform.uow() as uow:
        assert uow.session.get(Job, old_done) is None
        assert uow.session.get(Job, old_dead) is not None, "dead jobs stay unless asked for"
    [record] = audits(platform, "core.jobs.purged")
    assert record.after is not None and record.after["include_dead"] is False
    page = client.get(response.headers["location"]).text
    assert 'id="jobs-flash-purged"' in page
    client.post(
        "/admin/jobs/purge",
        data={"csrf_token": token, "older_than_days": "7", "include_dead": "1"},
        follow_redirects=False,
    )
    with platform.uow() as uow:
        assert uow.session.get(Job, old_dead) is None
    bad = client.post(
        "/admin/jobs/purge", data={"csrf_token": token, "older_than_days": "-1"}, follow_redirects=False
    )
    assert bad.status_code == 422


def test_the_page_runs_the_same_queries_for_3_or_60_jobs(client: TestClient, platform: Platform) -> None:
    headers = api_key(platform, ADMINISTRATOR)
    add_jobs(platform, "t.web.q", 3, status=jobs.DEAD)
    assert client.get("/admin/jobs", headers=headers).status_code == 200
    with counted_statements(platform) as few:
        client.get("/admin/jobs", headers=headers)
    add_jobs(platform, "t.web.q2", 57, status=jobs.DEAD)
    add_jobs(platform, "t.web.q3", 40)
    with counted_statements(platform) as many:
        html = client.get("/admin/jobs", headers=headers).text
    assert html.count('action="/admin/jobs/') >= 60
    assert len(many) == len(few), "a query per row"
    job_queries = [s for s in many if "core_job" in s]
    assert len(job_queries) == 5, job_queries


def test_api_lists_filters_and_retries(client: TestClient, platform: Platform) -> None:
    headers = api_key(platform, ADMINISTRATOR)
    dead = add_jobs(platform, "t.api.dead", 2, status=jobs.DEAD)
    add_jobs(platform, "t.api.queued", 2)
    listed = client.get("/api/v1/jobs", params={"kind": "t.api.dead"}, headers=headers)
    assert listed.status_code == 200
    body = listed.json()["jobs"]
    assert [j["id"] for j in body] == sorted(dead, reverse=True)
    assert body[0]["status"] == "dead" and body[0]["attempts"] == 3
    assert body[0]["created_at"] == CREATED.isoformat()
    only_queued = client.get(
        "/api/v1/jobs", params={"status": "queued", "limit": 1000}, headers=headers
    ).json()
    assert {j["status"] for j in only_queued["jobs"]} == {"queued"}
    bad = client.get("/api/v1/jobs", params={"status": "finished"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_job_status"
    assert client.get("/api/v1/jobs", params={"limit": 0}, headers=headers).status_code == 422

    stats = client.get("/api/v1/jobs/stats", headers=headers).json()
    kinds = {k["kind"]: k for k in stats["kinds"]}
    assert kinds["t.api.dead"]["dead"] == 2 and kinds["t.api.queued"]["queued"] == 2
    assert stats["health"]["dead"] >= 2

    retried = client.post(f"/api/v1/jobs/{dead[0]}/retry", headers=headers)
    assert retried.status_code == 200
    assert retried.json() == {"retried": 1, "ids": [dead[0]], "not_dead": []}
    assert client.post(f"/api/v1/jobs/{dead[0]}/retry", headers=headers).json()["retried"] == 0
    missing = client.post("/api/v1/jobs/987654321/retry", headers=headers)
    assert missing.status_code == 404 and missing.json()["code"] == "job_not_found"
    [record] = audits(platform, "core.jobs.retried")
    assert record.actor.startswith("api_key:") and record.source_ip
