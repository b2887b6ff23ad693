"""Only the applicant changes the form when supplementing; the audit keeps what changed."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.domains.procedures.helpers import VALID_FORM, make_world
from tests.domains.procedures.test_transfer import act
from thanglong.core.errors import Forbidden
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S


def test_an_officer_cannot_rewrite_the_form_but_records_a_counter_supplement(platform: Platform) -> None:
    world = make_world(platform)
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
        )
    act(platform, world.officer, dossier.id, A.RECEIVE)
    act(platform, world.officer, dossier.id, A.REQUEST_SUPPLEMENT, note="Ngày sinh chưa đúng")
    rewritten = {**VALID_FORM, "ho_ten": "Tên do cán bộ tự sửa"}
    with pytest.raises(Forbidden) as refused:
        act(platform, world.officer, dossier.id, A.SUPPLEMENT, form_data=rewritten)
    assert refused.value.code == "supplement_by_applicant_only"
    with platform.uow() as uow:
        still = services.get_dossier(uow, dossier.id)
    assert still.status is S.SUPPLEMENT_REQUESTED and still.form_data["ho_ten"] == VALID_FORM["ho_ten"]

    corrected = {**VALID_FORM, "ngay_sinh": "2025-09-03"}
    done = act(platform, world.citizen, dossier.id, A.SUPPLEMENT, form_data=corrected)
    assert done.form_data["ngay_sinh"] == "2025-09-03"
    with platform.uow() as uow:
        after = uow.session.scalars(
            select(AuditRecord.after).where(
                AuditRecord.action == "procedures.dossier.supplement",
                AuditRecord.object_id == str(dossier.id),
            )
        ).one()
    assert after["form_changes"] == {"ngay_sinh": {"before": VALID_FORM["ngay_sinh"], "after": "2025-09-03"}}
