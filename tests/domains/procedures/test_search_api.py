"""GET /api/v1/procedures/search: public JSON search for other systems, bounded, documented."""

from __future__ import annotations

from dataclasses import replace

import pytest
from fastapi.testclient import TestClient

from tests.domains.procedures.helpers import spec
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import load_catalogue
from thanglong.domains.procedures.models import Procedure

URL = "/api/v1/procedures/search"


@pytest.fixture
def loaded(platform: Platform) -> Platform:
    """The platform with the shipped catalogue in its tables."""
    with platform.uow() as uow:
        load_specs(uow, load_catalogue(), actor=SYSTEM_ACTOR)
    return platform


def test_search_answers_the_best_procedures_first(client: TestClient, loaded: Platform) -> None:
    answer = client.get(URL, params={"q": "làm giấy khai sinh cho con", "limit": 3})
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["query"] == "làm giấy khai sinh cho con" and body["limit"] == 3
    assert body["count"] == len(body["results"]) == 3
    first = body["results"][0]
    assert first["code"] == "1.001193"
    assert first["url"] == "/procedures/1.001193"
    assert {"name", "sector", "level", "service_level", "time_amount", "time_unit", "fee_vnd"} <= set(first)
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    unaccented = client.get(URL, params={"q": "dang ky ket hon"}).json()["results"]
    assert unaccented[0]["name"].startswith("Thủ tục đăng ký kết hôn")


def test_no_match_is_an_empty_list(client: TestClient, loaded: Platform) -> None:
    answer = client.get(URL, params={"q": "qwzx vbnm"})
    assert answer.status_code == 200
    assert answer.json() == {"query": "qwzx vbnm", "limit": 10, "count": 0, "results": []}


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({}, "invalid_input"),
        ({"q": ""}, "invalid_input"),
        ({"q": "x" * 201}, "invalid_input"),
        ({"q": "khai sinh", "limit": 0}, "invalid_input"),
        ({"q": "khai sinh", "limit": 51}, "invalid_input"),
        ({"q": "khai sinh", "limit": "mười"}, "invalid_input"),
        ({"q": "   "}, "search_text_invalid"),
    ],
)
def test_bad_parameters_get_422_in_both_languages(
    client: TestClient, loaded: Platform, params: dict[str, object], code: str
) -> None:
    answer = client.get(URL, params=params)
    assert answer.status_code == 422
    body = answer.json()
    assert body["code"] == code
    assert body["message"] and body["message_en"] and body["message"] != body["message_en"]


def test_withdrawn_procedures_are_left_out_and_imported_ones_found_by_name(
    client: TestClient, loaded: Platform
) -> None:
    with loaded.uow() as uow:
        birth = uow.session.query(Procedure).filter_by(code="1.001193").one()
        birth.active = False
        uow.commit()
        extra = replace(spec("9.200001"), name="Cấp phép biển hiệu quảng cáo thử nghiệm")
        load_specs(uow, [extra], actor=SYSTEM_ACTOR)
    codes = [r["code"] for r in client.get(URL, params={"q": "khai sinh"}).json()["results"]]
    assert codes and "1.001193" not in codes
    found = client.get(URL, params={"q": "biển hiệu quảng cáo"}).json()["results"]
    assert (found[0]["code"], found[0]["score"]) == ("9.200001", 1.0)


def test_the_openapi_document_describes_the_answer(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"][URL]["get"]
    assert operation.get("security") in (None, [], [{}])  # public: no credential needed
    names = {p["name"]: p for p in operation["parameters"]}
    assert names["limit"]["schema"]["maximum"] == 50
    assert names["q"]["required"] is True
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/SearchOut"}
    hit = document["components"]["schemas"]["SearchHitOut"]
    assert {"code", "name", "score", "url"} <= set(hit["required"])
    assert "422" in operation["responses"]
