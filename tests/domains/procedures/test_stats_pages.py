"""The statistics page, its JSON API and its command line: who may see them and what they show."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from tests.domains.identity.helpers import sign_in
from tests.domains.procedures.helpers import VALID_FORM, make_world
from thanglong.cli.main import build_cli
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.domains.identity import services as identity_services
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.web.context import LANG_COOKIE


def _login(client: TestClient, platform: Platform, who: Principal) -> None:
    client.cookies.clear()
    with platform.uow() as uow:
        user = identity_services.get_user(uow, who.id)  # type: ignore[arg-type]
    assert user is not None
    sign_in(client, platform, user)


def test_page_renders_for_an_agency_head_and_not_for_a_citizen(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
        )
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=dossier.id, action=A.RECEIVE)

    anonymous = client.get("/officer/stats", follow_redirects=False)
    assert anonymous.status_code == 303
    _login(client, platform, world.citizen)
    assert client.get("/officer/stats").status_code == 403
    assert client.get("/api/v1/procedures/stats").status_code == 403
    assert 'href="/officer/stats"' not in client.get("/").text

    _login(client, platform, world.head)
    page = client.get("/officer/stats")
    assert page.status_code == 200, page.text[:500]
    assert 'href="/officer/stats"' in page.text
    assert 'id="stats-agencies"' in page.text and 'id="stats-communes"' in page.text
    assert f'data-key="{world.agency_id}" data-received="1"' in page.text
    assert "Tỷ lệ hồ sơ giải quyết đúng hạn" in page.text
    assert '<script src="/static/js/procedures-stats.js"></script>' in page.text
    found = re.search(
        r'<script type="application/json" id="stats-chart-data"[^>]*>(.*?)</script>', page.text, re.S
    )
    assert found is not None
    chart = json.loads(found.group(1))
    assert len(chart["months"]) == 6 and chart["received"][-1] >= 1
    assert set(chart["shares"]) == {
        "on_time_rate",
        "online_share",
        "full_process_share",
        "online_payment_share",
    }
    assert client.get("/static/js/procedures-stats.js").status_code == 200

    filtered = client.get("/officer/stats", params={"agency": str(world.other_agency_id), "period": "2026"})
    assert filtered.status_code == 200 and 'id="stats-empty"' in filtered.text
    client.cookies.set(LANG_COOKIE, "en")
    english = client.get("/officer/stats")
    assert "Statistics of administrative procedures" in english.text


def test_api_answers_json_and_refuses_bad_periods(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _login(client, platform, world.head)
    answer = client.get("/api/v1/procedures/stats", params={"period": "2026-Q4"})
    assert answer.status_code == 200
    data = answer.json()
    assert data["period"] == {
        "kind": "quarter",
        "key": "2026-Q4",
        "first_day": "2026-10-01",
        "last_day": "2026-12-31",
    }
    assert data["total"]["indicators"]["online_share"]["group"] == "truc_tuyen"
    bad = client.get("/api/v1/procedures/stats", params={"period": "2026-13"})
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_period"
    assert client.get("/api/v1/procedures/stats", params={"agency": "x"}).json()["code"] == "invalid_agency"


def test_cli_stats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = create_database(tmp_path, "stats")
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    try:
        runner = CliRunner()
        result = runner.invoke(build_cli(), ["procedures", "stats", "--period", "2026-11", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["period"]["key"] == "2026-11"
        table = runner.invoke(build_cli(), ["procedures", "stats", "--period", "2026-11"])
        assert table.exit_code == 0 and "2026-11" in table.stdout
        bad = runner.invoke(build_cli(), ["procedures", "stats", "--period", "nope"])
        assert bad.exit_code == 2 and "invalid_period" not in bad.stdout
    finally:
        drop_database(url)
