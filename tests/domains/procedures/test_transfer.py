"""Transfer from the one-stop office to the competent agency, and back for the return; re-routing."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import csrf_value, sign_in
from tests.domains.procedures.helpers import VALID_FORM, World, make_world, principal
from thanglong.core.errors import Conflict, Forbidden, InvalidInput
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal, RoleName
from thanglong.core.testing.factories import unique
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import AGENCY_HEAD, OFFICER
from thanglong.domains.procedures.dossiers import consult as services_consult
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S
from thanglong.domains.procedures.models import DvcqgSync


def staff_of(platform: Platform, role: RoleName, agency_id: uuid.UUID) -> Principal:
    """Create an officer or head of an agency and return their principal."""
    with platform.uow() as uow:
        user = identity_services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=unique(role),
            password=None,
            roles=[role],
            full_name="Cán Bộ Thử",
            agency_id=agency_id,
        )
    return principal(platform, user)


def file_two_agency(platform: Platform, world: World) -> services.DossierDTO:
    """File a dossier received by the first agency and decided by the second."""
    with platform.uow() as uow:
        return services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            competent_agency_id=world.other_agency_id,
            form_data=dict(VALID_FORM),
        )


def act(platform: Platform, who: Principal, ref: object, action: A, **kw: object) -> services.DossierDTO:
    """Apply one action and return the dossier."""
    with platform.uow() as uow:
        return services.act(uow, principal=who, ref=ref, action=action, **kw)  # type: ignore[arg-type]


def last_step(platform: Platform, dossier_id: uuid.UUID) -> services.StepDTO:
    """Return the last line of the control slip."""
    with platform.uow() as uow:
        return services.control_slip(uow, dossier_id)[-1]


def test_transfer_changes_the_holder_not_the_status(platform: Platform) -> None:
    world = make_world(platform)
    dossier = file_two_agency(platform, world)
    received = act(platform, world.officer, dossier.id, A.RECEIVE)
    assert last_step(platform, dossier.id).holder_agency_id == world.agency_id
    assert A.TRANSFER in services.available_actions(world.officer, received)
    # The competent agency cannot hand over what it does not hold.
    assert A.TRANSFER not in services.available_actions(world.outsider, received)

    moved = act(platform, world.officer, dossier.id, A.TRANSFER, note="Chuyển phòng Tư pháp")
    assert moved.status is S.RECEIVED and moved.status.dvcqg_code == 2
    step = last_step(platform, dossier.id)
    assert (step.action, step.holder_agency_id, step.status) == (
        "transfer",
        world.other_agency_id,
        "received",
    )
    assert moved.assigned_officer_id is None
    with platform.uow() as uow:
        audit = uow.session.scalars(
            select(AuditRecord).where(
                AuditRecord.object_id == str(dossier.id), AuditRecord.action == "procedures.dossier.transfer"
            )
        ).all()
        synced = uow.session.scalars(select(DvcqgSync.dvcqg_status).where(DvcqgSync.dossier_id == dossier.id))
        assert len(audit) == 1
        # The portal only ever hears "received" for this dossier so far: no invented status.
        assert set(synced) == {2}

    with pytest.raises(Conflict) as err:
        act(platform, world.officer, dossier.id, A.TRANSFER)
    assert err.value.code == "already_transferred"


def test_competent_agency_processes_and_the_result_returns_to_the_office(platform: Platform) -> None:
    world = make_world(platform)
    other_head = staff_of(platform, AGENCY_HEAD, world.other_agency_id)
    dossier = file_two_agency(platform, world)
    act(platform, world.officer, dossier.id, A.RECEIVE)
    with pytest.raises(Forbidden) as err:
        act(platform, world.outsider, dossier.id, A.TRANSFER)
    assert err.value.code == "transfer_by_receiving_only"
    act(platform, world.officer, dossier.id, A.TRANSFER)
    act(platform, world.outsider, dossier.id, A.ASSIGN, officer_id=world.outsider.id)
    assert last_step(platform, dossier.id).holder_agency_id == world.other_agency_id
    act(platform, other_head, dossier.id, A.APPROVE)
    step = last_step(platform, dossier.id)
    assert step.action == "approve" and step.holder_agency_id == world.agency_id
    done = act(platform, world.officer, dossier.id, A.RETURN_RESULT)
    assert done.status is S.RETURNED


def test_transfer_can_name_the_competent_officer_only(platform: Platform) -> None:
    world = make_world(platform)
    dossier = file_two_agency(platform, world)
    act(platform, world.officer, dossier.id, A.RECEIVE)
    with pytest.raises(InvalidInput) as err:
        act(platform, world.officer, dossier.id, A.TRANSFER, officer_id=world.officer2.id)
    assert err.value.code == "officer_out_of_agency"
    moved = act(platform, world.officer, dossier.id, A.TRANSFER, officer_id=world.outsider.id)
    assert moved.assigned_officer_id == world.outsider.id
    assert last_step(platform, dossier.id).holder_id == world.outsider.id


def test_assigning_follows_the_assignee_agency(platform: Platform) -> None:
    world = make_world(platform)
    dossier = file_two_agency(platform, world)
    act(platform, world.officer, dossier.id, A.RECEIVE)
    act(platform, world.officer, dossier.id, A.ASSIGN, officer_id=world.officer2.id)
    assert last_step(platform, dossier.id).holder_agency_id == world.agency_id
    act(platform, world.officer, dossier.id, A.ASSIGN, officer_id=world.outsider.id)
    assert last_step(platform, dossier.id).holder_agency_id == world.other_agency_id


def test_no_transfer_when_the_office_decides_itself(platform: Platform) -> None:
    world = make_world(platform)
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=dict(VALID_FORM),
        )
    received = act(platform, world.officer, dossier.id, A.RECEIVE)
    assert A.TRANSFER not in services.available_actions(world.officer, received)
    with pytest.raises(Conflict) as err:
        act(platform, world.officer, dossier.id, A.TRANSFER)
    assert err.value.code == "transfer_not_applicable"


def test_reroute_before_processing_only_by_the_office(platform: Platform) -> None:
    world = make_world(platform)
    third = staff_of(platform, OFFICER, world.other_agency_id)
    dossier = file_two_agency(platform, world)
    with platform.uow() as uow:
        fixed = services_consult.change_competent_agency(
            uow, principal=world.officer, ref=dossier.id, agency_id=world.agency_id, reason="Chuyển nhầm"
        )
    assert fixed.competent_agency_id == world.agency_id and fixed.version_id > dossier.version_id
    with platform.uow() as uow:
        record = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "procedures.dossier.competent_changed")
        ).one()
        assert record.after is not None and record.after["reason"] == "Chuyển nhầm"
        assert record.before is not None and record.before["competent_agency_id"] == str(
            world.other_agency_id
        )
        with pytest.raises(Conflict) as stale:
            services_consult.change_competent_agency(
                uow,
                principal=world.officer,
                ref=dossier.id,
                agency_id=world.other_agency_id,
                reason="x",
                expected_version=dossier.version_id,
            )
        assert stale.value.code == "dossier_stale"
        with pytest.raises(InvalidInput):
            services_consult.change_competent_agency(
                uow, principal=world.officer, ref=dossier.id, agency_id=uuid.uuid4(), reason="x"
            )
        with pytest.raises(InvalidInput):
            services_consult.change_competent_agency(
                uow, principal=world.officer, ref=dossier.id, agency_id=world.other_agency_id, reason=" "
            )

    second = file_two_agency(platform, world)
    with platform.uow() as uow, pytest.raises(Forbidden) as err:
        services_consult.change_competent_agency(
            uow, principal=third, ref=second.id, agency_id=world.agency_id, reason="x"
        )
    assert err.value.code == "reroute_by_receiving_only"
    act(platform, world.officer, second.id, A.RECEIVE)
    act(platform, world.officer, second.id, A.TRANSFER)
    with platform.uow() as uow, pytest.raises(Conflict) as late:
        services_consult.change_competent_agency(
            uow, principal=world.officer, ref=second.id, agency_id=world.agency_id, reason="x"
        )
    assert late.value.code == "reroute_too_late"


def _login(client: TestClient, platform: Platform, who: Principal) -> None:
    client.cookies.clear()
    with platform.uow() as uow:
        user = identity_services.get_user(uow, who.id)  # type: ignore[arg-type]
    assert user is not None
    sign_in(client, platform, user)


def test_queues_show_transferred_and_to_do(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    dossier = file_two_agency(platform, world)
    act(platform, world.officer, dossier.id, A.RECEIVE)

    _login(client, platform, world.officer)
    page = client.get(f"/officer/dossiers/{dossier.id}")
    assert (
        page.status_code == 200 and 'id="action-transfer"' in page.text and 'id="reroute-form"' in page.text
    )
    sent = client.post(
        f"/officer/dossiers/{dossier.id}/actions/transfer",
        data={"csrf_token": csrf_value(client), "version": ""},
        follow_redirects=False,
    )
    assert sent.status_code == 303
    page = client.get(f"/officer/dossiers/{dossier.id}")
    assert 'id="action-transfer"' not in page.text and 'id="reroute-form"' not in page.text
    queue = client.get("/officer/queue")
    assert 'id="queue-transferred"' in queue.text
    transferred = queue.text.split('id="queue-transferred"', 1)[1]
    assert str(dossier.id) in transferred
    assert 'id="queue-received"' not in queue.text

    _login(client, platform, world.outsider)
    queue = client.get("/officer/queue")
    assert 'id="queue-transferred"' not in queue.text and 'id="queue-at-office"' not in queue.text
    assert str(dossier.id) in queue.text.split('id="queue-received"', 1)[1]


def test_api_reroute(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    dossier = file_two_agency(platform, world)
    _login(client, platform, world.officer)
    headers = {"x-csrf-token": csrf_value(client)}
    url = f"/api/v1/procedures/dossiers/{dossier.id}/competent-agency"
    bad = client.post(url, json={"agency_id": str(world.other_agency_id), "reason": "x"}, headers=headers)
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_competent_agency"
    ok = client.post(
        url, json={"agency_id": str(world.agency_id), "reason": "Sai thẩm quyền"}, headers=headers
    )
    assert ok.status_code == 200 and ok.json()["competent_agency_id"] == str(world.agency_id)


def test_supplement_comes_back_through_the_office_and_is_forwarded_again(platform: Platform) -> None:
    world = make_world(platform)
    dossier = file_two_agency(platform, world)
    act(platform, world.officer, dossier.id, A.RECEIVE)
    act(platform, world.officer, dossier.id, A.TRANSFER)
    act(platform, world.outsider, dossier.id, A.REQUEST_SUPPLEMENT, note="Thiếu bản sao")
    assert last_step(platform, dossier.id).holder_agency_id is None
    act(platform, world.citizen, dossier.id, A.SUPPLEMENT, form_data=dict(VALID_FORM))
    assert last_step(platform, dossier.id).holder_agency_id == world.agency_id
    again = act(platform, world.officer, dossier.id, A.TRANSFER)
    assert again.status is S.PROCESSING
    assert last_step(platform, dossier.id).holder_agency_id == world.other_agency_id
