"""Filing a dossier with its files in one request: one transaction, audited, the chain intact."""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from tests.domains.procedures.test_citizen_pages import _stored_files
from thanglong.core import audit
from thanglong.core.errors import InvalidInput, ThangLongError
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.attachments import MAX_FILES_PER_DOSSIER
from thanglong.domains.procedures.dossiers.files import store_for, submit_with_attachments
from thanglong.domains.procedures.dossiers.states import DossierStatus
from thanglong.domains.procedures.models import Attachment, Dossier

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
URL = "/api/v1/procedures/dossiers/with-files"


def _counts(platform: Platform) -> tuple[int, int, int]:
    with platform.uow() as uow:
        session = uow.session
        return (
            int(session.scalar(select(func.count()).select_from(Dossier)) or 0),
            int(session.scalar(select(func.count()).select_from(Attachment)) or 0),
            int(session.scalar(select(func.count()).select_from(AuditRecord)) or 0),
        )


def _dossier_field(world: World, **changes: object) -> str:
    return json.dumps(
        {"procedure_code": world.procedure_code, "receiving_agency_id": str(world.agency_id)}
        | {"form_data": VALID_FORM}
        | changes
    )


def _key(platform: Platform) -> str:
    with platform.uow() as uow:
        _, key = identity.create_api_key(uow, actor=SYSTEM_ACTOR, name="Cổng DVCQG", role=CITIZEN)
    return key


def test_a_system_client_files_a_dossier_with_files_in_one_request(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    headers = {"authorization": f"Bearer {_key(platform)}"}
    before = _counts(platform)
    response = client.post(
        URL,
        data={"dossier": _dossier_field(world)},
        files=[("file", ("Tờ khai.pdf", PDF, "application/pdf")), ("file", ("anh.png", PNG, "image/png"))],
        headers=headers,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == DossierStatus.NEW.value and body["applicant_id"] is None
    assert [a["filename"] for a in body["attachments"]] == ["Tờ khai.pdf", "anh.png"]
    assert body["attachments"][0]["sha256"] == hashlib.sha256(PDF).hexdigest()
    assert store_for(platform).get(hashlib.sha256(PNG).hexdigest()) == PNG
    # One dossier, two files, three audit records (filed, two attachments), chained without a break.
    assert _counts(platform) == (before[0] + 1, before[1] + 2, before[2] + 3)
    with platform.uow() as uow:
        assert audit.seal(uow.session).sealed >= 3
        result = audit.verify(uow.session)
        assert result.ok and result.checked >= 3


def test_a_bad_file_or_form_files_nothing(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    headers = {"authorization": f"Bearer {_key(platform)}"}
    before = _counts(platform)
    disguised = client.post(
        URL,
        data={"dossier": _dossier_field(world)},
        files=[
            ("file", ("a.pdf", PDF, "application/pdf")),
            ("file", ("b.pdf", b"MZ\x90\x00", "application/pdf")),
        ],
        headers=headers,
    )
    assert disguised.status_code == 422 and disguised.json()["code"] == "attachment_type_not_allowed"
    bad_form = client.post(
        URL,
        data={"dossier": _dossier_field(world, form_data={"ho_ten": "A"})},
        files=[("file", ("a.pdf", PDF, "application/pdf"))],
        headers=headers,
    )
    assert bad_form.status_code == 422 and bad_form.json()["code"] == "invalid_form"
    missing = client.post(URL, files=[("file", ("a.pdf", PDF, "application/pdf"))], headers=headers)
    assert missing.status_code == 422 and missing.json()["code"] == "dossier_missing"
    not_multipart = client.post(URL, content=b'{"dossier": 1}', headers=headers)
    assert not_multipart.status_code == 422 and not_multipart.json()["code"] == "bad_multipart"
    unknown_field = client.post(URL, data={"dossier": _dossier_field(world, extra=1)}, headers=headers)
    assert unknown_field.status_code == 422
    too_big = client.post(
        URL,
        data={"dossier": _dossier_field(world)},
        files=[("file", ("a.pdf", PDF + b"0" * (21 * 1024 * 1024), "application/pdf"))],
        headers=headers,
    )
    assert too_big.status_code == 413
    assert client.post(URL, data={"dossier": _dossier_field(world)}).status_code == 401
    assert _counts(platform) == before


def test_service_rolls_the_dossier_back_with_a_bad_file(platform: Platform) -> None:
    world = make_world(platform)
    before = _counts(platform)
    with platform.uow() as uow, pytest.raises(InvalidInput):
        submit_with_attachments(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
            files=[("a.pdf", PDF), ("b.png", PDF)],
            store=store_for(platform),
        )
    assert _counts(platform) == before
    with platform.uow() as uow:
        dossier, added = submit_with_attachments(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
            files=[("a.pdf", PDF)],
            store=store_for(platform),
        )
    assert dossier.applicant_id == world.citizen.id and [a.dossier_id for a in added] == [dossier.id]


def test_audit_chain_stays_whole_across_records_savepoints_and_rollbacks(platform: Platform) -> None:
    def record(uow: UnitOfWork, name: str) -> None:
        audit.record(uow, actor="test", action=name, object_type="t", object_id=name)

    with platform.uow() as platform_uow:
        record(platform_uow, "a")
        record(platform_uow, "b")
        with platform_uow.session.begin_nested() as savepoint:
            record(platform_uow, "dropped")
            savepoint.rollback()
        record(platform_uow, "c")
        platform_uow.commit()
        record(platform_uow, "d")
        platform_uow.rollback()
        record(platform_uow, "e")
        platform_uow.commit()
    with platform.uow() as uow:
        rows = list(uow.session.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc()).limit(4)))
        assert [r.action for r in reversed(rows)] == ["a", "b", "c", "e"]
        audit.seal(uow.session)
        places = [r.chain_seq or 0 for r in reversed(rows)]
        assert places == list(range(places[0], places[0] + 4)), "sealed one after the other, none dropped"
        assert audit.verify(uow.session).ok


def test_the_filing_system_follows_up_on_its_own_dossiers_only(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    portal = {"authorization": f"Bearer {_key(platform)}"}
    other = {"authorization": f"Bearer {_key(platform)}"}
    filed = client.post(
        URL,
        data={"dossier": _dossier_field(world)},
        files=[("file", ("to-khai.pdf", PDF, "application/pdf"))],
        headers=portal,
    )
    assert filed.status_code == 201, filed.text
    dossier_id = filed.json()["id"]
    assert client.get(f"/api/v1/procedures/dossiers/{dossier_id}", headers=portal).status_code == 200
    assert client.get(f"/api/v1/procedures/dossiers/{dossier_id}", headers=other).status_code == 404

    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=dossier_id, action="receive")
    with platform.uow() as uow:
        services.act(
            uow, principal=world.officer, ref=dossier_id, action="request_supplement", note="Thiếu ảnh"
        )

    attach = f"/api/v1/procedures/dossiers/{dossier_id}/attachments?filename=anh.png"
    assert client.post(attach, content=PNG, headers=other).status_code == 404
    added = client.post(attach, content=PNG, headers=portal)
    assert added.status_code == 201, added.text
    refused = client.post(
        f"/api/v1/procedures/dossiers/{dossier_id}/actions/supplement", json={}, headers=other
    )
    assert refused.status_code == 404
    done = client.post(
        f"/api/v1/procedures/dossiers/{dossier_id}/actions/supplement", json={}, headers=portal
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == DossierStatus.PROCESSING.value


@pytest.mark.parametrize("what", ["agency", "procedure", "form"])
def test_a_refused_filing_leaves_no_file_in_the_store(platform: Platform, what: str) -> None:
    world = make_world(platform)
    wrong = {
        "agency": {"receiving_agency_id": uuid.uuid4()},
        "procedure": {"procedure_code": "9.999999"},
        "form": {"form_data": {**VALID_FORM, "ngay_sinh": "02/09/2025"}},
    }[what]
    arguments: dict[str, Any] = {
        "principal": world.citizen,
        "procedure_code": world.procedure_code,
        "receiving_agency_id": world.agency_id,
        "form_data": VALID_FORM,
        **wrong,
    }
    with platform.uow() as uow, pytest.raises(ThangLongError):
        submit_with_attachments(
            uow, files=[("a.pdf", PDF + what.encode())], store=store_for(platform), **arguments
        )
    assert _stored_files(platform) == []


def test_a_dossier_takes_a_bounded_number_of_files(platform: Platform) -> None:
    world = make_world(platform)
    many = [(f"giay-{i}.pdf", PDF + str(i).encode()) for i in range(MAX_FILES_PER_DOSSIER + 1)]
    with platform.uow() as uow, pytest.raises(InvalidInput) as refused:
        submit_with_attachments(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
            files=many,
            store=store_for(platform),
        )
    assert refused.value.code == "too_many_attachments" and _stored_files(platform) == []
