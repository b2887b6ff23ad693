"""The handlers of DossierStatusChanged: sync and documents queued in the transaction, notices after it."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from tests.domains.identity.helpers import sign_in
from tests.domains.procedures.helpers import VALID_FORM, World, make_documents, make_world, principal
from thanglong.core import jobs
from thanglong.core.config import Settings
from thanglong.core.models import Job
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.core.testing.factories import unique
from thanglong.core.testing.plugin import run_jobs
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.notify.models import NotifyMessage
from thanglong.domains.procedures.documents import reactions
from thanglong.domains.procedures.documents import services as services_documents
from thanglong.domains.procedures.documents import signing_key as services_signing
from thanglong.domains.procedures.documents.signing import make_test_ca
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S
from thanglong.domains.procedures.integrations.dvcqg import services as services_dvcqg
from thanglong.domains.procedures.models import DvcqgSync
from thanglong.web.context import LANG_COOKIE

NOTICE_JOB = "event:thanglong.domains.procedures.dossiers.reactions:notify_applicant"


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ca")
    make_test_ca(folder)
    return folder


@pytest.fixture(autouse=True)
def signing_keys(ca_dir: Path, tl_settings: Settings) -> None:
    """Put the module's CA where the platform looks for its development signer (no key generation)."""
    shutil.copytree(ca_dir, services_signing.signing_dir(tl_settings.data_dir))


def _applicant(platform: Platform, *, language: str = "vi", email: str | None = None) -> Principal:
    with platform.uow() as uow:
        user = identity_services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=unique("citizen"),
            password=None,
            roles=[CITIZEN],
            full_name="Lê Thị Thu",
            email=email or f"{unique('thu')}@example.vn",
            language=language,
        )
    return principal(platform, user)


def _submit(platform: Platform, world: World, applicant: Principal | None = None) -> services.DossierDTO:
    with platform.uow() as uow:
        return services.submit_dossier(
            uow,
            principal=applicant or world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=dict(VALID_FORM),
        )


def _act(platform: Platform, who: Principal, ref: uuid.UUID, action: A, **kw: object) -> services.DossierDTO:
    with platform.uow() as uow:
        return services.act(uow, principal=who, ref=ref, action=action, **kw)  # type: ignore[arg-type]


def _jobs(platform: Platform, *kinds: str) -> list[Job]:
    with platform.uow() as uow:
        found = list(uow.session.scalars(select(Job).where(Job.kind.in_(kinds)).order_by(Job.id)))
        uow.session.expunge_all()
    return found


def test_the_sync_and_the_document_are_queued_with_the_change_or_not_at_all(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _submit(platform, world)
    with platform.uow() as uow:
        services.apply_action(uow, principal=world.officer, ref=dossier.id, action=A.RECEIVE)
        uow.rollback()
    kinds = (services_dvcqg.JOB_KIND, reactions.DOCUMENTS_JOB, NOTICE_JOB)
    assert _jobs(platform, *kinds) == [], "a rolled-back action queues nothing"

    code = _act(platform, world.officer, dossier.id, A.RECEIVE).code
    assert code is not None
    with platform.uow() as uow:
        [sync_id] = uow.session.scalars(select(DvcqgSync.id).where(DvcqgSync.dossier_id == dossier.id)).all()
    dvcqg_job, document_job, notice_job = _jobs(platform, *kinds)
    assert (dvcqg_job.kind, dvcqg_job.ordering_key) == ("procedures.dvcqg", f"procedures.dvcqg:{code}")
    assert dvcqg_job.payload == {"sync_id": str(sync_id)}
    assert document_job.kind == "procedures.documents"
    assert document_job.ordering_key == reactions.documents_key(dossier.id)
    assert document_job.payload == {"dossier_id": str(dossier.id), "step": 2, "document": "form_01"}
    assert notice_job.kind == NOTICE_JOB and notice_job.ordering_key is None
    assert notice_job.payload["data"]["new_status"] == "received"
    assert {j.status for j in (dvcqg_job, document_job, notice_job)} == {"queued"}


def _login(client: TestClient, platform: Platform, who: Principal) -> None:
    client.cookies.clear()
    with platform.uow() as uow:
        user = identity_services.get_user(uow, who.id)  # type: ignore[arg-type]
    assert user is not None
    sign_in(client, platform, user)


def test_the_page_shows_documents_on_their_way_and_one_that_failed(
    client: TestClient, platform: Platform, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world = make_world(platform)
    dossier = _submit(platform, world)
    _act(platform, world.officer, dossier.id, A.RECEIVE)
    _act(platform, world.officer, dossier.id, A.REQUEST_SUPPLEMENT, note="Thiếu ảnh")
    _login(client, platform, world.officer)
    page = f"/officer/dossiers/{dossier.id}"

    waiting = client.get(page).text
    assert waiting.count('class="pending"') == 2 and "Đang tạo văn bản…" in waiting
    assert 'hx-trigger="every 1s"' in waiting and f'hx-get="{page}"' in waiting
    client.cookies.set(LANG_COOKIE, "en")
    assert "Being generated…" in client.get(page).text
    client.cookies.set(LANG_COOKIE, "vi")
    assert make_documents(platform) == 2
    ready = client.get(page).text
    assert 'data-kind="form_01"' in ready and 'data-kind="form_02"' in ready
    assert "hx-trigger" not in ready and 'class="pending"' not in ready
    with platform.uow() as uow:
        assert [d.kind for d in services_documents.list_documents(uow, dossier.id)] == ["form_01", "form_02"]

    # The signing key becomes unreadable after the approval (an unreadable key at approval refuses it):
    # the result's job fails, and once it gives up the page says so.
    _act(platform, world.citizen, dossier.id, A.SUPPLEMENT, form_data=dict(VALID_FORM))
    _act(platform, world.head, dossier.id, A.APPROVE)
    monkeypatch.setenv("THANGLONG_PROCEDURES_SIGNING_P12", str(tmp_path / "missing.p12"))
    [result_job] = [j for j in _jobs(platform, reactions.DOCUMENTS_JOB) if j.payload["document"] == "result"]
    with platform.uow() as uow:
        uow.session.execute(update(Job).where(Job.id == result_job.id).values(max_attempts=1))
        uow.commit()
    assert make_documents(platform) == 1
    failed = client.get(page).text
    assert "Chưa tạo được văn bản" in failed and "hx-trigger" not in failed
    client.cookies.set(LANG_COOKIE, "en")
    assert "Not generated: the technical team must look at it (job queue)." in client.get(page).text
    client.cookies.set(LANG_COOKIE, "vi")
    [dead] = [j for j in _jobs(platform, reactions.DOCUMENTS_JOB) if j.id == result_job.id]
    assert dead.status == "dead" and "signing_key_unreadable" in (dead.last_error or "")

    # The operator fixes the key and queues the job again: the result is made.
    monkeypatch.delenv("THANGLONG_PROCEDURES_SIGNING_P12")
    with platform.uow() as uow:
        assert jobs.retry(uow.session, now=uow.clock(), ids=[result_job.id]) == 1
        uow.commit()
    assert make_documents(platform) == 1
    done = client.get(page).text
    assert 'data-kind="result"' in done and 'class="pending"' not in done


def _notices(
    platform: Platform, user_id: uuid.UUID | None, template: str = "dossier_status_changed"
) -> list[NotifyMessage]:
    with platform.uow() as uow:
        found = list(
            uow.session.scalars(
                select(NotifyMessage)
                .where(NotifyMessage.user_id == user_id, NotifyMessage.template_key == template)
                .order_by(NotifyMessage.created_at, NotifyMessage.channel)
            )
        )
        uow.session.expunge_all()
    return found


def test_the_applicant_is_told_of_every_status_change_in_the_app_and_by_email(platform: Platform) -> None:
    world = make_world(platform)
    applicant = _applicant(platform)
    dossier = _submit(platform, world, applicant)
    _act(platform, world.officer, dossier.id, A.RECEIVE)
    _act(platform, world.officer, dossier.id, A.ASSIGN, officer_id=world.officer2.id)
    _act(platform, world.officer2, dossier.id, A.ASSIGN, officer_id=world.officer.id)  # 4 -> 4: no notice
    _act(platform, world.officer, dossier.id, A.REQUEST_SUPPLEMENT, note="Bổ sung bản sao Giấy chứng sinh")
    _act(platform, applicant, dossier.id, A.SUPPLEMENT, form_data=dict(VALID_FORM))
    _act(platform, world.head, dossier.id, A.APPROVE)
    returned = _act(platform, world.officer, dossier.id, A.RETURN_RESULT)
    assert _notices(platform, applicant.id) == [], "nothing is sent before the handlers' jobs run"

    assert run_jobs(platform, kinds=[NOTICE_JOB]) == 7
    # Receipt, supplement request and result have notices of their own (tests/.../test_notices.py); the
    # other changes of status keep the plain one.
    notices = _notices(platform, applicant.id)
    statuses = [S.PROCESSING, S.PROCESSING, S.RETURNED]
    assert [(n.channel, n.subject) for n in notices] == [
        (channel, f"Hồ sơ {returned.code}: {status.label_vi}")
        for status in statuses
        for channel in ("email", "inapp")
    ]
    email = notices[0]
    assert email.address and email.address.endswith("@example.vn")
    assert f"/my/dossiers/{dossier.id}" in email.body
    own = {n.channel: n for n in _notices(platform, applicant.id, "procedures.supplement_requested")}
    assert sorted(own) == ["email", "inapp"], "no phone on the account: no SMS"
    assert "Bổ sung bản sao Giấy chứng sinh" in own["inapp"].body
    assert run_jobs(platform, kinds=[NOTICE_JOB]) == 0


def test_the_notice_speaks_the_applicants_language_and_skips_dossiers_without_account(
    platform: Platform,
) -> None:
    world = make_world(platform)
    english = _applicant(platform, language="en")
    dossier = _submit(platform, world, english)
    _act(platform, world.officer, dossier.id, A.RECEIVE)
    assigned = _act(platform, world.officer, dossier.id, A.ASSIGN, officer_id=world.officer2.id)
    api_filed = _submit(platform, world, Principal(kind="api_key", id=uuid.uuid4(), name="city-app"))
    _act(platform, world.officer, api_filed.id, A.RECEIVE)
    _act(platform, world.officer, api_filed.id, A.ASSIGN, officer_id=world.officer2.id)
    assert run_jobs(platform, kinds=[NOTICE_JOB]) == 4
    assert [(n.channel, n.language, n.subject) for n in _notices(platform, english.id)] == [
        ("email", "en", f"Dossier {assigned.code}: Being processed"),
        ("inapp", "en", f"Dossier {assigned.code}: Being processed"),
    ]
    assert _notices(platform, None) == []
