"""KPIs recorded on schedule: served with computed-at and provenance, live when stale, with history."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from tests.domains.identity.helpers import make_user, sign_in
from thanglong.cli.main import build_cli
from thanglong.core import kpi, schedules
from thanglong.core.manifest import DomainManifest, KpiProvider
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity.api import CITIZEN, OPERATOR

HERE = "tests.core.test_kpi_history"
RECEIVED = "procedures.received_today"


def dossiers_waiting(uow: UnitOfWork) -> float:
    """Return a figure read from the database."""
    return float(uow.session.scalar(text("SELECT 7")) or 0)


def broken(uow: UnitOfWork) -> float:
    """Fail, as a provider with a bug would."""
    raise RuntimeError("provider exploded")


FAKE = DomainManifest(
    name="fake",
    title_vi="Giả",
    title_en="Fake",
    kpis=(
        KpiProvider("fake.waiting", "Hồ sơ chờ", "Dossiers waiting", "hồ sơ", f"{HERE}:dossiers_waiting"),
        KpiProvider("fake.broken", "Hỏng", "Broken", "x", f"{HERE}:broken"),
    ),
)


def _at(platform: Platform, moment: datetime) -> Platform:
    """Return the platform with its clock stopped at a moment."""
    return dataclasses.replace(platform, clock=lambda: moment)


def test_recorded_values_are_served_with_provenance_until_they_are_stale(platform: Platform) -> None:
    fake = dataclasses.replace(platform, manifests=[*platform.manifests, FAKE])
    recorded_at = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=2)
    recorded = {v.key: v for v in kpi.record_all(_at(fake, recorded_at))}
    assert recorded["fake.waiting"].source == kpi.SOURCE_RECORDED and recorded["fake.waiting"].value == 7.0
    assert recorded["fake.broken"].error == "RuntimeError: provider exploded"
    assert recorded["fake.broken"].source == kpi.SOURCE_LIVE  # computed, but not recorded

    served = {v.key: v for v in kpi.current(_at(fake, recorded_at + timedelta(minutes=5)), domains={"fake"})}
    waiting = served["fake.waiting"]
    assert (waiting.value, waiting.computed_at, waiting.source) == (7.0, recorded_at, kpi.SOURCE_RECORDED)
    assert waiting.to_dict()["provenance"] == {
        "domain": "fake",
        "provider": f"{HERE}:dossiers_waiting",
        "source": "recorded",
    }
    assert waiting.to_dict()["computed_at"] == recorded_at.isoformat()
    # The failed provider was not recorded: it is computed for the request, and fails visibly.
    assert (served["fake.broken"].source, served["fake.broken"].ok) == (kpi.SOURCE_LIVE, False)

    later = recorded_at + kpi.MAX_RECORDED_AGE + timedelta(seconds=1)
    stale = {v.key: v for v in kpi.current(_at(fake, later), domains={"fake"})}["fake.waiting"]
    assert (stale.source, stale.computed_at, stale.value) == (kpi.SOURCE_LIVE, later, 7.0)


def test_the_kernel_schedules_record_kpis_and_maintain_the_series(platform: Platform) -> None:
    names = [s.name for s in platform.manifest("core").schedules]
    assert {"core.kpis.record", "core.timeseries.maintain"} <= set(names)
    for name in ("core.timeseries.maintain", "core.kpis.record"):
        result = schedules.run_now(platform, name, actor="test")
        assert result.ok, result.error
    served = {v.key: v for v in kpi.current(platform)}
    assert served[RECEIVED].source == kpi.SOURCE_RECORDED
    assert served[RECEIVED].provider == "thanglong.domains.procedures.statistics.services:kpi_received_today"


def test_history_api_returns_recorded_values_and_their_trend(client: TestClient, platform: Platform) -> None:
    start = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=3)
    for minutes in (0, 5, 65, 125):
        kpi.record_all(_at(platform, start + timedelta(minutes=minutes)))
    sign_in(client, platform, make_user(platform, OPERATOR))
    since, until = quote(start.isoformat()), quote((start + timedelta(hours=3)).isoformat())
    response = client.get(f"/api/v1/kpis/{RECEIVED}/history?start={since}&end={until}&bucket=hour&agg=count")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["points"] == [
        {"at": start.isoformat(), "value": 2.0},
        {"at": (start + timedelta(hours=1)).isoformat(), "value": 1.0},
        {"at": (start + timedelta(hours=2)).isoformat(), "value": 1.0},
    ]
    assert body["trend"] == {"count": 3, "first": 2.0, "last": 1.0, "change": -1.0, "min": 1.0, "max": 2.0}
    assert body["provenance"]["domain"] == "procedures"
    assert (body["unit"], body["series"]) == ("hồ sơ", f"kpi.{RECEIVED}")
    raw = client.get(f"/api/v1/kpis/{RECEIVED}/history?start={since}&end={until}&bucket=raw").json()
    assert [p["value"] for p in raw["points"]] == [0.0, 0.0, 0.0, 0.0]
    # Times without an offset are Hanoi time, as shown on every page.
    local = (start + timedelta(hours=7)).replace(tzinfo=None).isoformat()
    assert len(client.get(f"/api/v1/kpis/{RECEIVED}/history?start={local}&bucket=raw").json()["points"]) == 4
    # The list serves the latest recorded value while it is recent.
    recorded = kpi.record_all(platform)
    listed = {item["key"]: item for item in client.get("/api/v1/kpis").json()["kpis"]}
    mine = next(v for v in recorded if v.key == RECEIVED)
    assert mine.computed_at is not None
    assert listed[RECEIVED]["provenance"]["source"] == "recorded"
    assert listed[RECEIVED]["computed_at"] == mine.computed_at.isoformat()


@pytest.mark.parametrize(
    ("path", "status", "code"),
    [
        (f"/api/v1/kpis/{RECEIVED}/history?bucket=fortnight", 422, "invalid_bucket"),
        (f"/api/v1/kpis/{RECEIVED}/history?agg=median", 422, "invalid_aggregate"),
        (f"/api/v1/kpis/{RECEIVED}/history?start=yesterday", 422, "invalid_instant"),
        ("/api/v1/kpis/procedures.no_such_kpi/history", 404, "unknown_kpi"),
    ],
)
def test_history_api_refuses_bad_requests(
    client: TestClient, platform: Platform, path: str, status: int, code: str
) -> None:
    sign_in(client, platform, make_user(platform, OPERATOR))
    response = client.get(path)
    assert (response.status_code, response.json()["code"]) == (status, code)


def test_history_needs_the_domains_statistics_permission(client: TestClient, platform: Platform) -> None:
    assert client.get(f"/api/v1/kpis/{RECEIVED}/history").status_code == 401
    sign_in(client, platform, make_user(platform, CITIZEN))
    response = client.get(f"/api/v1/kpis/{RECEIVED}/history")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


def test_cli_records_serves_and_queries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = create_database(tmp_path, "kpihist")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> str:
        result = runner.invoke(build_cli(), list(args))
        assert result.exit_code == code, result.output
        return result.stdout

    try:
        served = {k["key"]: k for k in json.loads(run("kpis", "--json"))["kpis"]}
        assert served[RECEIVED]["provenance"]["source"] == "live"
        run("kpis", "--record", "--json")
        served = {k["key"]: k for k in json.loads(run("kpis", "--json"))["kpis"]}
        assert served[RECEIVED]["provenance"]["source"] == "recorded"
        assert json.loads(run("kpis", "--live", "--json"))["kpis"][0]["provenance"]["source"] == "live"
        both = runner.invoke(build_cli(), ["kpis", "--live", "--record"])
        assert both.exit_code == 2 and "--live" in both.output
        listed = {s["name"]: s for s in json.loads(run("timeseries", "list", "--json"))["series"]}
        assert listed[f"kpi.{RECEIVED}"]["domain"] == "procedures"
        now = datetime.now(UTC)
        since, until = (now - timedelta(hours=1)).isoformat(), (now + timedelta(minutes=1)).isoformat()
        answer = json.loads(
            run(
                "timeseries",
                "query",
                f"kpi.{RECEIVED}",
                "--start",
                since,
                "--end",
                until,
                "--bucket",
                "raw",
                "--json",
            )
        )
        assert [value for _, value in answer["points"]] == [0.0]
        report = json.loads(run("timeseries", "maintain", "--json"))
        assert report["series"] >= 5 and report["partitions_dropped"] == []
        bad = runner.invoke(
            build_cli(), ["timeseries", "query", "kpi.nothing", "--start", since, "--end", until]
        )
        assert bad.exit_code == 2 and "not registered" in bad.output
    finally:
        drop_database(url)
