"""Consultations between agencies: ask, answer, cancel, the inbox, and the block on approval."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import csrf_value
from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from tests.domains.procedures.test_transfer import _login, act, file_two_agency
from thanglong.core.calendar_store import load_calendar
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.domains.procedures.dossiers import consult as services_consult
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S


def _processing(platform: Platform, world: World) -> services.DossierDTO:
    """File a one-agency dossier, receive it and assign it: the first agency holds it."""
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=dict(VALID_FORM),
        )
    act(platform, world.officer, dossier.id, A.RECEIVE)
    return act(platform, world.officer, dossier.id, A.ASSIGN, officer_id=world.officer2.id)


def _ask(
    platform: Platform, who: Principal, dossier_id: uuid.UUID, to: uuid.UUID, days: int = 5
) -> services_consult.ConsultationDTO:
    with platform.uow() as uow:
        return services_consult.request_consultation(
            uow,
            principal=who,
            ref=dossier_id,
            to_agency_id=to,
            question="Đất có tranh chấp không?",
            working_days=days,
        )


def test_request_sets_a_working_day_due_date_and_audits(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _processing(platform, world)
    five = _ask(platform, world.officer2, dossier.id, world.other_agency_id)
    two = _ask(platform, world.officer2, dossier.id, world.other_agency_id, days=2)
    assert five.status == "open" and five.from_agency_id == world.agency_id
    assert five.due_at is not None and two.due_at is not None and two.due_at < five.due_at
    with platform.uow() as uow:
        calendar = load_calendar(uow)
        day = to_hanoi(five.due_at).date()
        assert calendar.is_working_day(day)
        # Five working days after the request (six when asked after the 15:00 cut-off).
        assert calendar.working_days_between(to_hanoi(five.requested_at).date(), day) in (5, 6)
        assert five.due_at - five.requested_at >= timedelta(days=5)
        records = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.action == "procedures.consultation.requested")
        ).all()
        assert {r.object_id for r in records} == {str(five.id), str(two.id)}
    for bad_days in (0, 31):
        with pytest.raises(InvalidInput):
            _ask(platform, world.officer2, dossier.id, world.other_agency_id, days=bad_days)
    with pytest.raises(InvalidInput) as own:
        _ask(platform, world.officer2, dossier.id, world.agency_id)
    assert own.value.code == "invalid_consulted_agency"
    with pytest.raises(InvalidInput):
        _ask(platform, world.officer2, dossier.id, uuid.uuid4())


def test_only_the_holding_agency_asks(platform: Platform) -> None:
    world = make_world(platform)
    dossier = file_two_agency(platform, world)
    with pytest.raises(Conflict) as early:
        _ask(platform, world.officer, dossier.id, world.other_agency_id)
    assert early.value.code == "consultation_not_allowed"
    act(platform, world.officer, dossier.id, A.RECEIVE)
    act(platform, world.officer, dossier.id, A.TRANSFER)
    # After the transfer the one-stop office no longer holds the dossier.
    with pytest.raises(Forbidden) as err:
        _ask(platform, world.officer, dossier.id, world.other_agency_id)
    assert err.value.code == "not_holder"
    asked = _ask(platform, world.outsider, dossier.id, world.agency_id)
    assert asked.from_agency_id == world.other_agency_id


def test_answer_only_by_the_consulted_agency(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _processing(platform, world)
    asked = _ask(platform, world.officer2, dossier.id, world.other_agency_id)
    with platform.uow() as uow:
        assert [c.id for c in services_consult.inbox(uow, agency_id=world.other_agency_id)] == [asked.id]
        assert services_consult.inbox(uow, agency_id=world.agency_id) == []
        with pytest.raises(Forbidden) as err:
            services_consult.answer_consultation(
                uow, principal=world.officer, consultation_id=asked.id, answer="Tự trả lời"
            )
        assert err.value.code == "not_consulted_agency"
        # The consulted agency does not see the dossier itself, only the question.
        with pytest.raises(NotFound):
            services_consult.list_consultations(uow, principal=world.outsider, ref=dossier.id)
    with platform.uow() as uow:
        answered = services_consult.answer_consultation(
            uow, principal=world.outsider, consultation_id=asked.id, answer="Không có tranh chấp."
        )
    assert answered.status == "answered" and answered.answered_by == world.outsider.actor
    with platform.uow() as uow:
        assert services_consult.inbox(uow, agency_id=world.other_agency_id) == []
        listed = services_consult.list_consultations(uow, principal=world.officer, ref=dossier.id)
        assert [(c.status, c.answer) for c in listed] == [("answered", "Không có tranh chấp.")]
        with pytest.raises(Conflict) as twice:
            services_consult.answer_consultation(
                uow, principal=world.outsider, consultation_id=asked.id, answer="Lần hai"
            )
        assert twice.value.code == "consultation_closed"
        with pytest.raises(NotFound):
            services_consult.answer_consultation(
                uow, principal=world.outsider, consultation_id=uuid.uuid4(), answer="x"
            )


def test_open_consultation_blocks_approval_until_cancelled(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _processing(platform, world)
    asked = _ask(platform, world.officer2, dossier.id, world.other_agency_id)
    with pytest.raises(Conflict) as err:
        act(platform, world.head, dossier.id, A.APPROVE)
    assert err.value.code == "consultation_open" and "xin ý kiến" in err.value.message_vi
    with platform.uow() as uow, pytest.raises(Forbidden):
        services_consult.cancel_consultation(uow, principal=world.outsider, consultation_id=asked.id)
    with platform.uow() as uow:
        cancelled = services_consult.cancel_consultation(
            uow, principal=world.officer, consultation_id=asked.id, reason="Đã có văn bản"
        )
    assert cancelled.status == "cancelled"
    approved = act(platform, world.head, dossier.id, A.APPROVE)
    assert approved.status is S.PROCESSED
    with platform.uow() as uow, pytest.raises(Conflict):
        services_consult.answer_consultation(
            uow, principal=world.outsider, consultation_id=asked.id, answer="x"
        )


def test_inbox_hides_consultations_of_closed_dossiers(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _processing(platform, world)
    asked = _ask(platform, world.officer2, dossier.id, world.other_agency_id)
    act(platform, world.officer, dossier.id, A.STOP, note="Người nộp không đủ điều kiện")
    with platform.uow() as uow:
        assert services_consult.inbox(uow, agency_id=world.other_agency_id) == []
        with pytest.raises(Conflict) as err:
            services_consult.answer_consultation(
                uow, principal=world.outsider, consultation_id=asked.id, answer="x"
            )
        assert err.value.code == "dossier_closed"


def test_api_and_pages(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    dossier = _processing(platform, world)
    _login(client, platform, world.officer2)
    headers = {"x-csrf-token": csrf_value(client)}
    made = client.post(
        f"/api/v1/procedures/dossiers/{dossier.id}/consultations",
        json={"to_agency_id": str(world.other_agency_id), "question": "Ý kiến về quy hoạch?"},
        headers=headers,
    )
    assert made.status_code == 201, made.text
    consultation_id = made.json()["id"]
    assert made.json()["status_label"] == "Chờ trả lời"
    listed = client.get(f"/api/v1/procedures/dossiers/{dossier.id}/consultations")
    assert [c["id"] for c in listed.json()] == [consultation_id]
    page = client.get(f"/officer/dossiers/{dossier.id}")
    assert 'id="consultations"' in page.text and 'id="consultation-blocks"' in page.text
    denied = client.post(
        f"/api/v1/procedures/consultations/{consultation_id}/answer", json={"answer": "x"}, headers=headers
    )
    assert denied.status_code == 403

    _login(client, platform, world.outsider)
    assert [c["id"] for c in client.get("/api/v1/procedures/consultation-inbox").json()] == [consultation_id]
    queue = client.get("/officer/queue")
    inbox = queue.text.split('id="consult-inbox"', 1)[1]
    assert "Ý kiến về quy hoạch?" in inbox and f"/officer/consultations/{consultation_id}/answer" in inbox
    answered = client.post(
        f"/officer/consultations/{consultation_id}/answer",
        data={"csrf_token": csrf_value(client), "answer": "Phù hợp quy hoạch."},
        follow_redirects=False,
    )
    assert answered.status_code == 303
    assert 'id="consult-inbox"' not in client.get("/officer/queue").text

    _login(client, platform, world.officer2)
    listed = client.get(f"/api/v1/procedures/dossiers/{dossier.id}/consultations")
    assert listed.json()[0]["answer"] == "Phù hợp quy hoạch."
    page = client.get(f"/officer/dossiers/{dossier.id}")
    assert "Phù hợp quy hoạch." in page.text and 'id="consultation-blocks"' not in page.text
