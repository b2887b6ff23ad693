"""The signal plans pages and API: roles, a candidate added, a what-if shown, deploy told in both outcomes."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf_value, make_user, sign_in
from tests.domains.traffic.test_plans import TLS, tiny  # noqa: F401  (the session grid fixture)
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN, OFFICER, OPERATOR
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic.network.build import Scenario
from thanglong.domains.traffic.plans import runs, services
from thanglong.domains.traffic.plans.controller import simulated

PAGE = f"/traffic/plans/tiny/{TLS}"


@pytest.fixture
def network(platform: Platform, tiny: Scenario) -> Iterator[None]:  # noqa: F811
    """The tiny grid registered; the process's simulated controller starts empty."""
    simulated.cache_clear()
    with platform.uow() as uow:
        services.register_network(
            uow, key="tiny", title="Lưới thử", title_en="Test grid", net_path=tiny.net, bindings={}, actor="t"
        )
    yield
    simulated.cache_clear()


def _csrf(client: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": csrf_value(client)}


def _candidate(client: TestClient, name: str, green: float = 20) -> dict[str, object]:
    plans = client.get(f"/api/v1/traffic/plans/tiny/{TLS}").json()["plans"]
    definition = dict(plans[0]["definition"])
    definition["stages"] = [{**s, "green_s": green} for s in definition["stages"]]
    return {"name": name, "definition": definition}


def test_readers_see_plans_and_only_operators_deploy(
    client: TestClient, platform: Platform, network: None
) -> None:
    sign_in(client, platform, make_user(platform, OFFICER))
    listing = client.get("/traffic/plans")
    assert listing.status_code == 200 and f'href="{PAGE}"' in listing.text
    added = client.post(
        f"/api/v1/traffic/plans/tiny/{TLS}/candidates", json=_candidate(client, "Ngắn"), headers=_csrf(client)
    )
    assert added.status_code == 201
    page = client.get(PAGE)
    assert page.status_code == 200 and "Ngắn" in page.text and 'data-action="deploy"' not in page.text
    assert (
        client.post(f"/api/v1/traffic/plans/deploy/{added.json()['id']}", headers=_csrf(client)).status_code
        == 403
    )


def test_citizens_are_kept_out(client: TestClient, platform: Platform, network: None) -> None:
    sign_in(client, platform, make_user(platform, CITIZEN))
    assert client.get("/traffic/plans").status_code == 403
    assert client.get(PAGE).status_code == 403


def test_a_conflicting_plan_is_refused_with_a_readable_error(
    client: TestClient, platform: Platform, network: None
) -> None:
    sign_in(client, platform, make_user(platform, OPERATOR))
    body = _candidate(client, "Xanh hết")
    width = len(body["definition"]["stages"][0]["state"])  # type: ignore[index]
    body["definition"] = {"kind": "fixed", "stages": [{"state": "G" * width, "green_s": 30}]}
    answer = client.post(f"/api/v1/traffic/plans/tiny/{TLS}/candidates", json=body, headers=_csrf(client))
    assert answer.status_code == 422
    assert "xung đột" in answer.text
    form = client.post(
        f"{PAGE}/candidates",
        data={
            "csrf_token": csrf_value(client),
            "name": "Xanh hết",
            "definition": json.dumps(body["definition"]),
        },
    )
    assert "xung đột" in form.text and "Xanh hết</td>" not in form.text
    client.cookies.set("tl_lang", "en")
    english = client.post(
        f"{PAGE}/candidates", data={"csrf_token": csrf_value(client), "name": "x", "definition": "{not json"}
    )
    assert "The definition is not JSON" in english.text


def test_a_whatif_is_queued_shown_as_a_table_and_the_chosen_plan_deployed(
    client: TestClient, platform: Platform, network: None
) -> None:
    sign_in(client, platform, make_user(platform, OPERATOR))
    added = client.post(
        f"/api/v1/traffic/plans/tiny/{TLS}/candidates", json=_candidate(client, "Ngắn"), headers=_csrf(client)
    ).json()
    queued = client.post(
        f"/api/v1/traffic/plans/tiny/{TLS}/whatif",
        json={"counts": {"left0A0": 500, "bottom0A0": 400}, "seeds": [1, 2], "horizon_s": 90},
        headers=_csrf(client),
    )
    assert queued.status_code == 202 and queued.json()["status"] == runs.QUEUED
    assert 'data-pending="1"' in client.get(PAGE).text
    with platform.uow() as uow:
        runs.compute(uow, __import__("uuid").UUID(queued.json()["id"]))
        uow.commit()
    page = client.get(PAGE)
    assert 'data-pending="1"' not in page.text
    assert page.text.count('class="tr-table whatif-table"') == 1 and 'data-rank="2"' in page.text
    assert "whatif-chart" in page.text and "/static/traffic/plans.js" in page.text
    result = client.get(f"/api/v1/traffic/whatif/{queued.json()['id']}").json()
    assert [r["rank"] for r in result["results"]] == [1, 2]
    deployed = client.post(f"/traffic/plans/deploy/{added['id']}", data={"csrf_token": csrf_value(client)})
    assert deployed.status_code == 200
    assert "bộ điều khiển đã xác nhận" in deployed.text
    assert 'data-status="current"' in deployed.text and 'data-outcome="deployed"' in deployed.text


def test_a_refusing_controller_is_reported_and_nothing_is_deployed(
    client: TestClient, platform: Platform, network: None
) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    added = client.post(
        f"/api/v1/traffic/plans/tiny/{TLS}/candidates", json=_candidate(client, "Ngắn"), headers=_csrf(client)
    ).json()
    client.get(PAGE)
    simulated().failing.add("activate")
    answer = client.post(f"/api/v1/traffic/plans/deploy/{added['id']}", headers=_csrf(client))
    assert answer.status_code == 200
    body = answer.json()
    assert (
        body["deployed"] is False and "activate" in body["reason"] and body["plan"]["status"] == "candidate"
    )
    page = client.post(f"/traffic/plans/deploy/{added['id']}", data={"csrf_token": csrf_value(client)})
    assert "từ chối" in page.text and 'data-outcome="refused"' in page.text
    with platform.uow() as uow:
        assert services.alarm_source(TLS) in operations.open_external(uow, "traffic.signal.")
