"""The lifecycle writes its documents (by jobs after the commit): forms 01-05, the signed result, Form 04."""

from __future__ import annotations

import io
import json
import shutil
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
import zxingcpp
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from typer.testing import CliRunner

from tests.domains.identity.helpers import FrozenClock, sign_in
from tests.domains.procedures.helpers import VALID_FORM, World, make_documents, make_world, principal
from thanglong.cli.main import build_cli
from thanglong.core.calendar_store import load_calendar
from thanglong.core.config import Settings
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.core.testing.factories import unique
from thanglong.core.testing.plugin import create_database, drop_database
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.notify.models import NotifyMessage
from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.documents import services as services_documents
from thanglong.domains.procedures.documents import signing_key as services_signing
from thanglong.domains.procedures.documents.pdf import vn_datetime
from thanglong.domains.procedures.documents.signing import ROOT_CERT_FILE, make_test_ca, validate_signature
from thanglong.domains.procedures.dossiers import clock, services
from thanglong.domains.procedures.dossiers import files as services_attachments
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.models import Attachment


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One development CA for the module: generating RSA keys for every test would be slow."""
    folder = tmp_path_factory.mktemp("ca")
    make_test_ca(folder)
    return folder


@pytest.fixture(autouse=True)
def signing_keys(ca_dir: Path, tl_settings: Settings) -> Path:
    """Put the module's CA where the platform looks for its development signer."""
    target = services_signing.signing_dir(tl_settings.data_dir)
    shutil.copytree(ca_dir, target)
    return target / ROOT_CERT_FILE


def _submit(platform: Platform, world: World, applicant: Principal | None = None) -> services.DossierDTO:
    with platform.uow() as uow:
        return services.submit_dossier(
            uow,
            principal=applicant or world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=dict(VALID_FORM),
        )


def _act(
    platform: Platform, who: Principal, ref: object, action: A, note: str = "", *, settle: bool = True
) -> services.DossierDTO:
    """Act, then (settle) run the document jobs the action queued, as the worker does after the commit."""
    with platform.uow() as uow:
        done = services.act(uow, principal=who, ref=ref, action=action, note=note)  # type: ignore[arg-type]
    if settle:
        make_documents(platform)
    return done


def _documents(platform: Platform, dossier_id: uuid.UUID) -> list[services_documents.DocumentDTO]:
    with platform.uow() as uow:
        return services_documents.list_documents(uow, dossier_id)


def _content(platform: Platform, document_id: uuid.UUID) -> bytes:
    with platform.uow() as uow:
        row = uow.session.get(Attachment, document_id)
        assert row is not None
        sha = row.sha256
    return services_attachments.store_for(platform).get(sha)


def _text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages)


def test_receipt_writes_form_01_with_code_and_due_date(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _submit(platform, world)
    assert _documents(platform, dossier.id) == []
    received = _act(platform, world.officer, dossier.id, A.RECEIVE, settle=False)
    with platform.uow() as uow:
        waiting = services_documents.documents_view(uow, dossier.id)
    assert waiting.stored == [] and waiting.in_progress, "the receipt is committed, its form is on its way"
    assert [(p.kind, p.title_vi, p.failed) for p in waiting.pending] == [
        ("form_01", "Giấy tiếp nhận hồ sơ và hẹn trả kết quả", False)
    ]
    assert make_documents(platform) == 1
    [doc] = _documents(platform, dossier.id)
    assert doc.kind == "form_01" and not doc.signed
    assert doc.title_vi == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
    assert received.code is not None and received.due_at is not None
    text = _text(_content(platform, doc.id))
    assert f"Mã hồ sơ: {received.code}" in text
    assert f"Thời gian trả kết quả giải quyết hồ sơ: {vn_datetime(received.due_at)}" in text
    # The receipt carries the tracking secret and the tracking link (printed and as a QR code).
    assert f"Mã tra cứu hồ sơ: {dossier.tracking_secret}" in text
    assert f"/track/{received.code}?secret={dossier.tracking_secret}" in "".join(text.split())
    assert "Người Thử" in text
    with platform.uow() as uow:
        kinds = [
            a.after["kind"]  # type: ignore[index]
            for a in uow.session.scalars(
                select(AuditRecord).where(
                    AuditRecord.object_id == str(dossier.id),
                    AuditRecord.action == "procedures.document.generated",
                )
            )
        ]
    assert kinds == ["form_01"]


def test_supplement_request_writes_form_02_listing_the_note(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _submit(platform, world)
    _act(platform, world.officer, dossier.id, A.RECEIVE)
    note = "Bổ sung bản sao Giấy chứng sinh.\nGhi đầy đủ nơi sinh trong tờ khai."
    _act(platform, world.officer, dossier.id, A.REQUEST_SUPPLEMENT, note=note)
    kinds = [d.kind for d in _documents(platform, dossier.id)]
    assert kinds == ["form_01", "form_02"]
    text = _text(_content(platform, _documents(platform, dossier.id)[1].id))
    assert "1. Bổ sung bản sao Giấy chứng sinh." in text
    assert "2. Ghi đầy đủ nơi sinh trong tờ khai." in text


def test_refusal_writes_form_03_and_stop_a_signed_form_05(platform: Platform, signing_keys: Path) -> None:
    world = make_world(platform)
    refused = _submit(platform, world)
    _act(platform, world.officer, refused.id, A.REJECT, note="Thủ tục không thuộc thẩm quyền của phường")
    [form_03] = _documents(platform, refused.id)
    assert form_03.kind == "form_03"
    assert "Thủ tục không thuộc thẩm quyền của phường" in _text(_content(platform, form_03.id))

    stopped = _submit(platform, world)
    _act(platform, world.officer, stopped.id, A.RECEIVE)
    _act(platform, world.officer, stopped.id, A.STOP, note="Người nộp đã qua đời")
    form_05 = _documents(platform, stopped.id)[-1]
    assert form_05.kind == "form_05" and form_05.signed
    pdf = _content(platform, form_05.id)
    assert "Người nộp đã qua đời" in _text(pdf)
    assert validate_signature(pdf, [signing_keys]).ok


def test_withdrawing_before_receipt_writes_nothing(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _submit(platform, world)
    _act(platform, world.citizen, dossier.id, A.WITHDRAW)
    assert _documents(platform, dossier.id) == []


def test_approval_writes_a_signed_result_with_the_tracking_qr(
    platform: Platform, tl_settings: Settings, signing_keys: Path
) -> None:
    world = make_world(platform)
    dossier = _submit(platform, world)
    code = _act(platform, world.officer, dossier.id, A.RECEIVE).code or ""
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=code, action=A.ASSIGN, officer_id=world.officer2.id)
    _act(platform, world.head, code, A.APPROVE, note="Cấp 01 bản chính.")
    result = _documents(platform, dossier.id)[-1]
    assert result.kind == "result" and result.signed
    pdf = _content(platform, result.id)
    report = validate_signature(pdf, [signing_keys])
    assert report.ok, report
    assert report.signer_name == "Người Thử"  # the approving head, with a certificate of their own
    # The QR code leads to the public tracking page with the dossier's secret: it works when scanned.
    url = f"{tl_settings.public_base_url.rstrip('/')}/track/{code}?secret={dossier.tracking_secret}"
    text = _text(pdf)
    # The printed address may wrap inside its narrow column.
    assert url in "".join(text.split())
    assert "Nguyễn Thị Hoa" in text and "Cấp 01 bản chính." in text and "CHỦ TỊCH" in text
    images = PdfReader(io.BytesIO(pdf)).pages[-1].images
    decoded = zxingcpp.read_barcodes(images[0].image)
    assert [d.text for d in decoded] == [url]
    # A foreign root does not vouch for the agency's signature.
    make_test_ca(signing_keys.parent.parent / "stranger")
    assert not validate_signature(pdf, [signing_keys.parent.parent / "stranger" / ROOT_CERT_FILE]).ok


def _citizen_with_contacts(platform: Platform) -> Principal:
    with platform.uow() as uow:
        user = identity_services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=unique("citizen"),
            password=None,
            roles=[CITIZEN],
            full_name="Trần Thị Mai",
            email="mai.tran@example.vn",
            phone="0912345678",
        )
    return principal(platform, user)


def _hanoi(day: object, hour: int) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=clock.ICT)  # type: ignore[arg-type]


def test_form_04_is_drafted_on_the_apology_day_once_and_sent(platform: Platform, signing_keys: Path) -> None:
    world = make_world(platform)
    applicant = _citizen_with_contacts(platform)
    frozen = FrozenClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))  # Monday 09:00 in Hanoi
    platform.clock = frozen
    dossier = _submit(platform, world, applicant)
    received = _act(platform, world.officer, dossier.id, A.RECEIVE)
    assert received.due_at is not None
    with platform.uow() as uow:
        calendar = load_calendar(uow)
    apology = clock.apology_day(received.due_at, calendar)
    assert apology < clock.to_hanoi(received.due_at).date()

    frozen.now = _hanoi(apology - timedelta(days=1), 16)
    assert dossier.id not in {d.dossier_id for d in services_documents.draft_apologies(platform)}
    assert [d.kind for d in _documents(platform, dossier.id)] == ["form_01"]

    frozen.now = _hanoi(apology, 8)
    drafted = [d for d in services_documents.draft_apologies(platform) if d.dossier_id == dossier.id]
    assert len(drafted) == 1 and drafted[0].new_due_at > received.due_at
    assert set(drafted[0].channels) == {"sms", "email", "inapp"}
    assert services_documents.draft_apologies(platform) == []
    frozen.now = _hanoi(apology, 15)
    assert services_documents.draft_apologies(platform) == []

    letters = [d for d in _documents(platform, dossier.id) if d.kind == "form_04"]
    assert len(letters) == 1 and letters[0].signed
    pdf = _content(platform, letters[0].id)
    assert validate_signature(pdf, [signing_keys]).ok
    text = _text(pdf)
    assert received.code is not None and received.code in text
    assert vn_datetime(drafted[0].new_due_at) in text and "Trần Thị Mai" in text
    with platform.uow() as uow:
        messages = uow.session.execute(
            select(
                NotifyMessage.channel, NotifyMessage.address, NotifyMessage.subject, NotifyMessage.body
            ).where(NotifyMessage.user_id == applicant.id, NotifyMessage.template_key == "procedures.apology")
        ).all()
    by_channel = {m.channel: m for m in messages}
    assert sorted(by_channel) == ["email", "inapp", "sms"]
    assert (by_channel["sms"].address or "").endswith("912345678")
    assert by_channel["email"].address == "mai.tran@example.vn"
    assert received.code in by_channel["email"].subject and received.code in by_channel["sms"].body


def test_a_letter_drafted_after_the_due_date_proposes_a_date_still_to_come(platform: Platform) -> None:
    world = make_world(platform)
    frozen = FrozenClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    platform.clock = frozen
    dossier = _submit(platform, world)
    received = _act(platform, world.officer, dossier.id, A.RECEIVE)
    assert received.due_at is not None
    # The worker was down for two weeks: the dossier is already late when the letter is drafted.
    frozen.now = received.due_at + timedelta(days=14)
    drafted = [d for d in services_documents.draft_apologies(platform) if d.dossier_id == dossier.id]
    assert len(drafted) == 1
    with platform.uow() as uow:
        calendar = load_calendar(uow)
    today = clock.to_hanoi(frozen.now).date()
    assert clock.to_hanoi(drafted[0].new_due_at).date() == calendar.add_working_days(today, 3)
    assert drafted[0].new_due_at > frozen.now


def test_no_form_04_for_a_dossier_waiting_for_the_applicant(platform: Platform) -> None:
    world = make_world(platform)
    frozen = FrozenClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    platform.clock = frozen
    dossier = _submit(platform, world)
    received = _act(platform, world.officer, dossier.id, A.RECEIVE)
    _act(platform, world.officer, dossier.id, A.REQUEST_SUPPLEMENT, note="Thiếu ảnh")
    assert received.due_at is not None
    frozen.now = received.due_at
    assert dossier.id not in {d.dossier_id for d in services_documents.draft_apologies(platform)}
    assert "form_04" not in [d.kind for d in _documents(platform, dossier.id)]


def test_missing_key_in_production_is_a_clear_error(tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    with pytest.raises(services_signing.SigningKeyError) as err:
        services_signing.agency_signer(home, production=True, settings=ProcedureSettings(signing_p12=None))
    assert err.value.code == "procedures.signing_key_missing"
    assert "khóa ký số" in err.value.message_vi and "signing key" in err.value.message_en
    assert not (home / "procedures").exists()
    with pytest.raises(services_signing.SigningKeyError) as unreadable:
        services_signing.agency_signer(
            home, production=True, settings=ProcedureSettings(signing_p12=home / "missing.p12")
        )
    assert unreadable.value.code == "procedures.signing_key_unreadable"


def test_development_ca_is_created_once_and_reused(tmp_path: Path) -> None:
    home = tmp_path / "elsewhere"
    settings = ProcedureSettings(signing_p12=None)
    first = services_signing.agency_signer(home, production=False, settings=settings)
    folder = services_signing.signing_dir(home)
    root = (folder / ROOT_CERT_FILE).read_bytes()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["root-ca.pem", "root-ca.key.pem", "signer.pem", "signer.key.pem"]
    )
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".signing-")]
    assert services_signing.agency_signer(home, production=False, settings=settings) is first
    assert (folder / ROOT_CERT_FILE).read_bytes() == root


def _user(platform: Platform, user_id: uuid.UUID | None) -> identity_services.UserDTO:
    with platform.uow() as uow:
        user = identity_services.get_user(uow, user_id)  # type: ignore[arg-type]
    assert user is not None
    return user


def test_applicant_and_officer_download_documents_other_citizens_cannot(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    dossier = _submit(platform, world)
    _act(platform, world.officer, dossier.id, A.RECEIVE)
    [doc] = _documents(platform, dossier.id)
    url = f"/api/v1/procedures/dossiers/{dossier.id}/attachments/{doc.id}"
    expected = _content(platform, doc.id)

    sign_in(client, platform, _user(platform, world.citizen.id))
    mine = client.get(url)
    assert mine.status_code == 200 and mine.content == expected
    assert mine.headers["content-type"] == "application/pdf"
    assert mine.headers["content-disposition"].startswith("attachment;")
    page = client.get(f"/my/dossiers/{dossier.id}")
    assert page.status_code == 200 and 'id="document-list"' in page.text and url in page.text
    assert "Giấy tiếp nhận hồ sơ và hẹn trả kết quả" in page.text

    client.cookies.clear()
    sign_in(client, platform, _user(platform, world.officer.id))
    assert client.get(url).status_code == 200
    officer_page = client.get(f"/officer/dossiers/{dossier.id}")
    assert officer_page.status_code == 200 and url in officer_page.text

    other = _citizen_with_contacts(platform)
    client.cookies.clear()
    sign_in(client, platform, _user(platform, other.id))
    assert client.get(url).status_code == 404
    client.cookies.clear()
    assert client.get(url).status_code == 401


def test_cli_runs_the_job_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = create_database(tmp_path, "apologies")
    try:
        monkeypatch.setenv("THANGLONG_DOMAINS", '["identity","notify","payments","procedures"]')
        monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
        monkeypatch.setenv("THANGLONG_ENV", "test")
        cli = build_cli()
        result = CliRunner().invoke(cli, ["procedures", "apologies", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == []
        text = CliRunner().invoke(cli, ["procedures", "apologies"])
        assert text.exit_code == 0 and "drafted: 0" in text.stdout
    finally:
        drop_database(url)
