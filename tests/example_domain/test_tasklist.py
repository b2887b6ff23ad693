"""The example domain plugs into every extension point through the platform's normal entry points."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select
from typer.testing import CliRunner

from tests.domains.identity.helpers import csrf, make_user, sign_in
from tests.example_domain.conftest import DOMAINS, TASKLIST
from tests.example_domain.tasklist import services
from tests.example_domain.tasklist.config import TasklistSettings
from tests.example_domain.tasklist.events import TaskAdded
from tests.example_domain.tasklist.manifest import MANIFEST, OPEN_SERIES, REMIND_KIND, WARD_CLERK
from tests.example_domain.tasklist.models import Task
from thanglong.cli.main import build_cli
from thanglong.core import kpi
from thanglong.core.consumer_store import handle_batch
from thanglong.core.consumers import ConsumerDeclarationError, Delivery, bind_all, check_consumer
from thanglong.core.db import make_engine
from thanglong.core.domain_settings import InvalidSetting
from thanglong.core.errors import Forbidden
from thanglong.core.jobs import JobRunner
from thanglong.core.live import ChannelRegistry, LiveHub
from thanglong.core.manifest import load_manifests
from thanglong.core.models import AuditRecord, Job
from thanglong.core.platform import Platform, build_platform, load_demo_data
from thanglong.core.schedules import Scheduler
from thanglong.core.security import Principal, permissions_for
from thanglong.core.testing.plugin import create_database, drop_database, run_jobs
from thanglong.core.timeseries import partitions
from thanglong.core.timeseries.query import query
from thanglong.core.uow import RELAY_KIND, envelope_bytes
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN, OFFICER
from thanglong.domains.procedures.events import DossierSubmitted
from thanglong.web.app import create_app
from thanglong.web.context import LANG_COOKIE
from thanglong.web.i18n import load_translations

ROOT = Path(__file__).resolve().parents[2]
HOAN_KIEM = "105.84,21.02,105.86,21.04"
ANNOUNCE_KIND = f"event:{TASKLIST}.services:announce"


def add(
    platform: Platform, title: str = "Sửa biển tên phố", lon: float = 105.85, lat: float = 21.03
) -> uuid.UUID:
    """Add a task through the use case; return its id."""
    with platform.uow() as uow:
        return services.add_task(uow, actor="test", title=title, ward_code="00070", lon=lon, lat=lat).id


def jobs_of(platform: Platform, kind: str) -> list[tuple[str, dict[str, Any]]]:
    """Return the (status, payload) of the jobs of one kind."""
    with platform.uow() as uow:
        rows = uow.session.execute(select(Job.status, Job.payload).where(Job.kind == kind).order_by(Job.id))
        return [(status, payload) for status, payload in rows]


def task(platform: Platform, task_id: uuid.UUID) -> services.TaskDTO:
    """Read a task back."""
    with platform.uow() as uow:
        row = uow.session.get(Task, task_id)
        assert row is not None
        return services._dto(row)


def officer(platform: Platform) -> Principal:
    """An officer principal with the permissions the enabled manifests grant."""
    roles = frozenset({OFFICER})
    return Principal(
        "user", uuid.uuid4(), "officer", roles, None, permissions_for(roles, platform.permissions)
    )


def test_a_dotted_path_in_the_domains_setting_enables_the_domain(platform: Platform) -> None:
    assert platform.settings.domains == DOMAINS
    assert [m.name for m in platform.manifests] == ["core", "identity", "tasklist"]
    assert {"tasklist.tasks.read", "tasklist.tasks.write"} <= platform.permissions.keys()
    assert platform.manifest("tasklist") is MANIFEST
    # The manifest's name must be the package's last component, and a domain is listed once.
    with pytest.raises(RuntimeError, match="declares the name 'tasklist', not 'manifest'"):
        load_manifests([f"{TASKLIST}.manifest"])
    with pytest.raises(RuntimeError, match="listed twice"):
        load_manifests(["identity", TASKLIST, TASKLIST])
    with pytest.raises(RuntimeError, match=r"'notify' depends on \['identity'\]"):
        load_manifests(["notify", "identity", TASKLIST])


def test_events_are_named_after_the_domain_wherever_it_lives() -> None:
    assert TaskAdded.event_name() == "tasklist.TaskAdded"
    assert DossierSubmitted.event_name() == "procedures.DossierSubmitted"
    assert Job.__module__.startswith("thanglong.core")


def test_handlers_run_in_the_transaction_and_after_the_commit(platform: Platform) -> None:
    task_id = add(platform)
    # In the writer's transaction: the reminder was planned in the same commit.
    assert jobs_of(platform, REMIND_KIND) == [("queued", {"task_id": str(task_id)})]
    # After commit: the announcement is a durable job, not yet run.
    [(_, announcement)] = jobs_of(platform, ANNOUNCE_KIND)
    assert announcement["event"] == "tasklist.TaskAdded"
    assert not task(platform, task_id).announced
    assert run_jobs(platform, kinds=[ANNOUNCE_KIND]) == 1
    assert task(platform, task_id).announced
    # A rolled-back writer leaves neither the task nor its reminder.
    with platform.uow() as uow:
        services._add(uow, actor="test", title="Bỏ dở", ward_code="00070", lon=105.85, lat=21.03)
        uow.rollback()
    assert len(jobs_of(platform, REMIND_KIND)) == 1
    with platform.uow() as uow:
        assert [t.title for t in services.list_tasks(uow)] == ["Sửa biển tên phố"]


def test_the_job_kind_runs_when_its_job_is_due(platform: Platform) -> None:
    task_id = add(platform)
    assert JobRunner(platform, platform.job_kinds).run_once(kinds=[REMIND_KIND]).claimed == 0
    tomorrow = datetime.now(UTC) + timedelta(days=1, minutes=1)
    report = JobRunner(platform, platform.job_kinds, clock=lambda: tomorrow).run_once(kinds=[REMIND_KIND])
    assert report.claimed == 1
    assert task(platform, task_id).reminders == 1
    assert [status for status, _ in jobs_of(platform, REMIND_KIND)] == ["done"]


def test_the_setup_hook_ran_when_the_platform_was_built(
    platform: Platform, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger=f"{TASKLIST}.tasks"):
        add(platform)
    assert "1 việc mới / new task(s) committed" in caplog.text


def test_the_settings_class_is_read_at_start_and_checked(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert platform.config(TasklistSettings).warn_open_tasks == 50
    monkeypatch.setenv("THANGLONG_TASKLIST_WARN_OPEN_TASKS", "lots")
    with pytest.raises(InvalidSetting, match="THANGLONG_TASKLIST_WARN_OPEN_TASKS"):
        build_platform(platform.settings)


def test_the_demo_loader_is_idempotent(platform: Platform) -> None:
    assert "tasklist" in load_demo_data(platform)
    load_demo_data(platform)
    with platform.uow() as uow:
        assert len(services.list_tasks(uow)) == len(services.DEMO)


def test_the_schedule_records_the_series_once_per_slot(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The kernel's maintenance schedule, due too, makes partitions on a connection of its own; on
    # PostgreSQL it would wait 5 s per day for the parent table held by this test's open transaction.
    # Partitions are not this test's subject (tests/core/timeseries/test_partitions.py).
    monkeypatch.setattr(partitions, "make_ahead", lambda *_a, **_k: [])
    add(platform)
    add(platform, "Thay nắp cống")
    now = [datetime(2030, 5, 6, 2, 10, tzinfo=UTC)]
    scheduler = Scheduler(platform, clock=lambda: now[0], worker="w1")
    first = [r for r in scheduler.run_due() if r.name == "tasklist.snapshot"]
    assert [(r.ok, r.slot) for r in first] == [(True, datetime(2030, 5, 6, 2, 0, tzinfo=UTC))]
    now[0] += timedelta(minutes=30)
    assert [r for r in scheduler.run_due() if r.name == "tasklist.snapshot"] == []
    # A second worker on the same slot finds it taken.
    other = Scheduler(platform, clock=lambda: now[0], worker="w2")
    assert [r for r in other.run_due() if r.name == "tasklist.snapshot"] == []
    now[0] += timedelta(minutes=40)
    assert [r.slot for r in scheduler.run_due() if r.name == "tasklist.snapshot"] == [
        datetime(2030, 5, 6, 3, 0, tzinfo=UTC)
    ]
    with platform.uow() as uow:
        points = query(uow.session, OPEN_SERIES, now[0] - timedelta(hours=2), now[0])
    assert points == [
        (datetime(2030, 5, 6, 2, 0, tzinfo=UTC), 2.0),
        (datetime(2030, 5, 6, 3, 0, tzinfo=UTC), 2.0),
    ]


def test_the_kpi_is_computed_with_its_provenance(platform: Platform) -> None:
    add(platform)
    task_id = add(platform, "Kiểm tra cây xanh")
    with platform.uow() as uow:
        services.complete_task(uow, actor="test", task_id=task_id)
    [value] = kpi.compute_all(platform, domains={"tasklist"})
    assert (value.key, value.value, value.error) == ("tasklist.open", 1.0, None)
    assert value.to_dict()["provenance"]["provider"] == f"{TASKLIST}.services:kpi_open"


def test_the_consumer_turns_reports_into_tasks_and_sets_bad_ones_aside(platform: Platform) -> None:
    [bound] = [b for b in bind_all(platform.manifests) if b.domain == "tasklist"]
    assert bound.key == "tasklist.reports"
    with pytest.raises(ConsumerDeclarationError, match=r"tasklist\.reports"):
        check_consumer("tasklist", replace(bound.spec, topic="thanglong/#/reports"))

    def delivery(body: dict[str, object], mid: int) -> Delivery:
        raw = json.dumps(body).encode()
        return Delivery(bound.spec.topic, raw, 1, mid, False, False, (), datetime.now(UTC))

    report = {"id": "r-1", "title": "Đèn hỏng", "ward_code": "00070", "lon": 105.85, "lat": 21.03}
    tally = handle_batch(platform.uow, bound, "w1", [delivery(report, 1), delivery({"id": "r-2"}, 2)])
    assert (tally.handled, tally.rejected) == (1, 1)
    again = handle_batch(platform.uow, bound, "w1", [delivery(report, 3)])
    assert (again.handled, again.duplicates) == (0, 1)
    with platform.uow() as uow:
        assert [t.title for t in services.list_tasks(uow)] == ["Đèn hỏng"]


def test_the_live_channel_delivers_task_events_to_those_who_may_see_them(platform: Platform) -> None:
    registry = ChannelRegistry.from_manifests(platform.manifests, platform.permissions)
    assert [c.name for c in registry.for_event(TaskAdded.event_name())] == ["tasklist.tasks"]
    hub = LiveHub(registry)
    client = hub.open(officer(platform), ["tasklist.tasks"], None)
    citizen_roles = frozenset({CITIZEN})
    citizen = Principal(
        "user", uuid.uuid4(), "c", citizen_roles, None, permissions_for(citizen_roles, platform.permissions)
    )
    with pytest.raises(Forbidden):
        hub.open(citizen, ["tasklist.tasks"], None)
    add(platform, "Sơn lại vạch kẻ đường")
    [(_, relay)] = jobs_of(platform, RELAY_KIND)
    assert relay["topic"] == "thanglong/events/tasklist.TaskAdded"
    hub.receive(envelope_bytes(relay["envelope"]))
    [text] = list(client.pending)
    assert "event: tasklist.tasks" in text and "Sơn lại vạch kẻ đường" in text


def test_the_map_layer_is_offered_by_permission(client: TestClient, platform: Platform) -> None:
    add(platform, "Trong khung", 105.85, 21.03)
    add(platform, "Ngoài khung", 105.70, 21.10)
    assert "tasklist.tasks" not in [
        layer["name"] for layer in client.get("/api/v1/map/layers").json()["layers"]
    ]
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get(f"/api/v1/map/layers/tasklist.tasks.geojson?bbox={HOAN_KIEM}").status_code == 403
    sign_in(client, platform, make_user(platform, OFFICER))
    layers = {layer["name"]: layer for layer in client.get("/api/v1/map/layers").json()["layers"]}
    assert layers["tasklist.tasks"]["domain"] == "tasklist" and layers["tasklist.tasks"]["bbox"] is True
    response = client.get(f"/api/v1/map/layers/tasklist.tasks.geojson?bbox={HOAN_KIEM}")
    assert response.status_code == 200
    assert [f["properties"]["title"] for f in response.json()["features"]] == ["Trong khung"]


def test_pages_api_nav_static_files_and_translations(client: TestClient, platform: Platform) -> None:
    add(platform, "Kiểm tra vỉa hè")
    assert client.get("/api/v1/tasklist/tasks").status_code == 401
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/tasklist").status_code == 403
    assert 'href="/tasklist"' not in client.get("/").text
    sign_in(client, platform, make_user(platform, OFFICER))
    api = client.get("/api/v1/tasklist/tasks?open_only=true")
    assert api.status_code == 200 and [t["title"] for t in api.json()] == ["Kiểm tra vỉa hè"]
    page = client.get("/tasklist")
    assert page.status_code == 200
    assert "<h1>Việc cần làm của phường</h1>" in page.text and "Kiểm tra vỉa hè" in page.text
    assert 'href="/tasklist"' in page.text  # the nav entry, shown to holders of its permission
    client.cookies.set(LANG_COOKIE, "en")
    english = client.get("/tasklist").text
    assert "<h1>Ward to-do list</h1>" in english
    # The shell's own catalogue still translates the layout around the domain's page.
    assert 'aria-label="Main navigation"' in english
    css = client.get("/static/tasklist/tasklist.css")
    assert css.status_code == 200 and ".tasklist-item" in css.text
    assert client.get("/static/css/app.css").status_code == 200
    assert client.get("/static/tasklist/missing.css").status_code == 404


def test_the_domains_own_role_is_assignable_and_grants_its_permissions(
    client: TestClient, platform: Platform
) -> None:
    assert platform.roles.owners[WARD_CLERK] == "tasklist"
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    clerk = make_user(platform, CITIZEN)
    given = client.put(f"/api/v1/identity/users/{clerk.id}/roles", json=[WARD_CLERK], headers=csrf(client))
    assert given.status_code == 200 and given.json()["roles"] == [WARD_CLERK]
    client.cookies.clear()
    sign_in(client, platform, clerk)
    me = client.get("/api/v1/identity/me").json()
    assert me["roles"] == [WARD_CLERK]
    # Its own permissions, identity's permission its declaration grants, and those granted to every role.
    assert {
        "tasklist.tasks.read",
        "tasklist.tasks.write",
        "identity.agencies.read",
        "identity.profile.read",
    } <= set(me["permissions"])
    assert "identity.users.read" not in me["permissions"]
    assert client.get("/api/v1/tasklist/tasks").status_code == 200
    assert client.get("/api/v1/identity/agencies").status_code == 200
    assert 'data-role="ward_clerk"' in client.get("/me").text
    assert ">Văn thư phường</span>" in client.get("/me").text
    client.cookies.set(LANG_COOKIE, "en")
    assert ">Ward clerk</span>" in client.get("/me").text


def test_a_write_route_runs_its_use_case_through_the_runner(client: TestClient, platform: Platform) -> None:
    task_id = add(platform, "Thay bóng đèn")
    sign_in(client, platform, make_user(platform, OFFICER, username="tl-officer"))
    url = f"/api/v1/tasklist/tasks/{task_id}/complete"
    done = client.post(url, headers={**csrf(client), "X-Request-ID": "req-42"})
    assert done.status_code == 200 and done.json()["done"] is True
    assert done.headers["x-request-id"] == "req-42"
    with platform.uow() as uow:
        [record] = uow.session.execute(
            select(AuditRecord.actor, AuditRecord.source_ip, AuditRecord.after).where(
                AuditRecord.action == "tasklist.task.complete"
            )
        ).all()
    # The use case passed neither: its unit of work knew the request it served.
    assert record.actor.endswith(":tl-officer") and record.source_ip == "testclient"
    assert record.after == {"request_id": "req-42"}
    missing = client.post(f"/api/v1/tasklist/tasks/{uuid.uuid4()}/complete", headers=csrf(client))
    assert missing.status_code == 404
    assert (
        missing.json()["code"] == "tasklist_not_found" and missing.json()["message"] == "Không có việc này."
    )
    assert missing.json()["message_en"] == "No such task."


def test_a_domain_may_not_shadow_the_shells_static_folders(platform: Platform) -> None:
    platform.manifests = [replace(m, name="css") if m.name == "tasklist" else m for m in platform.manifests]
    with pytest.raises(RuntimeError, match="/static/css/ is the shell's"):
        create_app(platform=platform)


def test_a_translations_package_without_its_catalogue_is_refused() -> None:
    merged = load_translations([TASKLIST])
    assert merged["en"].gettext("Việc cần làm của phường") == "Ward to-do list"
    assert merged["en"].gettext("Trang chủ") == load_translations()["en"].gettext("Trang chủ")
    with pytest.raises(RuntimeError, match=r"has no locale/en/LC_MESSAGES/messages\.po"):
        load_translations(["tests.example_domain"])


@pytest.fixture
def cli_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A fresh, empty database for the CLI; THANGLONG_DOMAINS names the domain by its dotted path."""
    url = create_database(tmp_path, "tasklistcli")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(DOMAINS))
    yield url
    drop_database(url)


def test_db_upgrade_runs_the_domains_own_migration_branch(cli_database: str) -> None:
    runner = CliRunner()
    cli = build_cli()
    heads = runner.invoke(cli, ["db", "heads", "--json"])
    assert heads.exit_code == 0, heads.output
    assert json.loads(heads.stdout)["branches"]["tasklist"] == ["tasklist_0001"]
    upgraded = runner.invoke(cli, ["db", "upgrade"])
    assert upgraded.exit_code == 0, upgraded.output
    assert "tasklist: tasklist_0001 (head)" in upgraded.stdout
    engine = make_engine(cli_database)
    try:
        assert "tasklist_task" in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    current = runner.invoke(cli, ["db", "current", "--json"])
    assert current.exit_code == 0, current.output
    branches = json.loads(current.stdout)["branches"]
    assert list(branches) == ["core", "identity", "tasklist"]
    assert branches["tasklist"] == {"current": ["tasklist_0001"], "heads": ["tasklist_0001"]}
    checked = runner.invoke(cli, ["db", "check", "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["differences"] == []


def test_the_cli_mounts_the_domain_sub_app(cli_database: str) -> None:
    runner = CliRunner()
    cli = build_cli()
    added = runner.invoke(
        cli,
        [
            "tasklist",
            "add",
            "Kiểm tra cột điện",
            "--ward",
            "00070",
            "--lon",
            "105.85",
            "--lat",
            "21.03",
            "--json",
        ],
    )
    assert added.exit_code == 0, added.output
    assert json.loads(added.stdout)["title"] == "Kiểm tra cột điện"
    listed = runner.invoke(cli, ["tasklist", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    assert [t["title"] for t in json.loads(listed.stdout)["tasks"]] == ["Kiểm tra cột điện"]
    refused = runner.invoke(cli, ["tasklist", "add", " ", "--ward", "00070", "--lon", "1", "--lat", "1"])
    assert refused.exit_code == 2 and "A title has 1 to 200 characters." in refused.stderr


def test_the_cli_assigns_the_domains_role_only_while_the_domain_is_enabled(
    cli_database: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    created = runner.invoke(
        build_cli(), ["users", "create", "thu.ky", "--role", WARD_CLERK, "--no-password", "--json"]
    )
    assert created.exit_code == 0, created.output
    assert json.loads(created.stdout)["roles"] == [WARD_CLERK]
    key = runner.invoke(
        build_cli(), ["users", "api-key", "create", "--name", "Sổ việc", "--role", WARD_CLERK]
    )
    assert key.exit_code == 0 and key.stdout.startswith("tl_")
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(["identity"]))
    refused = runner.invoke(
        build_cli(), ["users", "create", "thu.ky2", "--role", WARD_CLERK, "--no-password"]
    )
    assert refused.exit_code == 2
    assert refused.stderr.count("\n") == 1 and "Unknown role: ward_clerk." in refused.stderr
    # The role already given stays stored while the domain is off.
    listed = runner.invoke(build_cli(), ["users", "list", "--json"])
    assert [u["roles"] for u in json.loads(listed.stdout)] == [[WARD_CLERK]]


def test_adding_the_domain_touched_nothing_in_core_web_or_cli() -> None:
    source = ROOT / "src" / "thanglong"
    mentions = [
        str(path.relative_to(ROOT))
        for path in source.rglob("*")
        if path.is_file()
        and path.suffix in {".py", ".html", ".po", ".js", ".css"}
        and any(word in path.read_text(encoding="utf-8") for word in ("tasklist", "example_domain"))
    ]
    assert mentions == []


def test_check_domains_accepts_the_out_of_tree_domain() -> None:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_domains.py"), TASKLIST],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "check_domains: OK" in result.stdout
