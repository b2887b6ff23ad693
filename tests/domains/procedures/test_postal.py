"""Results by post: the shipment at the return step, ordering from a fake VNPost, the signed webhook."""

from __future__ import annotations

import dataclasses
import json
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from sqlalchemy import select

from tests.domains.identity.helpers import csrf_value
from tests.domains.procedures.fake_vnpost import TOKEN, FakeVnpost, running_carrier
from tests.domains.procedures.helpers import World, make_world, spec
from tests.domains.procedures.test_transfer import _login, act
from thanglong.core.errors import Conflict, Forbidden
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import OPERATOR
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.integrations.vnpost import protocol as vnpost
from thanglong.domains.procedures.integrations.vnpost import services as services_postal
from thanglong.domains.procedures.integrations.vnpost.protocol import ShipmentStatus as Ship
from thanglong.domains.procedures.models import PostalShipment

HOOK_SECRET = "bí-mật-webhook"
POSTAL_EFORM: dict[str, Any] = {
    "type": "object",
    "required": ["nguoi_nop"],
    "properties": {
        "nguoi_nop": {
            "type": "object",
            "title": "Người nộp hồ sơ",
            "required": ["ho_ten"],
            "properties": {
                "ho_ten": {"type": "string", "title": "Họ và tên", "minLength": 2},
                "dien_thoai": {"type": "string", "title": "Số điện thoại"},
            },
        },
        "dia_chi_nhan": {"type": "string", "title": "Địa chỉ nhận kết quả qua bưu chính"},
    },
}
GOOD_FORM = {
    "nguoi_nop": {"ho_ten": "Trần Văn Nam", "dien_thoai": "0912 345 678"},
    "dia_chi_nhan": "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội",
}


@pytest.fixture(autouse=True)
def _no_vnpost_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("THANGLONG_PROCEDURES_VNPOST_URL", raising=False)
    monkeypatch.delenv("THANGLONG_PROCEDURES_VNPOST_TOKEN", raising=False)


@pytest.fixture
def carrier() -> Iterator[FakeVnpost]:
    with running_carrier() as fake:
        yield fake


def _settings(carrier: FakeVnpost) -> ProcedureSettings:
    return ProcedureSettings(vnpost_url=carrier.url, vnpost_token=SecretStr(TOKEN))


def _returned_by_post(
    platform: Platform, world: World, form: dict[str, Any], delivery: str = "post"
) -> uuid.UUID:
    """File a postal procedure's dossier (by post unless told) and take it to the return step."""
    code = f"9.{uuid.uuid4().int % 1_000_000:06d}"
    with platform.uow() as uow:
        load_specs(uow, [dataclasses.replace(spec(code), eform=POSTAL_EFORM)], actor=SYSTEM_ACTOR)
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=code,
            receiving_agency_id=world.agency_id,
            form_data=form,
            delivery=delivery,
        )
    act(platform, world.officer, dossier.id, A.RECEIVE)
    act(platform, world.officer, dossier.id, A.ASSIGN, officer_id=world.officer2.id)
    act(platform, world.head, dossier.id, A.APPROVE)
    with platform.uow() as uow:
        assert services_postal.get_shipment(uow, dossier.id) is None
    act(platform, world.officer, dossier.id, A.RETURN_RESULT)
    return dossier.id


def _shipment(platform: Platform, dossier_id: uuid.UUID, settings: ProcedureSettings | None = None) -> Any:
    with platform.uow() as uow:
        found = services_postal.get_shipment(uow, dossier_id, settings=settings)
    assert found is not None
    return found


def test_return_queues_a_shipment_then_the_worker_orders_it(platform: Platform, carrier: FakeVnpost) -> None:
    world = make_world(platform)
    dossier_id = _returned_by_post(platform, world, GOOD_FORM)
    queued = _shipment(platform, dossier_id, _settings(carrier))
    assert queued.status is Ship.PENDING and not queued.manual
    assert (queued.recipient_name, queued.phone) == ("Trần Văn Nam", "+84912345678")
    assert carrier.orders == []

    report = services_postal.push_pending(platform, settings=_settings(carrier))
    assert (report.enabled, report.claimed, report.sent) == (True, 1, 1)
    sent = _shipment(platform, dossier_id)
    assert sent.status is Ship.SENT and sent.tracking_number == report.tracking_numbers[0]
    (order,) = carrier.orders
    assert order["client_reference"] == str(sent.id)
    assert order["receiver"]["phone"] == "+84912345678" and "Hàng Bạc" in order["receiver"]["address"]
    assert order["sender"]["agency_code"] == world.agency_code
    again = services_postal.push_pending(platform, settings=_settings(carrier))
    assert again.claimed == 0 and len(carrier.orders) == 1
    with platform.uow() as uow:
        actions = set(
            uow.session.scalars(select(AuditRecord.action).where(AuditRecord.object_id == str(sent.id)))
        )
    assert actions == {"procedures.postal.created", "procedures.postal.ordered"}


def test_the_return_by_post_records_its_shipment_in_the_officers_name(platform: Platform) -> None:
    world = make_world(platform)
    dossier_id = _returned_by_post(platform, world, GOOD_FORM)
    with platform.uow() as uow:
        shipment = uow.session.scalars(
            select(PostalShipment).where(PostalShipment.dossier_id == dossier_id)
        ).one()
        created = uow.session.scalars(
            select(AuditRecord).where(
                AuditRecord.object_id == str(shipment.id), AuditRecord.action == "procedures.postal.created"
            )
        ).one()
        assert created.actor == world.officer.actor


def test_a_result_returned_at_the_counter_has_no_shipment(platform: Platform) -> None:
    world = make_world(platform)
    dossier_id = _returned_by_post(platform, world, GOOD_FORM, delivery="counter")
    with platform.uow() as uow:
        assert services.get_dossier(uow, dossier_id).status.value == "returned"
        assert services_postal.get_shipment(uow, dossier_id) is None


def test_without_vnpost_url_the_shipment_waits_for_the_officers(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    dossier_id = _returned_by_post(platform, world, GOOD_FORM)
    assert services_postal.push_pending(platform).enabled is False
    waiting = _shipment(platform, dossier_id)
    assert waiting.status is Ship.PENDING and waiting.manual

    _login(client, platform, world.officer)
    page = client.get(f"/officer/dossiers/{dossier_id}")
    assert 'id="shipment-manual"' in page.text and 'id="shipment-manual-form"' in page.text
    recorded = client.post(
        f"/officer/dossiers/{dossier_id}/shipment/manual",
        data={"csrf_token": csrf_value(client), "tracking_number": "rr123456789vn"},
        follow_redirects=False,
    )
    assert recorded.status_code == 303
    done = _shipment(platform, dossier_id)
    assert done.status is Ship.SENT and done.tracking_number == "RR123456789VN"
    with platform.uow() as uow, pytest.raises(Conflict):
        services_postal.record_manual(
            uow, principal=world.officer, dossier_id=dossier_id, tracking_number="RR000000000VN"
        )


def test_bad_address_goes_to_manual_with_its_problems(platform: Platform, carrier: FakeVnpost) -> None:
    world = make_world(platform)
    form = {"nguoi_nop": {"ho_ten": "Trần Văn Nam", "dien_thoai": "024 3825 1234"}, "dia_chi_nhan": "HN"}
    dossier_id = _returned_by_post(platform, world, form)
    shipment = _shipment(platform, dossier_id, _settings(carrier))
    assert shipment.status is Ship.MANUAL and shipment.manual
    assert {e["field"] for e in shipment.events if e["type"] == "problem"} == {"address", "phone"}
    assert services_postal.push_pending(platform, settings=_settings(carrier)).claimed == 0
    assert carrier.orders == []
    with platform.uow() as uow, pytest.raises(Forbidden):
        services_postal.record_manual(
            uow, principal=world.outsider, dossier_id=dossier_id, tracking_number="RR123456789VN"
        )


def test_outage_retries_with_backoff_and_refusal_goes_manual(platform: Platform, carrier: FakeVnpost) -> None:
    world = make_world(platform)
    dossier_id = _returned_by_post(platform, world, GOOD_FORM)
    carrier.fail_next(1, 503)
    first = services_postal.push_pending(platform, settings=_settings(carrier))
    assert (first.claimed, first.retried) == (1, 1)
    assert _shipment(platform, dossier_id).status is Ship.PENDING
    assert services_postal.push_pending(platform, settings=_settings(carrier)).claimed == 0
    later = platform.clock() + timedelta(minutes=3)
    second = services_postal.push_pending(platform, settings=_settings(carrier), clock=lambda: later)
    assert second.sent == 1 and _shipment(platform, dossier_id).status is Ship.SENT

    refused_id = _returned_by_post(platform, world, GOOD_FORM)
    carrier.fail_next(1, 400)
    third = services_postal.push_pending(platform, settings=_settings(carrier))
    assert third.manual == 1
    refused = _shipment(platform, refused_id, _settings(carrier))
    assert refused.status is Ship.MANUAL and refused.manual and refused.tracking_number is None


def _signed(client: TestClient, key: str, body: bytes, secret: str = HOOK_SECRET) -> Any:
    return client.post(
        "/api/v1/procedures/vnpost/events",
        content=body,
        headers={
            "authorization": f"Bearer {key}",
            "content-type": "application/json",
            vnpost.SIGNATURE_HEADER: vnpost.sign(body, secret),
        },
    )


def test_webhook_updates_the_shipment_and_refuses_bad_signatures(
    client: TestClient, platform: Platform, carrier: FakeVnpost, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("THANGLONG_PROCEDURES_VNPOST_TOKEN", HOOK_SECRET)
    world = make_world(platform)
    dossier_id = _returned_by_post(platform, world, GOOD_FORM)
    services_postal.push_pending(platform, settings=_settings(carrier))
    number = _shipment(platform, dossier_id).tracking_number
    with platform.uow() as uow:
        _, key = identity_api.create_api_key(uow, actor=SYSTEM_ACTOR, name="VNPost", role=OPERATOR)
    client.cookies.clear()

    transit = json.dumps(
        {
            "tracking_number": number,
            "status": "in_transit",
            "at": "2026-03-05T08:00:00+07:00",
            "location": "Hà Nội",
        }
    ).encode()
    forged = _signed(client, key, transit, secret="đoán-bừa")
    assert forged.status_code == 401 and forged.json()["code"] == "bad_signature"
    unsigned = client.post(
        "/api/v1/procedures/vnpost/events", content=transit, headers={"authorization": f"Bearer {key}"}
    )
    assert unsigned.status_code == 401
    no_key = client.post(
        "/api/v1/procedures/vnpost/events",
        content=transit,
        headers={vnpost.SIGNATURE_HEADER: vnpost.sign(transit, HOOK_SECRET)},
    )
    assert no_key.status_code == 401
    unchanged = _shipment(platform, dossier_id)
    assert unchanged.status is Ship.SENT and [e["type"] for e in unchanged.events] == ["ordered"]

    ok = _signed(client, key, transit)
    assert ok.status_code == 200, ok.text
    assert ok.json()["updated"][0]["status"] == "in_transit"
    assert _signed(client, key, transit).json()["updated"] == []
    batch = json.dumps(
        {
            "events": [
                {"tracking_number": number, "status": "delivered", "at": "2026-03-06T09:30:00+07:00"},
                {"tracking_number": number, "status": "accepted", "at": "2026-03-04T09:30:00+07:00"},
            ]
        }
    ).encode()
    assert _signed(client, key, batch).status_code == 200
    delivered = _shipment(platform, dossier_id)
    assert delivered.status is Ship.DELIVERED
    assert [e["code"] for e in delivered.events if e["type"] == "tracking"] == [
        "in_transit",
        "delivered",
        "accepted",
    ]

    unknown = json.dumps(
        {"tracking_number": "XX999999999VN", "status": "returned", "at": "2026-03-06T09:30:00+07:00"}
    ).encode()
    assert _signed(client, key, unknown).status_code == 404
    garbled = _signed(client, key, b'{"tracking_number": 1')
    assert garbled.status_code == 422 and garbled.json()["code"] == "invalid_tracking_event"
    with platform.uow() as uow:
        row = uow.session.scalars(select(PostalShipment).where(PostalShipment.dossier_id == dossier_id)).one()
        actors = uow.session.scalars(
            select(AuditRecord.actor).where(
                AuditRecord.object_id == str(row.id), AuditRecord.action == "procedures.postal.tracking"
            )
        ).all()
    assert actors == ["vnpost"] * 3


def test_webhook_is_off_without_a_token(client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        _, key = identity_api.create_api_key(uow, actor=SYSTEM_ACTOR, name="VNPost", role=OPERATOR)
    body = b'{"tracking_number": "BC000000001VN", "status": "delivered", "at": "2026-03-06T09:30:00+07:00"}'
    answer = _signed(client, key, body, secret="")
    assert answer.status_code == 401 and answer.json()["code"] == "bad_signature"
