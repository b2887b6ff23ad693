"""The public scorecard page, its JSON and the open-data exports (CSV, NGSI-LD)."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from thanglong.core import kpi
from thanglong.core.platform import Platform
from thanglong.domains.operations.scorecard import opendata
from thanglong.domains.operations.scorecard.targets import shipped

PROCEDURES_KPIS = {"procedures.online_share", "procedures.full_process_share", "procedures.on_time_rate"}
# Every KPI the enabled domains provide for the shipped targets: delivery's reach and the fleet's share
# online have no value in the test platform (no announcement sent, no terminal), exported without one.
PROVIDED_KPIS = PROCEDURES_KPIS | {"terminals.announcement_reach", "terminals.online_share"}


def _live(platform: Platform) -> dict[str, float | None]:
    return {v.key: v.value for v in kpi.compute_all(platform, domains={"procedures"})}


def test_the_page_shows_every_target_to_anyone_with_a_value_or_no_data(
    client: TestClient, demo_platform: Platform
) -> None:
    page = client.get("/scorecard")
    assert page.status_code == 200, page.text
    for target in shipped():
        assert f'data-target="{target.key}"' in page.text
    assert page.text.count('data-status="no_data"') >= 10
    assert "Chưa có dữ liệu" in page.text
    assert 'id="chart-procedures_online_share"' in page.text
    assert "/static/operations/scorecard.js" in page.text
    assert client.get("/static/operations/scorecard.js").status_code == 200


def test_the_page_in_english(client: TestClient, demo_platform: Platform) -> None:
    client.get("/lang/en")
    page = client.get("/scorecard")
    assert '<html lang="en">' in page.text
    assert "No data yet" in page.text and "Chưa có dữ liệu" not in page.text
    assert "Government agencies ready for IPv6" in page.text


def test_json_api_is_public_and_says_what_the_kpis_say(client: TestClient, demo_platform: Platform) -> None:
    response = client.get("/api/v1/operations/scorecard")
    assert response.status_code == 200, response.text
    body = response.json()
    live = _live(demo_platform)
    by_key = {item["target"]["kpi"]: item for item in body["targets"]}
    for key in PROCEDURES_KPIS:
        assert by_key[key]["value"] == live[key] and by_key[key]["provided"]
    assert by_key["traffic.congestion_index"]["status"] == "no_data"
    assert sum(body["summary"].values()) == len(shipped())


def test_csv_export_has_one_row_per_indicator_with_provenance(
    client: TestClient, demo_platform: Platform
) -> None:
    response = client.get("/api/v1/operations/indicators.csv")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8"))))
    assert tuple(rows[0]) == opendata.CSV_COLUMNS
    live = _live(demo_platform)
    assert {row["key"] for row in rows} == PROVIDED_KPIS
    for row in rows:
        if row["key"] not in PROCEDURES_KPIS:
            # The fleet's share online: no terminal in the demo platform, so no value yet (never 0).
            assert row["value"] == "" and live.get(row["key"]) is None
            continue
        assert float(row["value"]) == live[row["key"]]
        assert row["computed_at"] and row["source"] in {kpi.SOURCE_LIVE, kpi.SOURCE_RECORDED}
        assert row["provider"].startswith("thanglong.domains.procedures.")
        assert row["formula_en"] and row["owner_vi"] and row["refresh_seconds"] == "300"


def test_ngsi_ld_export_is_normalized_key_performance_indicators(
    client: TestClient, demo_platform: Platform
) -> None:
    response = client.get("/api/v1/operations/indicators.jsonld")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/ld+json")
    entities = json.loads(response.content)
    live = _live(demo_platform)
    assert {e["id"] for e in entities} == {opendata.ID_PREFIX + key for key in PROVIDED_KPIS}
    for entity in entities:
        key = entity["id"].removeprefix(opendata.ID_PREFIX)
        assert entity["type"] == "KeyPerformanceIndicator"
        assert entity["@context"][0] == opendata.SDM_CONTEXT
        # Normalized form: every attribute but id, type and @context is a Property object.
        for name, attribute in entity.items():
            if name not in {"id", "type", "@context"}:
                assert attribute["type"] == "Property" and "value" in attribute, name
        if key not in PROCEDURES_KPIS:
            assert "kpiValue" not in entity and live.get(key) is None
            continue
        assert entity["kpiValue"]["value"] == live[key]
        assert entity["kpiValue"]["unitCode"] == "P1" and entity["kpiValue"]["observedAt"].endswith("Z")
        assert entity["calculationFormula"]["value"] and entity["calculatedBy"]["value"]
        assert entity["dateModified"]["value"]["@type"] == "DateTime"


def test_exports_are_empty_but_well_formed_without_any_provider(platform: Platform) -> None:
    assert opendata.to_csv([], default_refresh=300).splitlines() == [",".join(opendata.CSV_COLUMNS)]
    assert opendata.to_ngsi_ld([], default_refresh=300) == []
