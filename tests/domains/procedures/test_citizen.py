"""The citizen's side: drafts, supplements with files, satisfaction ratings and the document store."""

from __future__ import annotations

import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.domains.procedures.helpers import VALID_FORM, World, make_documents, make_world
from thanglong.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.documents import store as document_store
from thanglong.domains.procedures.dossiers import citizen as services_citizen
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.files import store_for
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S
from thanglong.domains.procedures.models import Attachment, DossierDraft, DossierRating

PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00 this program cannot be run in DOS mode"


def _save(
    platform: Platform, who: Principal, code: str, form: object, **kw: object
) -> services_citizen.DraftDTO:
    with platform.uow() as uow:
        return services_citizen.save_draft(uow, principal=who, procedure_code=code, form_data=form, **kw)  # type: ignore[arg-type]


def _draft(platform: Platform, who: Principal, code: str) -> services_citizen.DraftDTO | None:
    with platform.uow() as uow:
        return services_citizen.get_draft(uow, principal=who, procedure_code=code)


def _submit(platform: Platform, world: World, form: dict[str, str] | None = None) -> services.DossierDTO:
    with platform.uow() as uow:
        return services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=dict(form if form is not None else VALID_FORM),
        )


def _act(platform: Platform, who: Principal, ref: uuid.UUID, action: A, **kw: object) -> services.DossierDTO:
    with platform.uow() as uow:
        return services.act(uow, principal=who, ref=ref, action=action, **kw)  # type: ignore[arg-type]


def _returned(platform: Platform, world: World) -> services.DossierDTO:
    dossier = _submit(platform, world)
    _act(platform, world.officer, dossier.id, A.RECEIVE)
    _act(platform, world.officer, dossier.id, A.ASSIGN, officer_id=world.officer2.id)
    _act(platform, world.head, dossier.id, A.APPROVE)
    return _act(platform, world.officer, dossier.id, A.RETURN_RESULT)


def _audit_actions(platform: Platform, object_id: str) -> list[str]:
    with platform.uow() as uow:
        return list(
            uow.session.scalars(
                select(AuditRecord.action).where(AuditRecord.object_id == object_id).order_by(AuditRecord.seq)
            )
        )


def test_draft_is_saved_unvalidated_restored_overwritten_and_deleted(platform: Platform) -> None:
    world = make_world(platform)
    code = world.procedure_code
    assert _draft(platform, world.citizen, code) is None
    # Half a form with a bad date: a draft is not validated against the schema.
    first = _save(
        platform,
        world.citizen,
        code,
        {"ho_ten": "N", "ngay_sinh": "02/09"},
        receiving_agency_id=world.agency_id,
    )
    assert first.form_data == {"ho_ten": "N", "ngay_sinh": "02/09"}
    restored = _draft(platform, world.citizen, code)
    assert restored is not None and restored.form_data == first.form_data
    assert restored.receiving_agency_id == world.agency_id and restored.delivery == "online"
    second = _save(platform, world.citizen, code, {"ho_ten": "Nguyễn Thị Hoa"}, delivery="post")
    again = _draft(platform, world.citizen, code)
    assert again is not None and again.form_data == {"ho_ten": "Nguyễn Thị Hoa"}
    assert again.delivery == "post" and again.receiving_agency_id is None
    assert again.created_at == first.created_at and second.updated_at >= first.updated_at
    with platform.uow() as uow:
        rows = uow.session.scalar(select(func.count()).select_from(DossierDraft))
        assert rows == 1
        draft_id = uow.session.scalar(select(DossierDraft.id))
        assert services_citizen.delete_draft(uow, principal=world.citizen, procedure_code=code)
    assert _draft(platform, world.citizen, code) is None
    with platform.uow() as uow:
        assert not services_citizen.delete_draft(uow, principal=world.citizen, procedure_code=code)
    assert _audit_actions(platform, str(draft_id)) == [
        "procedures.draft.created",
        "procedures.draft.updated",
        "procedures.draft.deleted",
    ]


def test_draft_keeps_only_the_procedures_fields_and_checks_its_shape(platform: Platform) -> None:
    world = make_world(platform)
    code = world.procedure_code
    saved = _save(platform, world.citizen, code, {"ho_ten": "An", "la": "x", "is_admin": True})
    assert saved.form_data == {"ho_ten": "An"}
    with pytest.raises(InvalidInput) as not_object:
        _save(platform, world.citizen, code, ["ho_ten", "An"])
    assert not_object.value.code == "invalid_form"
    with pytest.raises(InvalidInput) as too_big:
        _save(platform, world.citizen, code, {"ho_ten": "ệ" * services_citizen.MAX_DRAFT_BYTES})
    assert too_big.value.code == "draft_too_large"
    with pytest.raises(InvalidInput) as surrogate:
        _save(platform, world.citizen, code, {"ho_ten": "An\udc80"})
    assert surrogate.value.code == "bad_encoding"
    with pytest.raises(InvalidInput):
        _save(platform, world.citizen, code, {"ho_ten": "An"}, delivery="drone")
    with pytest.raises(NotFound):
        _save(platform, world.citizen, code, {"ho_ten": "An"}, receiving_agency_id=uuid.uuid4())
    with pytest.raises(NotFound):
        _save(platform, world.citizen, "0.000000", {"ho_ten": "An"})
    # Refused saves changed nothing: the first draft is still there as it was.
    kept = _draft(platform, world.citizen, code)
    assert kept is not None and kept.form_data == {"ho_ten": "An"}


def test_filing_deletes_the_draft_in_the_same_transaction(platform: Platform) -> None:
    world = make_world(platform)
    code = world.procedure_code
    _save(platform, world.citizen, code, {"ho_ten": "Nguyễn Thị Hoa"})
    with pytest.raises(InvalidInput):
        _submit(platform, world, {"ho_ten": "Nguyễn Thị Hoa"})
    # A refused filing rolls back whole: the draft survives it.
    assert _draft(platform, world.citizen, code) is not None
    _submit(platform, world)
    assert _draft(platform, world.citizen, code) is None


def test_other_citizens_see_none_of_it(platform: Platform) -> None:
    world = make_world(platform)
    other = make_world(platform).citizen
    code = world.procedure_code
    _save(platform, world.citizen, code, {"ho_ten": "Nguyễn Thị Hoa"})
    dossier = _submit(platform, world)
    with platform.uow() as uow:
        services_citizen.save_draft(
            uow, principal=world.citizen, procedure_code=code, form_data={"ho_ten": "B"}
        )
    assert _draft(platform, other, code) is None
    with platform.uow() as uow:
        assert services_citizen.list_drafts(uow, principal=other) == []
        assert [d.procedure_code for d in services_citizen.list_drafts(uow, principal=world.citizen)] == [
            code
        ]
        assert not services_citizen.delete_draft(uow, principal=other, procedure_code=code)
        assert document_store.list_documents_of_applicant(uow, principal=other) == []
        assert document_store.list_documents(uow, principal=other, dossier_id=dossier.id) == []
    assert _draft(platform, world.citizen, code) is not None


def test_rating_once_by_the_applicant_of_a_finished_dossier(platform: Platform) -> None:
    world = make_world(platform)
    other = make_world(platform).citizen
    open_dossier = _submit(platform, world)
    with platform.uow() as uow, pytest.raises(Conflict) as not_finished:
        services_citizen.rate_dossier(uow, principal=world.citizen, ref=open_dossier.id, score=5)
    assert not_finished.value.code == "rating_not_open"
    done = _returned(platform, world)
    with platform.uow() as uow, pytest.raises(NotFound):
        services_citizen.rate_dossier(uow, principal=other, ref=done.id, score=1)
    with platform.uow() as uow, pytest.raises(Forbidden):
        services_citizen.rate_dossier(uow, principal=world.officer, ref=done.id, score=1)
    for bad in (0, 6, True, "5"):
        with platform.uow() as uow, pytest.raises(InvalidInput):
            services_citizen.rate_dossier(uow, principal=world.citizen, ref=done.id, score=bad)
    with platform.uow() as uow:
        rating = services_citizen.rate_dossier(
            uow, principal=world.citizen, ref=done.code or "", score=4, comment="  Nhanh, chu đáo.  "
        )
    assert (rating.score, rating.comment, rating.dossier_id) == (4, "Nhanh, chu đáo.", done.id)
    with platform.uow() as uow, pytest.raises(Conflict) as twice:
        services_citizen.rate_dossier(uow, principal=world.citizen, ref=done.id, score=1, comment="đổi ý")
    assert twice.value.code == "already_rated" and twice.value.status == 409
    with platform.uow() as uow:
        assert services_citizen.get_rating(uow, done.id) == rating
        assert uow.session.scalar(select(func.count()).select_from(DossierRating)) == 1
    assert _audit_actions(platform, str(done.id)).count("procedures.dossier.rated") == 1


def test_stopped_and_not_received_dossiers_can_be_rated_withdrawn_cannot(platform: Platform) -> None:
    world = make_world(platform)
    stopped = _submit(platform, world)
    _act(platform, world.officer, stopped.id, A.RECEIVE)
    _act(platform, world.officer, stopped.id, A.STOP, note="Hồ sơ giả mạo")
    refused = _submit(platform, world)
    _act(platform, world.officer, refused.id, A.REJECT, note="Sai thẩm quyền")
    withdrawn = _submit(platform, world)
    _act(platform, world.citizen, withdrawn.id, A.WITHDRAW)
    with platform.uow() as uow:
        assert services_citizen.rate_dossier(uow, principal=world.citizen, ref=stopped.id, score=2).score == 2
    with platform.uow() as uow:
        assert services_citizen.rate_dossier(uow, principal=world.citizen, ref=refused.id, score=1).score == 1
    with platform.uow() as uow, pytest.raises(Conflict):
        services_citizen.rate_dossier(uow, principal=world.citizen, ref=withdrawn.id, score=3)


def _uploads(uow: UnitOfWork) -> int:
    """Count the applicants' files (the office's generated documents are attachments too)."""
    kinds = ("application", "supplement")
    return int(uow.session.scalar(select(func.count()).where(Attachment.kind.in_(kinds))) or 0)


def _stored(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_supplement_with_files_is_one_transaction(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _submit(platform, world)
    _act(platform, world.officer, dossier.id, A.RECEIVE)
    asked = _act(platform, world.officer, dossier.id, A.REQUEST_SUPPLEMENT, note="Thiếu giấy chứng sinh")
    assert make_documents(platform) == 2
    store = store_for(platform)
    form = {"ho_ten": "Nguyễn Thị Hoa Mai", "ngay_sinh": "2025-09-02"}
    office_files = _stored(store.root)  # forms 01 and 02, generated by the receipt and the request
    with platform.uow() as uow, pytest.raises(InvalidInput):
        services_citizen.supplement_with_files(
            uow,
            principal=world.citizen,
            ref=dossier.id,
            form_data=form,
            files=[("chung-sinh.pdf", PDF), ("chung-sinh-2.pdf", EXE)],
            store=store,
        )
    with platform.uow() as uow:
        assert services.get_dossier(uow, dossier.id).status is S.SUPPLEMENT_REQUESTED
        assert _uploads(uow) == 0
    assert _stored(store.root) == office_files
    with platform.uow() as uow:
        done = services_citizen.supplement_with_files(
            uow,
            principal=world.citizen,
            ref=dossier.id,
            form_data=form,
            files=[("chung-sinh.pdf", PDF)],
            store=store,
            expected_version=asked.version_id,
        )
    assert done.status is S.PROCESSING and done.form_data == form
    with platform.uow() as uow:
        docs = document_store.list_documents(uow, principal=world.citizen, dossier_id=dossier.id)
    assert [(d.filename, d.kind, d.size) for d in docs if not d.issued] == [
        ("chung-sinh.pdf", "supplement", len(PDF))
    ]
    assert sorted(d.kind for d in docs if d.issued) == ["form_01", "form_02"]


def test_document_store_groups_uploads_and_issued_documents_newest_first(platform: Platform) -> None:
    world = make_world(platform)
    older = _submit(platform, world)
    newer = _submit(platform, world)
    with platform.uow() as uow:
        now = uow.clock()
        for minutes, (dossier_id, kind, name) in enumerate(
            (
                (older.id, "application", "to-khai.pdf"),
                (older.id, "form_01", "giay-tiep-nhan.pdf"),
                (older.id, "result", "ket-qua.pdf"),
                (newer.id, "application", "anh.png"),
            )
        ):
            uow.session.add(
                Attachment(
                    dossier_id=dossier_id,
                    sha256="0" * 64,
                    size=10,
                    media_type="application/pdf",
                    filename=name,
                    kind=kind,
                    uploaded_by="system",
                    created_at=now + timedelta(minutes=minutes),
                )
            )
        uow.commit()
    with platform.uow() as uow:
        groups = document_store.list_documents_of_applicant(uow, principal=world.citizen)
    assert [g.dossier.id for g in groups] == [newer.id, older.id]
    assert [d.filename for d in groups[0].documents] == ["anh.png"]
    assert [d.filename for d in groups[1].documents] == ["ket-qua.pdf", "giay-tiep-nhan.pdf", "to-khai.pdf"]
    kinds = {d.kind: d for d in groups[1].documents}
    assert kinds["form_01"].issued and kinds["result"].issued and not kinds["application"].issued
    assert kinds["form_01"].label_vi == "Giấy tiếp nhận hồ sơ và hẹn trả kết quả"
