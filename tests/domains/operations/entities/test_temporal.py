"""The NGSI-LD temporal API: timerel, lastN, temporalValues and aggregates against the points appended."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete

from tests.domains.operations.entities.test_api import AQ, BASE, assert_problem, create, env, reading
from thanglong.core.platform import Platform
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.models import Point
from thanglong.domains.operations.ngsi import temporal
from thanglong.domains.operations.ngsi.normal import utc_text
from thanglong.domains.operations.series import series_name

TEMPORAL = f"{BASE}/temporal/entities"
OTHER = "urn:ngsi-ld:AirQualityObserved:CauGiay-1"
# 00:00 in Hanoi is 17:00 UTC: a range that starts at 00:10 UTC cuts the kernel's buckets at both edges.
T0 = datetime(2026, 1, 5, 0, 0, tzinfo=UTC)
STEP = timedelta(minutes=7)
POINTS = 600  # 70 hours every 7 minutes: minutes, hours and days of the rollups all used


def _z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _values(seed: int) -> list[tuple[datetime, float]]:
    rng = random.Random(seed)
    return [(T0 + i * STEP, round(rng.uniform(5, 90), 2)) for i in range(POINTS)]


@pytest.fixture
def history(client: TestClient, operator: dict[str, str], platform: Platform) -> dict[str, Any]:
    """Two air-quality entities, with a no2 history appended to the kernel's series."""
    first = {"type": "Property", "value": 1.0, "observedAt": _z(T0 - timedelta(days=30)), "unitCode": "GQ"}
    for entity_id in (AQ, OTHER):
        response = create(client, operator, {**reading(entity_id), "no2": first})
        assert response.status_code == 201, response.text
    points = {AQ: _values(1), OTHER: _values(2)}
    with platform.uow() as uow:
        append(uow, [(series_name(e, "no2"), at, v) for e, rows in points.items() for at, v in rows])
        uow.commit()
    # The value given at creation is history too.
    return {e: [(T0 - timedelta(days=30), 1.0), *rows] for e, rows in points.items()}


def _get(client: TestClient, headers: dict[str, str], path: str = f"{TEMPORAL}/{AQ}", **params: Any) -> Any:
    response = client.get(path, params=params, headers=env(headers))
    assert response.status_code == 200, response.text
    return response.json()


def _instances(rows: list[tuple[datetime, float]]) -> list[dict[str, Any]]:
    return [{"type": "Property", "value": v, "observedAt": utc_text(at), "unitCode": "GQ"} for at, v in rows]


# ------------------------------------------------------------------------------------- timerel, lastN
def test_between_returns_the_instances_in_the_half_open_range(
    client: TestClient, officer: dict[str, str], history: dict[str, Any]
) -> None:
    start, end = T0 + 10 * STEP, T0 + 20 * STEP
    body = _get(client, officer, timerel="between", timeAt=_z(start), endTimeAt=_z(end))
    assert body["id"] == AQ and body["type"] == "AirQualityObserved"
    expected = [(at, v) for at, v in history[AQ] if start <= at < end]
    assert len(expected) == 10
    assert body["no2"] == _instances(expected)


def test_before_and_after_split_at_the_instant(
    client: TestClient, officer: dict[str, str], history: dict[str, Any]
) -> None:
    at = T0 + 100 * STEP
    before = _get(client, officer, timerel="before", timeAt=_z(at))["no2"]
    after = _get(client, officer, timerel="after", timeAt=_z(at))["no2"]
    assert before == _instances([(t, v) for t, v in history[AQ] if t < at])
    # "after" is strictly after: the point at the instant itself is in neither.
    assert after == _instances([(t, v) for t, v in history[AQ] if t > at])
    assert len(before) + len(after) == len(history[AQ]) - 1


def test_the_whole_history_without_timerel_and_last_n(
    client: TestClient, officer: dict[str, str], history: dict[str, Any]
) -> None:
    assert _get(client, officer)["no2"] == _instances(history[AQ])
    last = _get(client, officer, lastN=5)["no2"]
    assert last == _instances(history[AQ][-5:])
    end = T0 + 50 * STEP
    bounded = _get(client, officer, timerel="before", timeAt=_z(end), lastN=3)["no2"]
    assert bounded == _instances([(t, v) for t, v in history[AQ] if t < end][-3:])


def test_temporal_values_is_value_time_pairs(
    client: TestClient, officer: dict[str, str], history: dict[str, Any]
) -> None:
    start, end = T0, T0 + 8 * STEP
    body = _get(
        client, officer, timerel="between", timeAt=_z(start), endTimeAt=_z(end), options="temporalValues"
    )
    assert body["no2"] == {
        "type": "Property",
        "unitCode": "GQ",
        "values": [[v, utc_text(at)] for at, v in history[AQ] if start <= at < end],
    }


# ------------------------------------------------------------------------------------------ aggregates
@pytest.mark.parametrize(("period", "width"), [("PT1H", 3600), ("PT30M", 1800), ("P1D", 86400)])
def test_aggregates_match_the_points(
    client: TestClient, officer: dict[str, str], history: dict[str, Any], period: str, width: int
) -> None:
    start, end = T0 + timedelta(minutes=10), T0 + timedelta(hours=50, minutes=25)
    body = _get(
        client,
        officer,
        timerel="between",
        timeAt=_z(start),
        endTimeAt=_z(end),
        options="aggregatedValues",
        aggrMethods="totalCount,sum,avg,min,max",
        aggrPeriodDuration=period,
    )["no2"]
    # Buckets are aligned on the kernel's grid (Hanoi midnight), cut at the range's edges.
    origin = datetime(2000, 12, 31, 17, 0, tzinfo=UTC)
    groups: dict[datetime, list[float]] = {}
    for at, value in history[AQ]:
        if start <= at < end:
            key = origin + timedelta(seconds=(at - origin).total_seconds() // width * width)
            groups.setdefault(key, []).append(value)
    keys = sorted(groups)
    spans = [[utc_text(max(k, start)), utc_text(min(k + timedelta(seconds=width), end))] for k in keys]
    assert [row[1:] for row in body["avg"]] == spans
    assert [row[0] for row in body["totalCount"]] == [len(groups[k]) for k in keys]
    assert all(isinstance(row[0], int) for row in body["totalCount"])
    assert [row[0] for row in body["min"]] == [min(groups[k]) for k in keys]
    assert [row[0] for row in body["max"]] == [max(groups[k]) for k in keys]
    np.testing.assert_allclose([row[0] for row in body["sum"]], [sum(groups[k]) for k in keys])
    np.testing.assert_allclose(
        [row[0] for row in body["avg"]], [sum(groups[k]) / len(groups[k]) for k in keys]
    )
    assert body["type"] == "Property"


def test_without_a_period_the_whole_range_is_one_aggregate(
    client: TestClient, officer: dict[str, str], history: dict[str, Any]
) -> None:
    start, end = T0 + timedelta(minutes=3), T0 + timedelta(hours=30, minutes=1)
    body = _get(
        client,
        officer,
        timerel="between",
        timeAt=_z(start),
        endTimeAt=_z(end),
        options="aggregatedValues",
        aggrMethods="avg,totalCount",
        lastN=1,
    )["no2"]
    values = [v for at, v in history[AQ] if start <= at < end]
    assert body["totalCount"] == [[len(values), utc_text(start), utc_text(end)]]
    assert body["avg"][0][0] == pytest.approx(sum(values) / len(values))
    assert "max" not in body


# --------------------------------------------------------------------------------------------- queries
def test_query_selects_entities_like_get_entities(
    client: TestClient, officer: dict[str, str], history: dict[str, Any]
) -> None:
    start, end = T0, T0 + 3 * STEP
    params = {"timerel": "between", "timeAt": _z(start), "endTimeAt": _z(end)}
    response = client.get(TEMPORAL, params={**params, "type": "AirQualityObserved"}, headers=env(officer))
    assert response.status_code == 200, response.text
    assert "context.jsonld" in response.headers["link"]
    got = {e["id"]: e["no2"] for e in response.json()}
    assert got == {e: _instances([(t, v) for t, v in history[e] if start <= t < end]) for e in (AQ, OTHER)}

    # An id alone does not narrow a query enough (CIM 009 5.7.2.4, followed by 5.7.3): a type goes with it.
    alone = client.get(TEMPORAL, params={**params, "id": OTHER}, headers=env(officer))
    assert alone.status_code == 400 and alone.json()["type"].endswith("BadRequestData")
    one = client.get(
        TEMPORAL,
        params={**params, "type": "AirQualityObserved", "id": OTHER, "count": "true"},
        headers=env(officer),
    )
    assert [e["id"] for e in one.json()] == [OTHER] and one.headers["ngsild-results-count"] == "1"
    page = client.get(
        TEMPORAL,
        params={**params, "type": "AirQualityObserved", "limit": 1, "offset": 1},
        headers=env(officer),
    )
    # Entities come in id order: CauGiay before HoanKiem.
    assert [e["id"] for e in page.json()] == [AQ]
    # q filters on the entities' current values: the value given at creation.
    none = client.get(
        TEMPORAL, params={**params, "type": "AirQualityObserved", "q": "no2>2"}, headers=env(officer)
    )
    assert none.json() == []
    # An attribute without history is simply absent.
    other = client.get(
        TEMPORAL, params={**params, "type": "AirQualityObserved", "attrs": "pm10"}, headers=env(officer)
    )
    assert other.json() == []


def test_history_written_through_the_api_is_read_back(
    client: TestClient, operator: dict[str, str], officer: dict[str, str]
) -> None:
    create(client, operator, reading(no2=10.0))
    for minute, value in ((1, 20.5), (2, 30.5)):
        patch = {
            "no2": {"type": "Property", "value": value, "observedAt": _z(T0 + timedelta(minutes=minute))}
        }
        response = client.patch(f"{BASE}/entities/{AQ}/attrs", json=patch, headers=env(operator))
        assert response.status_code == 204, response.text
    # The value sent without observedAt was stamped with the time of writing (now), outside this day.
    body = _get(
        client,
        officer,
        timerel="between",
        timeAt=_z(T0),
        endTimeAt=_z(T0 + timedelta(days=1)),
        options="temporalValues",
    )
    assert body["no2"]["values"] == [[20.5, "2026-01-05T00:01:00.000Z"], [30.5, "2026-01-05T00:02:00.000Z"]]


# ------------------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize(
    ("path", "params", "parameter"),
    [
        (TEMPORAL, {"type": "AirQualityObserved"}, "timerel"),
        (
            TEMPORAL,
            {"type": "AirQualityObserved", "timerel": "during", "timeAt": "2026-01-05T00:00:00Z"},
            "timerel",
        ),
        (f"{TEMPORAL}/{AQ}", {"timerel": "before"}, "timeAt"),
        (f"{TEMPORAL}/{AQ}", {"timerel": "between", "timeAt": "2026-01-05T00:00:00Z"}, "endTimeAt"),
        (f"{TEMPORAL}/{AQ}", {"timerel": "before", "timeAt": "yesterday"}, "timeAt"),
        (f"{TEMPORAL}/{AQ}", {"timerel": "before", "timeAt": "2026-01-05T00:00:00"}, "timeAt"),
        (
            f"{TEMPORAL}/{AQ}",
            {"timerel": "between", "timeAt": "2026-01-05T00:00:00Z", "endTimeAt": "2026-01-04T00:00:00Z"},
            "endTimeAt",
        ),
        (f"{TEMPORAL}/{AQ}", {"timeAt": "2026-01-05T00:00:00Z"}, "timerel"),
        (f"{TEMPORAL}/{AQ}", {"lastN": "0"}, "lastN"),
        (f"{TEMPORAL}/{AQ}", {"lastN": "many"}, "lastN"),
        (f"{TEMPORAL}/{AQ}", {"timeproperty": "modifiedAt"}, "timeproperty"),
        (f"{TEMPORAL}/{AQ}", {"timeproperty": "seenAt"}, "timeproperty"),
        (f"{TEMPORAL}/{AQ}", {"options": "aggregatedValues"}, "aggrMethods"),
        (f"{TEMPORAL}/{AQ}", {"options": "aggregatedValues", "aggrMethods": "stddev"}, "aggrMethods"),
        (
            f"{TEMPORAL}/{AQ}",
            {"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "P1M"},
            "aggrPeriodDuration",
        ),
        (
            f"{TEMPORAL}/{AQ}",
            {"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "one hour"},
            "aggrPeriodDuration",
        ),
        # 70 hours of history by the second: 252,000 periods, over the limit of 10,000.
        (
            f"{TEMPORAL}/{AQ}",
            {"options": "aggregatedValues", "aggrMethods": "avg", "aggrPeriodDuration": "PT1S"},
            "aggrPeriodDuration",
        ),
    ],
)
def test_bad_parameters_are_400_in_both_languages(
    client: TestClient,
    officer: dict[str, str],
    history: dict[str, Any],
    path: str,
    params: dict[str, str],
    parameter: str,
) -> None:
    body = assert_problem(client.get(path, params=params, headers=env(officer)), 400, "BadRequestData")
    assert body["details"]["parameter"] == parameter
    assert body["message"] != body["message_en"]
    assert parameter in body["message"] and parameter in body["message_en"]


def test_unknown_entity_is_404(client: TestClient, officer: dict[str, str]) -> None:
    assert_problem(client.get(f"{TEMPORAL}/urn:x:none", headers=officer), 404, "ResourceNotFound")


def test_reading_history_needs_operations_data_read(
    client: TestClient, citizen: dict[str, str], history: dict[str, Any]
) -> None:
    assert_problem(client.get(f"{TEMPORAL}/{AQ}", headers=citizen), 403, "InvalidRequest")
    params = {"type": "AirQualityObserved", "timerel": "after", "timeAt": "2026-01-01T00:00:00Z"}
    assert_problem(client.get(TEMPORAL, params=params), 401, "InvalidRequest")


def test_more_instances_than_the_cap_is_a_partial_206(
    client: TestClient, officer: dict[str, str], history: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(temporal, "MAX_INSTANCES", 50)
    response = client.get(
        f"{TEMPORAL}/{AQ}", params={"timerel": "after", "timeAt": _z(T0)}, headers=env(officer)
    )
    assert response.status_code == 206, response.text
    later = [(t, v) for t, v in history[AQ] if t > T0]
    assert response.json()["no2"] == _instances(later[:50])
    first, last = utc_text(later[0][0]), utc_text(later[49][0])
    assert response.headers["content-range"] == f"date-time {first}-{last}/*"
    # Under the cap lastN is answered whole; above it, the newest are, in part too.
    assert _get(client, officer, lastN=40)["no2"] == _instances(history[AQ][-40:])
    newest = client.get(f"{TEMPORAL}/{AQ}", params={"lastN": 60}, headers=env(officer))
    assert newest.status_code == 206
    assert newest.json()["no2"] == _instances(history[AQ][-50:])


def test_offsets_are_read_and_json_ld_carries_the_context(
    client: TestClient, officer: dict[str, str], history: dict[str, Any]
) -> None:
    # 07:00 in Hanoi is midnight UTC.
    params = {"timerel": "before", "timeAt": "2026-01-05T07:00:00+07:00", "lastN": "1"}
    response = client.get(
        f"{TEMPORAL}/{AQ}", params=params, headers={**env(officer), "Accept": "application/ld+json"}
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["@context"].endswith("context.jsonld")
    assert body["no2"] == _instances([(T0 - timedelta(days=30), 1.0)])


def test_aggregates_are_answered_from_the_rollups_not_the_points(
    client: TestClient, officer: dict[str, str], history: dict[str, Any], platform: Platform
) -> None:
    params = {
        "timerel": "between",
        "timeAt": _z(T0 + timedelta(minutes=10)),
        "endTimeAt": _z(T0 + timedelta(hours=40)),
        "options": "aggregatedValues",
        "aggrMethods": "totalCount,avg,min,max",
        "aggrPeriodDuration": "PT1H",
    }
    before = _get(client, officer, **params)["no2"]
    assert sum(row[0] for row in before["totalCount"]) > 300
    with platform.uow() as uow:
        uow.session.execute(delete(Point))
        uow.commit()
    # The range's edges are whole minutes: the minute, hour and day rollups answer it all.
    assert _get(client, officer, **params)["no2"] == before
    assert _get(client, officer, timerel="after", timeAt=_z(T0)) == {"id": AQ, "type": "AirQualityObserved"}
