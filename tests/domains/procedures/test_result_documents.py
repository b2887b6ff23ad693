"""The signed result (issue 8): its approver signs it, in Vietnamese and Hanoi time, under a document number,
with the QR code and the signature on the page of its content and links to the address the server shows."""

from __future__ import annotations

import io
import shutil
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path

import pytest
import zxingcpp
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.domains.identity.helpers import FrozenClock, sign_in
from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.helpers import VALID_FORM, World, _user, make_documents, make_world
from tests.domains.procedures.test_documents_signing import (
    appearance_text,
    signature_widgets,
    signing_time_written,
)
from thanglong.cli.serve import listening_settings
from thanglong.core.config import Settings
from thanglong.core.errors import Forbidden
from thanglong.core.platform import Platform, build_platform
from thanglong.core.security import Principal
from thanglong.core.testing.plugin import committing_platform
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import AGENCY_HEAD
from thanglong.domains.procedures.documents import services as services_documents
from thanglong.domains.procedures.documents import signing_key
from thanglong.domains.procedures.documents.signing import ROOT_CERT_FILE, make_test_ca, validate_signature
from thanglong.domains.procedures.dossiers import files as services_attachments
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.numbers import agency_symbol, result_number
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.models import Attachment, Dossier, DossierStep

HEAD_NAME = "Đặng Thị Ánh Tuyết"
# 18:30:15 UTC on 5 January is 01:30:15 on 6 January in Hanoi: every date printed must be the 6th.
APPROVED_AT = datetime(2026, 1, 5, 18, 30, 15, tzinfo=UTC)


@pytest.fixture(scope="module")
def ca_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ca")
    make_test_ca(folder)
    return folder


@pytest.fixture(autouse=True)
def signing_root(ca_dir: Path, tl_settings: Settings) -> Path:
    """Put the module's development CA where the platform looks for it (no RSA keys per test)."""
    target = signing_key.signing_dir(tl_settings.data_dir)
    shutil.copytree(ca_dir, target)
    return target / ROOT_CERT_FILE


def _submit(platform: Platform, world: World) -> uuid.UUID:
    with platform.uow() as uow:
        return services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=dict(VALID_FORM),
        ).id


def _processing(platform: Platform, world: World) -> uuid.UUID:
    """File a dossier, receive it and assign it: ready for the head's approval."""
    dossier_id = _submit(platform, world)
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=dossier_id, action=A.RECEIVE)
    with platform.uow() as uow:
        services.act(
            uow, principal=world.officer, ref=dossier_id, action=A.ASSIGN, officer_id=world.officer2.id
        )
    return dossier_id


def _approve(platform: Platform, who: Principal, dossier_id: uuid.UUID) -> services.DossierDTO:
    with platform.uow() as uow:
        services.act(uow, principal=who, ref=dossier_id, action=A.APPROVE, note="Cấp 01 bản chính.")
    with platform.uow() as uow:
        return services.get_dossier(uow, dossier_id)


def _result_pdf(platform: Platform, dossier_id: uuid.UUID) -> bytes:
    with platform.uow() as uow:
        [doc] = [d for d in services_documents.list_documents(uow, dossier_id) if d.kind == "result"]
        row = uow.session.get(Attachment, doc.id)
        assert row is not None
        sha = row.sha256
    return services_attachments.store_for(platform).get(sha)


def _text(pdf: bytes, page: int | None = None) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    pages = reader.pages if page is None else [reader.pages[page]]
    return " ".join(" ".join(p.extract_text().split()) for p in pages)


def test_the_approver_signs_the_result_in_vietnamese_at_hanoi_time_under_its_number(
    platform: Platform, signing_root: Path
) -> None:
    platform.clock = FrozenClock(APPROVED_AT)
    world = make_world(platform)
    head = _user(platform, AGENCY_HEAD, world.agency_id, full_name=HEAD_NAME)
    dossier_id = _processing(platform, world)
    approved = _approve(platform, head, dossier_id)
    assert approved.result_number == "01/KQ-UBND"
    assert make_documents(platform) == 2  # the receipt's Form 01 and the result
    pdf = _result_pdf(platform, dossier_id)

    # The certificate that signs is the approver's, and the name printed under the box is the same.
    report = validate_signature(pdf, [signing_root])
    assert report.ok, report
    assert report.signer_name == HEAD_NAME
    with platform.uow() as uow:
        actor = uow.session.scalar(
            select(DossierStep.actor).where(
                DossierStep.dossier_id == dossier_id, DossierStep.action == "approve"
            )
        )
    assert actor is not None and actor.startswith(f"user:{head.id}:")
    [(sig_page, widget)] = signature_widgets(pdf)
    stamp = appearance_text(pdf, widget)
    assert f"Ký bởi: {HEAD_NAME}" in stamp
    assert "Thời gian ký: 01:30:15, ngày 06 tháng 01 năm 2026" in stamp
    assert "GMT+07:00" in stamp
    assert signing_time_written(widget) == "D:20260106013015+07'00'"

    text = _text(pdf)
    assert "Số: 01/KQ-UBND" in text
    assert "Hà Nội, ngày 06 tháng 01 năm 2026" in text
    assert "Ngày sinh: ngày 02 tháng 9 năm 2025" in text and "2025-09-02" not in text
    # QR code, signature and the end of the content share the last page.
    reader = PdfReader(io.BytesIO(pdf))
    assert [i for i, p in enumerate(reader.pages) if p.images] == [sig_page] == [len(reader.pages) - 1]
    closing = _text(pdf, sig_page)
    assert HEAD_NAME in closing and "Cấp 01 bản chính." in closing


def test_each_approval_takes_the_next_number_of_its_agency_and_year(platform: Platform) -> None:
    # 18:00 UTC on 31 December is already 1 January in Hanoi: the register of the new year starts.
    platform.clock = FrozenClock(datetime(2025, 12, 31, 18, 0, tzinfo=UTC))
    world = make_world(platform)
    first, second = _processing(platform, world), _processing(platform, world)
    elsewhere = make_world(platform)
    other = _processing(platform, elsewhere)
    assert _approve(platform, world.head, first).result_number == "01/KQ-UBND"
    assert _approve(platform, world.head, second).result_number == "02/KQ-UBND"
    assert _approve(platform, elsewhere.head, other).result_number == "01/KQ-UBND"
    with platform.uow() as uow:
        years = set(uow.session.scalars(select(Dossier.result_year).where(Dossier.id.in_([first, second]))))
    assert years == {2026}


def test_the_database_refuses_a_number_twice_in_an_agency_year(platform: Platform) -> None:
    world = make_world(platform)
    first, second = _processing(platform, world), _processing(platform, world)
    _approve(platform, world.head, first)
    with platform.uow() as uow, pytest.raises(IntegrityError):
        row = uow.session.get(Dossier, second)
        assert row is not None
        row.result_year, row.result_seq = uow.session.execute(
            select(Dossier.result_year, Dossier.result_seq).where(Dossier.id == first)
        ).one()
        uow.session.flush()


def test_a_platform_job_cannot_approve_a_result(platform: Platform) -> None:
    world = make_world(platform)
    dossier_id = _processing(platform, world)
    with platform.uow() as uow, pytest.raises(Forbidden) as refused:
        services.act(uow, principal=services.SYSTEM, ref=dossier_id, action=A.APPROVE)
    assert refused.value.code == "approver_not_person"


@pytest.fixture
def installed_key(tmp_path: Path, ca_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Install the test CA's signer ("Phạm Quang Huy") as the PKCS#12 key of the platform."""
    key = serialization.load_pem_private_key((ca_dir / "signer.key.pem").read_bytes(), password=None)
    assert isinstance(key, rsa.RSAPrivateKey)
    cert = x509.load_pem_x509_certificate((ca_dir / "signer.pem").read_bytes())
    root = x509.load_pem_x509_certificate((ca_dir / ROOT_CERT_FILE).read_bytes())
    path = tmp_path / f"head-{uuid.uuid4().hex[:6]}.p12"
    path.write_bytes(
        pkcs12.serialize_key_and_certificates(
            b"head",
            key,
            cert,
            [root],
            serialization.BestAvailableEncryption(b"secret"),
        )
    )
    monkeypatch.setenv("THANGLONG_PROCEDURES_SIGNING_P12", str(path))
    monkeypatch.setenv("THANGLONG_PROCEDURES_SIGNING_P12_PASSWORD", "secret")
    return path


def test_with_an_installed_key_only_its_holder_approves_and_no_number_is_lost(
    platform: Platform, installed_key: Path, signing_root: Path
) -> None:
    world = make_world(platform)
    dossier_id = _processing(platform, world)
    with platform.uow() as uow, pytest.raises(Forbidden) as refused:
        services.act(uow, principal=world.head, ref=dossier_id, action=A.APPROVE)
    assert refused.value.code == "procedures.approver_not_signer"
    assert "Phạm Quang Huy" in refused.value.message_vi and "only that person" in refused.value.message_en
    with platform.uow() as uow:
        row = services.get_dossier(uow, dossier_id)
    assert row.status.value == "processing" and row.result_number is None
    # The holder of the key (the same name, typed with other spacing and case) approves: number 01.
    holder = _user(platform, AGENCY_HEAD, world.agency_id, full_name="phạm  Quang HUY")
    assert _approve(platform, holder, dossier_id).result_number == "01/KQ-UBND"
    make_documents(platform)
    report = validate_signature(_result_pdf(platform, dossier_id), [signing_root])
    assert report.ok and report.signer_name == "Phạm Quang Huy"


def test_an_unreadable_installed_key_refuses_the_approval_not_the_job_later(
    platform: Platform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = make_world(platform)
    dossier_id = _processing(platform, world)
    monkeypatch.setenv("THANGLONG_PROCEDURES_SIGNING_P12", str(tmp_path / "missing.p12"))
    with platform.uow() as uow, pytest.raises(signing_key.SigningKeyError) as refused:
        services.act(uow, principal=world.head, ref=dossier_id, action=A.APPROVE)
    assert refused.value.status == 503 and refused.value.code == "procedures.signing_key_unreadable"
    with platform.uow() as uow:
        assert services.get_dossier(uow, dossier_id).status.value == "processing"


def test_number_and_signer_rules() -> None:
    assert agency_symbol("Ủy ban nhân dân phường Hoàn Kiếm") == "UBND"
    assert agency_symbol("UBND 123.45.67.H26") == "UBND"
    assert agency_symbol("Sở Tư pháp thành phố Hà Nội") == "STP"
    assert agency_symbol("Đội Quản lý thị trường số 1") == "ĐQLTT"
    assert agency_symbol("Ủy ban nhân dân thị xã Sơn Tây") == "UBND"
    assert result_number(7, "Sở Tư pháp") == "07/KQ-STP"
    assert result_number(123, "Ủy ban nhân dân xã Sóc Sơn") == "123/KQ-UBND"
    assert signing_key.same_person("Phạm Quang Huy", " phạm quang  huy ")
    assert not signing_key.same_person("Phạm Quang Huy", "Phạm Quang Hùng")
    assert not signing_key.same_person("Phạm Quang Huy", "")


def test_the_number_shows_on_the_dossier_pages_and_in_the_api(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    dossier_id = _processing(platform, world)
    number = _approve(platform, world.head, dossier_id).result_number
    assert number == "01/KQ-UBND"
    with platform.uow() as uow:
        officer = identity_services.get_user(uow, world.officer.id)  # type: ignore[arg-type]
        citizen = identity_services.get_user(uow, world.citizen.id)  # type: ignore[arg-type]
    assert officer is not None and citizen is not None
    sign_in(client, platform, officer)
    assert client.get(f"/api/v1/procedures/dossiers/{dossier_id}").json()["result_number"] == number
    page = client.get(f"/officer/dossiers/{dossier_id}")
    assert page.status_code == 200 and 'id="result-number"' in page.text and number in page.text
    client.cookies.clear()
    sign_in(client, platform, citizen)
    mine = client.get(f"/my/dossiers/{dossier_id}")
    assert mine.status_code == 200 and 'id="result-number"' in mine.text and number in mine.text


def test_the_qr_code_points_where_serve_listens_even_when_a_separate_worker_draws_it(
    tl_settings: Settings, platform: Platform
) -> None:
    # `serve --port 8080` without a configured address: the web process acts, a worker started on its
    # own (with the default address) draws the result.
    served = build_platform(listening_settings(tl_settings, "0.0.0.0", 8080), engine=platform.engine)  # noqa: S104
    served.session_factory = platform.session_factory
    world = make_world(served)
    dossier_id = _processing(served, world)
    approved = _approve(served, world.head, dossier_id)
    code = approved.code
    assert (
        make_documents(platform) == 2
    )  # Form 01 and the result, by the worker's platform, public address http://127.0.0.1:8000
    url = f"http://127.0.0.1:8080/track/{code}?secret={approved.tracking_secret}"
    pdf = _result_pdf(platform, dossier_id)
    assert url in "".join(_text(pdf).split())
    images = PdfReader(io.BytesIO(pdf)).pages[-1].images
    assert [d.text for d in zxingcpp.read_barcodes(images[0].image)] == [url]


@pytest.fixture
def real_platform(tmp_path: Path) -> Iterator[Platform]:
    """A platform on its own migrated database whose units of work really commit."""
    with committing_platform(tmp_path, "result_numbers", domains=DOMAINS) as platform:
        yield platform


class _Abandoned(Exception):
    """An approval given up after its number was taken (its transaction rolls back)."""


def test_concurrent_approvals_take_every_number_once_without_gaps(real_platform: Platform) -> None:
    world = make_world(real_platform)
    dossiers = [_processing(real_platform, world) for _ in range(16)]

    def approve(index_and_id: tuple[int, uuid.UUID]) -> str | None:
        index, dossier_id = index_and_id
        try:
            with real_platform.uow() as uow:
                row = services.apply_action(uow, principal=world.head, ref=dossier_id, action=A.APPROVE)
                if index % 2:
                    raise _Abandoned  # after the number was taken: the rollback gives it back
                number = row.result_number
                uow.commit()
        except _Abandoned:
            return None
        return number

    with ThreadPoolExecutor(max_workers=8) as pool:
        first = [n for n in pool.map(approve, enumerate(dossiers)) if n is not None]
    assert sorted(first) == [f"{n:02d}/KQ-UBND" for n in range(1, 9)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        second = list(pool.map(approve, [(0, d) for d in dossiers[1::2]]))
    with real_platform.uow() as uow:
        numbers = sorted(
            seq
            for seq in uow.session.scalars(
                select(Dossier.result_seq).where(Dossier.competent_agency_id == world.agency_id)
            )
            if seq is not None
        )
    assert len(second) == 8 and None not in second
    assert numbers == list(range(1, 17))


def test_person_certificates_are_issued_once_per_name(tmp_path: Path, ca_dir: Path) -> None:
    home = tmp_path / "site"
    shutil.copytree(ca_dir, signing_key.signing_dir(home))
    person = signing_key.Approver(uuid.uuid4(), HEAD_NAME, "Ủy ban nhân dân phường Hoàn Kiếm")
    first = signing_key.approver_signer(home, person, production=False)
    assert first.name == HEAD_NAME and first.organisation == "Ủy ban nhân dân phường Hoàn Kiếm"
    assert signing_key.approver_signer(home, person, production=False) is first
    renamed = signing_key.Approver(person.id, "Đặng Thị Ánh", person.agency)
    assert signing_key.approver_signer(home, renamed, production=False).name == "Đặng Thị Ánh"
    folder = signing_key.signing_dir(home) / "people"
    assert [p.name for p in folder.iterdir()] == [person.id.hex]
    assert (folder / person.id.hex / "signer.key.pem").stat().st_mode & 0o077 == 0
