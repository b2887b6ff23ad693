"""The KPI registry: providers of the enabled domains only, failures reported, the API and the CLI."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from typer.testing import CliRunner

from tests.domains.identity.helpers import make_user, sign_in
from thanglong.cli.main import build_cli
from thanglong.core import jobs_tasks, kpi
from thanglong.core.manifest import DomainManifest, KpiProvider
from thanglong.core.platform import Platform, build_platform
from thanglong.core.security import RoleName
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity.api import AGENCY_HEAD, CITIZEN, OPERATOR

HERE = "tests.core.test_kpi"


def answer(uow: UnitOfWork) -> float:
    """Return a figure read from the database."""
    return float(uow.session.scalar(text("SELECT 42")) or 0)


def broken_sql(uow: UnitOfWork) -> float:
    """Fail inside the database, leaving the transaction aborted on PostgreSQL."""
    return float(uow.session.scalar(text("SELECT * FROM no_such_table_kpi")) or 0)


def not_a_number(uow: UnitOfWork) -> object:
    """Return something that is not a figure."""
    return "42"


def nothing_yet(uow: UnitOfWork) -> float | None:
    """A rate with nothing to divide: no data, not zero."""
    return None


def _provider(key: str, function: str) -> KpiProvider:
    return KpiProvider(key, f"Chỉ số {key}", f"Figure {key}", "x", function)


FAKE = DomainManifest(
    name="fake",
    title_vi="Giả",
    title_en="Fake",
    kpis=(
        _provider("ok", f"{HERE}:answer"),
        _provider("sql", f"{HERE}:broken_sql"),
        _provider("type", f"{HERE}:not_a_number"),
        _provider("missing", "tests.core.no_such_module:figure"),
        _provider("after", f"{HERE}:answer"),
    ),
)


def test_lists_the_providers_of_enabled_domains_only(tmp_path: Path, tl_database_url: str) -> None:
    without = build_platform(
        make_settings(tmp_path, tl_database_url, domains=["identity", "notify", "payments"])
    )
    with_procedures = build_platform(make_settings(tmp_path, tl_database_url))
    try:
        # The kernel's queue-health figures are there whatever the domains.
        assert {item.domain for item in kpi.providers(without)} == {"core"}
        listed = kpi.providers(with_procedures)
        keys = {item.provider.key for item in listed}
        assert {"procedures.on_time_rate", "procedures.received_today", "core.jobs.dead"} <= keys
        assert {item.domain for item in listed} == {"core", "procedures", "terminals"}
        assert kpi.providers(with_procedures, domains={"identity"}) == []
    finally:
        without.close()
        with_procedures.close()


def test_a_failing_provider_is_reported_not_fatal(platform: Platform) -> None:
    fake = dataclasses.replace(platform, manifests=[*platform.manifests, FAKE])
    values = {v.key: v for v in kpi.compute_all(fake, domains={"fake"})}
    assert list(values) == ["ok", "sql", "type", "missing", "after"]
    assert values["ok"].value == 42.0 and values["ok"].ok
    assert values["after"].value == 42.0
    assert values["sql"].value is None and values["sql"].error
    assert values["type"].error == "TypeError: returned str, not a number or None"
    assert values["missing"].error is not None and "ModuleNotFoundError" in values["missing"].error
    assert values["ok"].to_dict()["label_en"] == "Figure ok"
    with platform.uow() as uow:
        # One unit of work for all: the failed SQL is rolled back and the next provider still reads.
        again = [kpi.compute_one(uow, item) for item in kpi.providers(fake, domains={"fake"})]
    assert [v.value for v in again] == [42.0, None, None, None, 42.0]


def test_procedures_kpis_compute(platform: Platform) -> None:
    values = kpi.compute_all(platform)
    assert values and all(v.ok for v in values), [v.error for v in values if not v.ok]
    assert {v.domain for v in values} == {"core", "procedures", "terminals"}


@pytest.mark.parametrize(("role", "visible"), [(OPERATOR, True), (AGENCY_HEAD, True), (CITIZEN, False)])
def test_api_shows_the_domains_whose_statistics_one_may_read(
    client: TestClient, platform: Platform, role: RoleName, visible: bool
) -> None:
    assert client.get("/api/v1/kpis").status_code == 401
    sign_in(client, platform, make_user(platform, role))
    response = client.get("/api/v1/kpis")
    assert response.status_code == 200, response.text
    keys = {item["key"] for item in response.json()["kpis"]}
    assert ("procedures.online_share" in keys) is visible
    assert visible or keys == set()


def test_cli_prints_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = create_database(tmp_path, "kpi")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    try:
        result = CliRunner().invoke(build_cli(), ["kpis", "--json"])
        assert result.exit_code == 0, result.output
        data = json.loads(result.stdout)["kpis"]
        received = next(item for item in data if item["key"] == "procedures.received_today")
        assert received["value"] == 0.0 and received["ok"]
    finally:
        drop_database(url)


def test_no_data_is_shown_as_no_data_not_as_zero(platform: Platform) -> None:
    empty = DomainManifest(
        name="empty", title_vi="Trống", title_en="Empty", kpis=(_provider("rate", f"{HERE}:nothing_yet"),)
    )
    fake = dataclasses.replace(platform, manifests=[*platform.manifests, empty])
    [value] = kpi.compute_all(fake, domains={"empty"})
    assert value.ok and value.value is None and not value.has_data
    assert value.to_dict()["value"] is None
    # The kernel's own figure: the age of the oldest queued job is no data when nothing is queued.
    with platform.uow() as uow:
        assert jobs_tasks.kpi_oldest_age(uow) is None
