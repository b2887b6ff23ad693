"""Bad text in filings and actions is refused at the door and never stored (issue: security review)."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.domains.identity.helpers import csrf, sign_in
from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from thanglong.core.platform import Platform
from thanglong.domains.identity import services as identity_services
from thanglong.domains.procedures.models import Dossier

DOSSIERS = "/api/v1/procedures/dossiers"


def _sign_in(client: TestClient, platform: Platform, principal_id: object) -> None:
    with platform.uow() as uow:
        user = identity_services.get_user(uow, principal_id)  # type: ignore[arg-type]
    assert user is not None
    client.cookies.clear()
    sign_in(client, platform, user)


def _count(platform: Platform) -> int:
    with platform.uow() as uow:
        return int(uow.session.execute(select(func.count()).select_from(Dossier)).scalar_one())


def _body(world: World, form: object) -> dict[str, object]:
    return {
        "procedure_code": world.procedure_code,
        "receiving_agency_id": str(world.agency_id),
        "form_data": form,
    }


def _post_raw(client: TestClient, url: str, raw: str) -> object:
    headers = {**csrf(client), "Content-Type": "application/json"}
    return client.post(url, content=raw.encode("utf-8"), headers=headers)


def test_a_lone_surrogate_in_a_filing_is_refused_and_nothing_is_stored(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    _sign_in(client, platform, world.citizen.id)
    before = _count(platform)
    # The JSON text holds the escape itself: json.loads turns it into a lone surrogate.
    raw = json.dumps(_body(world, {**VALID_FORM, "ho_ten": "PLACEHOLDER"})).replace("PLACEHOLDER", "\\ud800x")
    answer = _post_raw(client, DOSSIERS, raw)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "lone_surrogate"
    assert answer.json()["message"] and answer.json()["message_en"]
    assert _count(platform) == before


def test_nul_deep_nesting_huge_and_undefined_fields_are_refused(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    _sign_in(client, platform, world.citizen.id)
    before = _count(platform)
    nul = client.post(DOSSIERS, json=_body(world, {**VALID_FORM, "ho_ten": "A\x00B"}), headers=csrf(client))
    assert nul.status_code == 422 and nul.json()["code"] == "nul_character"
    deep: object = "x"
    for _ in range(900):
        deep = {"k": deep}
    raw = json.dumps(_body(world, {**VALID_FORM, "extra": "DEEP"})).replace('"DEEP"', json.dumps(deep))
    nested = _post_raw(client, DOSSIERS, raw)
    assert nested.status_code in (413, 422), nested.text
    huge = client.post(
        DOSSIERS, json=_body(world, {**VALID_FORM, "ghi_chu": "x" * 300_000}), headers=csrf(client)
    )
    assert huge.status_code in (413, 422) and huge.json()["code"] in (
        "too_long",
        "too_large",
        "body_too_large",
    )
    undefined = client.post(
        DOSSIERS, json=_body(world, {**VALID_FORM, "khong_co": "giá trị lạ"}), headers=csrf(client)
    )
    assert undefined.status_code == 422 and undefined.json()["code"] == "invalid_form"
    assert "khong_co" in undefined.json()["message_en"]
    assert _count(platform) == before
    ok = client.post(DOSSIERS, json=_body(world, VALID_FORM), headers=csrf(client))
    assert ok.status_code == 201, ok.text
    assert client.get(f"{DOSSIERS}/{ok.json()['id']}").status_code == 200


def test_bad_text_in_an_action_note_or_form_is_refused(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _sign_in(client, platform, world.citizen.id)
    made = client.post(DOSSIERS, json=_body(world, VALID_FORM), headers=csrf(client))
    assert made.status_code == 201
    dossier_id = made.json()["id"]
    _sign_in(client, platform, world.officer.id)
    url = f"{DOSSIERS}/{dossier_id}/actions/receive"
    nul = client.post(url, json={"note": "tiếp nhận\x00"}, headers=csrf(client))
    assert nul.status_code == 422 and nul.json()["code"] == "nul_character"
    surrogate = _post_raw(client, url, '{"note": "\\udfff"}')
    # Pydantic refuses a lone surrogate in a declared string field itself (invalid_input).
    assert surrogate.status_code == 422 and surrogate.json()["code"] in ("lone_surrogate", "invalid_input")
    fine = client.post(url, json={"note": "Đã tiếp nhận"}, headers=csrf(client))
    assert fine.status_code == 200, fine.text
    assert client.get(f"{DOSSIERS}/{dossier_id}").status_code == 200


def test_searching_with_nul_is_refused_by_the_api_and_ignored_by_the_page(
    client: TestClient, platform: Platform
) -> None:
    make_world(platform)
    refused = client.get("/api/v1/procedures/search", params={"q": "khai\x00sinh"})
    assert refused.status_code == 422 and refused.json()["message_en"]
    # The catalogue page's search and filters drop what no stored text can hold (PostgreSQL refuses NUL).
    page = client.get("/procedures", params={"q": "khai\x00sinh", "sector": "Hộ\x00tịch", "agency": "x\x00"})
    assert page.status_code == 200
    assert client.get("/procedures?q=khai%ED%A0%80sinh&sector=%00").status_code == 200
