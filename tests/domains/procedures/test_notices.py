"""Who hears of what happens to a dossier: the citizen on five key moments, the officers of new work."""

from __future__ import annotations

import dataclasses
import shutil
import uuid
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.domains.identity.helpers import sign_in
from tests.domains.notify.helpers import RecordingChannel
from tests.domains.procedures.helpers import (
    EFORM,
    VALID_FORM,
    World,
    make_documents,
    make_world,
    principal,
    spec,
)
from thanglong.core import jobs
from thanglong.core.config import Settings
from thanglong.core.jobs import JobRunner
from thanglong.core.models import Job
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.core.testing.factories import unique
from thanglong.core.testing.plugin import run_jobs
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import AGENCY_HEAD, CITIZEN, OFFICER
from thanglong.domains.notify.channels import ChannelRegistry, InAppChannel
from thanglong.domains.notify.models import NotifyInboxItem, NotifyMessage
from thanglong.domains.notify.tasks import JOB_KIND as DELIVER_JOB
from thanglong.domains.notify.tasks import deliver_with
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.documents import signing_key as services_signing
from thanglong.domains.procedures.documents.signing import make_test_ca
from thanglong.domains.procedures.dossiers import consult, reactions, services
from thanglong.domains.procedures.dossiers.payments import request_payment
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.events import DossierStatusChanged
from thanglong.web.context import LANG_COOKIE

HANDLERS = "event:thanglong.domains.procedures.dossiers.reactions"
APPLICANT_JOB = f"{HANDLERS}:notify_applicant"
NEW_DOSSIER_JOB = f"{HANDLERS}:notify_agency_of_new_dossier"
CONSULTATION_JOB = f"{HANDLERS}:notify_consulted_agency"
TRANSFER_JOB = f"{HANDLERS}:notify_agency_of_transfer"
PUBLIC = "https://dichvucong.example.vn"
CONTACT_FORM: dict[str, Any] = {
    **EFORM,
    "properties": {
        **EFORM["properties"],
        "nguoi_nop": {
            "type": "object",
            "properties": {"email": {"type": "string"}, "dien_thoai": {"type": "string"}},
        },
    },
}


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ca")
    make_test_ca(folder)
    return folder


@pytest.fixture(autouse=True)
def public_site(platform: Platform, ca_dir: Path, tl_settings: Settings) -> None:
    """Give the platform a public address (the links of the notices) and a signer for the result."""
    platform.settings = platform.settings.model_copy(update={"public_base_url": PUBLIC})
    shutil.copytree(ca_dir, services_signing.signing_dir(tl_settings.data_dir))


def _citizen(platform: Platform, *, language: str = "vi", phone: str | None = "0912345678") -> Principal:
    with platform.uow() as uow:
        user = identity_services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=unique("citizen"),
            password=None,
            roles=[CITIZEN],
            full_name="Lê Thị Thu",
            email=f"{unique('thu')}@example.vn",
            phone=phone,
            language=language,
        )
    return principal(platform, user)


def _staff(platform: Platform, role: str, agency_id: uuid.UUID, *, email: bool = True) -> Principal:
    with platform.uow() as uow:
        user = identity_services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=unique(role),
            password=None,
            roles=[role],
            full_name="Cán Bộ",
            email=f"{unique('cb')}@example.vn" if email else None,
            agency_id=agency_id,
        )
    return principal(platform, user)


def _submit(
    platform: Platform, world: World, who: Principal, form: dict[str, Any] | None = None
) -> uuid.UUID:
    with platform.uow() as uow:
        return services.submit_dossier(
            uow,
            principal=who,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=form or dict(VALID_FORM),
        ).id


def _act(platform: Platform, who: Principal, ref: uuid.UUID, action: A, **kw: Any) -> services.DossierDTO:
    with platform.uow() as uow:
        return services.act(uow, principal=who, ref=ref, action=action, **kw)


def _messages(platform: Platform, **where: Any) -> list[NotifyMessage]:
    with platform.uow() as uow:
        query = select(NotifyMessage).order_by(NotifyMessage.created_at, NotifyMessage.channel)
        for column, value in where.items():
            query = query.where(getattr(NotifyMessage, column) == value)
        found = list(uow.session.scalars(query))
        uow.session.expunge_all()
    return found


def _by_template(messages: list[NotifyMessage]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for m in messages:
        out.setdefault(m.template_key, []).append(m.channel)
    return {key: sorted(channels) for key, channels in out.items()}


def test_each_of_the_five_moments_reaches_the_citizen_once_on_every_channel(platform: Platform) -> None:
    world = make_world(platform, fee=50_000)
    citizen = _citizen(platform)
    dossier = _submit(platform, world, citizen)
    code = _act(platform, world.officer, dossier, A.RECEIVE).code
    _act(platform, world.officer, dossier, A.REQUEST_SUPPLEMENT, note="Bổ sung bản sao Giấy chứng sinh")
    _act(platform, citizen, dossier, A.SUPPLEMENT)
    with platform.uow() as uow:
        _, payment = request_payment(uow, principal=world.officer, ref=dossier)
    _act(platform, world.officer, dossier, A.RECORD_PAYMENT)
    _act(platform, world.head, dossier, A.APPROVE)
    refused = _submit(platform, world, citizen)
    _act(platform, world.officer, refused, A.REJECT, note="Sai thẩm quyền tiếp nhận")
    assert _messages(platform, user_id=citizen.id) == [], "nothing is sent before the handlers' jobs run"

    assert run_jobs(platform, kinds=[APPLICANT_JOB]) == 7
    mine = _messages(platform, user_id=citizen.id)
    every = ["email", "inapp", "sms"]
    assert _by_template(mine) == {
        "procedures.dossier_received": every,
        "procedures.supplement_requested": every,
        "dossier_status_changed": ["email", "email", "inapp", "inapp"],  # supplied, paid: app and e-mail
        "procedures.payment_requested": every,
        "procedures.result_ready": every,
        "procedures.dossier_refused": every,
    }
    sms = {m.template_key: m for m in mine if m.channel == "sms"}
    assert {m.address for m in sms.values()} == {"+84912345678"}
    inapp = {m.template_key: m for m in mine if m.channel == "inapp"}
    email = {m.template_key: m for m in mine if m.channel == "email"}
    # Each names its dossier, in the app with a link to it.
    assert code is not None
    for key in ("procedures.dossier_received", "procedures.result_ready", "procedures.supplement_requested"):
        assert code in inapp[key].subject and code in sms[key].body and code in email[key].subject
        assert inapp[key].link == f"/my/dossiers/{dossier}"
    assert inapp["procedures.dossier_refused"].link == f"/my/dossiers/{refused}"
    assert "Sai thẩm quyền tiếp nhận" in email["procedures.dossier_refused"].body
    # What to do next: the supplement asked for, the amount and the pay link, the result's download.
    assert "Bổ sung bản sao Giấy chứng sinh" in email["procedures.supplement_requested"].body
    assert f"{PUBLIC}/my/dossiers/{dossier}" in email["procedures.supplement_requested"].body
    assert "50.000 đồng" in email["procedures.payment_requested"].subject
    assert f"{PUBLIC}/payments/{payment.id}" in sms["procedures.payment_requested"].body
    assert f"{PUBLIC}/my/dossiers/{dossier}/result" in email["procedures.result_ready"].body
    assert "Ngày hẹn trả kết quả" in email["procedures.dossier_received"].body

    # A second pass finds nothing to run, and a retried job queues nothing new.
    assert run_jobs(platform, kinds=[APPLICANT_JOB]) == 0
    with platform.uow() as uow:
        uow.session.execute(update(Job).where(Job.kind == APPLICANT_JOB).values(status=jobs.QUEUED))
        uow.commit()
    assert run_jobs(platform, kinds=[APPLICANT_JOB]) == 7
    assert len(_messages(platform, user_id=citizen.id)) == len(mine)


def test_a_handler_run_twice_in_one_transaction_queues_once(platform: Platform) -> None:
    world = make_world(platform)
    citizen = _citizen(platform)
    dossier = _submit(platform, world, citizen)
    received = _act(platform, world.officer, dossier, A.RECEIVE)
    [job] = _jobs(platform, APPLICANT_JOB)
    event = DossierStatusChanged.from_payload(job.payload["data"])
    assert isinstance(event, DossierStatusChanged) and event.code == received.code
    with platform.uow() as uow:
        reactions.notify_applicant(uow, event)
        reactions.notify_applicant(uow, event)
        uow.commit()
    assert sorted(m.channel for m in _messages(platform, user_id=citizen.id)) == ["email", "inapp", "sms"]
    # The queued job, run afterwards, finds the same keys taken.
    assert run_jobs(platform, kinds=[APPLICANT_JOB]) == 1
    assert len(_messages(platform, user_id=citizen.id)) == 3


def _jobs(platform: Platform, kind: str) -> list[Job]:
    with platform.uow() as uow:
        found = list(uow.session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))
        uow.session.expunge_all()
    return found


def test_the_notice_speaks_english_to_an_english_account_and_skips_sms_without_a_phone(
    platform: Platform,
) -> None:
    world = make_world(platform)
    citizen = _citizen(platform, language="en", phone=None)
    dossier = _submit(platform, world, citizen)
    code = _act(platform, world.officer, dossier, A.RECEIVE).code
    run_jobs(platform, kinds=[APPLICANT_JOB])
    assert sorted((m.channel, m.language, m.subject) for m in _messages(platform, user_id=citizen.id)) == [
        ("email", "en", f"Dossier {code} has been received"),
        ("inapp", "en", f"Dossier {code} has been received"),
    ]


def test_a_dossier_filed_by_a_city_system_reaches_the_contacts_of_its_form_in_both_languages(
    platform: Platform,
) -> None:
    world = make_world(platform)
    procedure = dataclasses.replace(spec(), eform=CONTACT_FORM)
    with platform.uow() as uow:
        load_specs(uow, [procedure], actor=SYSTEM_ACTOR)
    world = dataclasses.replace(world, procedure_code=procedure.code)
    system = Principal(kind="api_key", id=uuid.uuid4(), name="city-app")
    email = f"{unique('hoa')}@example.vn"
    form = {**VALID_FORM, "nguoi_nop": {"email": email, "dien_thoai": "0987 654 321"}}
    dossier = _submit(platform, world, system, form)
    code = _act(platform, world.officer, dossier, A.RECEIVE).code
    silent = _submit(platform, world, system)  # no contact in its form: nobody to tell
    _act(platform, world.officer, silent, A.RECEIVE)
    assert run_jobs(platform, kinds=[APPLICANT_JOB]) == 2

    sent = sorted(_messages(platform, template_key="procedures.dossier_received"), key=lambda m: m.channel)
    assert [(m.channel, m.address, m.user_id, m.language) for m in sent] == [
        ("email", email, None, "vi+en"),
        ("sms", "+84987654321", None, "vi+en"),
    ]
    mail = sent[0]
    assert mail.subject == f"Hồ sơ {code} đã được tiếp nhận / Dossier {code} has been received"
    vietnamese, english = mail.body.split("\n---\n")
    assert "đã được tiếp nhận" in vietnamese and "has been received" in english
    # No account: the public tracking page, not a page behind sign-in.
    assert f"{PUBLIC}/track" in vietnamese and "/my/dossiers/" not in mail.body


def test_the_officers_of_the_receiving_agency_hear_of_a_new_dossier_and_no_one_else(
    platform: Platform,
) -> None:
    world = make_world(platform)
    with_mail = _staff(platform, OFFICER, world.agency_id)
    head = _staff(platform, AGENCY_HEAD, world.agency_id, email=False)
    gone = _staff(platform, OFFICER, world.agency_id)
    with platform.uow() as uow:
        identity_services.deactivate(uow, actor=SYSTEM_ACTOR, user_id=gone.id)  # type: ignore[arg-type]
    citizen = _citizen(platform)
    dossier = _submit(platform, world, citizen)
    # A dossier typed in at the counter was filed by the agency itself: nobody is told.
    _submit(platform, world, world.officer)
    assert run_jobs(platform, kinds=[NEW_DOSSIER_JOB]) == 2

    told = _messages(platform, template_key="procedures.new_dossier")
    staff = {world.officer.id, world.officer2.id, world.head.id, with_mail.id, head.id}
    assert {m.user_id for m in told} == staff
    assert world.outsider.id not in {m.user_id for m in told} and gone.id not in {m.user_id for m in told}
    assert sorted((m.user_id == with_mail.id, m.channel) for m in told) == [
        (False, "inapp"),
        (False, "inapp"),
        (False, "inapp"),
        (False, "inapp"),
        (True, "email"),
        (True, "inapp"),
    ]
    assert {m.link for m in told if m.channel == "inapp"} == {f"/officer/dossiers/{dossier}"}
    assert all(f"{PUBLIC}/officer/dossiers/{dossier}" in m.body for m in told if m.channel == "email")
    assert "Lê Thị Thu" not in "".join(m.body for m in told), "no personal data in the officers' notice"


def test_the_consulted_agencys_officers_hear_of_the_question_and_the_askers_do_not(
    platform: Platform,
) -> None:
    world = make_world(platform)
    consulted = _staff(platform, OFFICER, world.other_agency_id)
    dossier = _submit(platform, world, world.citizen)
    code = _act(platform, world.officer, dossier, A.RECEIVE).code
    with platform.uow() as uow:
        asked = consult.request_consultation(
            uow,
            principal=world.officer,
            ref=dossier,
            to_agency_id=world.other_agency_id,
            question="Thửa đất có tranh chấp không?",
        )
    assert run_jobs(platform, kinds=[CONSULTATION_JOB]) == 1
    assert run_jobs(platform, kinds=[CONSULTATION_JOB]) == 0
    told = _messages(platform, template_key="procedures.consultation_requested")
    assert {(m.user_id, m.channel) for m in told} == {
        (world.outsider.id, "inapp"),
        (consulted.id, "inapp"),
        (consulted.id, "email"),
    }
    inapp = next(m for m in told if m.channel == "inapp")
    assert code is not None and code in inapp.subject and "Thửa đất có tranh chấp không?" in inapp.body
    assert inapp.link == "/officer/queue#consult-inbox"
    assert asked.dossier_code == code


def _deliver_in_app(platform: Platform) -> None:
    registry = ChannelRegistry([InAppChannel(), RecordingChannel("email"), RecordingChannel("sms")])
    runner = JobRunner(platform, platform.job_kinds, handlers={DELIVER_JOB: deliver_with(registry)})
    while runner.run_once(kinds=[DELIVER_JOB]).claimed:
        pass


def test_the_inbox_links_each_notice_to_its_dossier_and_the_result_link_downloads_it(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    citizen = _citizen(platform)
    dossier = _submit(platform, world, citizen)
    code = _act(platform, world.officer, dossier, A.RECEIVE).code
    _act(platform, world.officer, dossier, A.ASSIGN, officer_id=world.officer2.id)
    _act(platform, world.head, dossier, A.APPROVE)
    run_jobs(platform, kinds=[APPLICANT_JOB])
    _deliver_in_app(platform)
    with platform.uow() as uow:
        links = list(
            uow.session.scalars(select(NotifyInboxItem.link).where(NotifyInboxItem.user_id == citizen.id))
        )
    assert links == [f"/my/dossiers/{dossier}"] * 3

    with platform.uow() as uow:
        user = identity_services.get_user(uow, citizen.id)  # type: ignore[arg-type]
    assert user is not None
    sign_in(client, platform, user)
    page = client.get("/inbox")
    assert page.status_code == 200
    assert page.text.count(f'href="/my/dossiers/{dossier}"') == 3
    assert f"Hồ sơ {code} đã có kết quả" in page.text and "Xem chi tiết" in page.text
    client.cookies.set(LANG_COOKIE, "en")
    english = client.get("/inbox").text
    assert "View details" in english and "Mark as read" in english and "Xem chi tiết" not in english

    # The result is still being signed: the link leads to the dossier's documents; once made, to the file.
    waiting = client.get(f"/my/dossiers/{dossier}/result", follow_redirects=False)
    assert waiting.status_code == 303 and waiting.headers["location"] == f"/my/dossiers/{dossier}#documents"
    assert make_documents(platform) >= 1
    ready = client.get(f"/my/dossiers/{dossier}/result", follow_redirects=False)
    assert ready.status_code == 303
    assert ready.headers["location"].startswith(f"/api/v1/procedures/dossiers/{dossier}/attachments/")
    pdf = client.get(ready.headers["location"])
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Someone else's dossier: no file.
    other = _citizen(platform)
    with platform.uow() as uow:
        other_user = identity_services.get_user(uow, other.id)  # type: ignore[arg-type]
    assert other_user is not None
    client.cookies.clear()
    sign_in(client, platform, other_user)
    stranger = client.get(f"/my/dossiers/{dossier}/result", follow_redirects=False)
    assert "/attachments/" not in stranger.headers.get("location", "")


def test_the_competent_agency_hears_of_a_dossier_transferred_to_it(platform: Platform) -> None:
    world = make_world(platform)
    competent = _staff(platform, OFFICER, world.other_agency_id)
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            competent_agency_id=world.other_agency_id,
            form_data=dict(VALID_FORM),
        ).id
    code = _act(platform, world.officer, dossier, A.RECEIVE).code
    _act(platform, world.officer, dossier, A.TRANSFER, note="Hồ sơ đất đai, chuyển phòng chuyên môn")
    assert run_jobs(platform, kinds=[TRANSFER_JOB]) == 2  # the receipt's job finds nothing to say
    told = _messages(platform, template_key="procedures.dossier_transferred")
    assert {(m.user_id, m.channel) for m in told} == {
        (world.outsider.id, "inapp"),
        (competent.id, "inapp"),
        (competent.id, "email"),
    }, "the competent agency's staff only, not the one-stop office's"
    inapp = next(m for m in told if m.channel == "inapp")
    assert code is not None and code in inapp.subject and "chuyển phòng chuyên môn" in inapp.body
    assert inapp.link == f"/officer/dossiers/{dossier}"
    with platform.uow() as uow:
        uow.session.execute(update(Job).where(Job.kind == TRANSFER_JOB).values(status=jobs.QUEUED))
        uow.commit()
    assert run_jobs(platform, kinds=[TRANSFER_JOB]) == 2
    assert len(_messages(platform, template_key="procedures.dossier_transferred")) == 3
