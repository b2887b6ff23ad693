"""Lists of dossiers tell them apart (person, agency, code, due date) and come one page at a time."""

from __future__ import annotations

import dataclasses
from typing import Any

from fastapi.testclient import TestClient

from tests.domains.procedures.helpers import make_world, spec
from tests.domains.procedures.test_pages import _login
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.dossiers import lists, services
from thanglong.domains.procedures.dossiers.lists import subject_of
from thanglong.domains.procedures.dossiers.states import DossierStatus

PERSON = {"type": "object", "properties": {"ho_ten": {"type": "string"}}}
BIRTH_FORM: dict[str, Any] = {
    "type": "object",
    "properties": {"nguoi_nop": PERSON, "tre": PERSON, "me": PERSON},
    "required": ["nguoi_nop", "tre"],
}


def test_subject_is_the_person_the_dossier_is_about() -> None:
    applicant = {"ho_ten": "Nguyễn Văn An"}
    assert subject_of({"nguoi_nop": applicant, "tre": {"ho_ten": "Nguyễn  Minh Khôi"}}) == "Nguyễn Minh Khôi"
    assert subject_of({"nguoi_nop": applicant, "me": {"ho_ten": "Trần Thị Bình"}}) == "Nguyễn Văn An"
    assert (
        subject_of(
            {
                "nguoi_nop": applicant,
                "nguoi_giam_ho": {"ho_ten": "Lê Văn Cường"},
                "nguoi_duoc_giam_ho": {"ho_ten": "Lê Thị Dung"},
            }
        )
        == "Lê Thị Dung"
    )
    couple = {"nguoi_nop": applicant, "ben_nam": applicant, "ben_nu": {"ho_ten": "Phạm Thị Hà"}}
    assert subject_of(couple) == "Nguyễn Văn An – Phạm Thị Hà"
    assert subject_of({"nguoi_nop": applicant, "ten_ho_kinh_doanh": "Phở Bát Đàn"}) == "Phở Bát Đàn"
    assert subject_of({"ho_ten": "Hoàng Lan"}) == "Hoàng Lan"
    assert subject_of({}) == "" and subject_of({"tre": {"ho_ten": 3}}) == ""


def test_my_dossiers_and_the_queue_name_the_person_agency_and_due_date(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    procedure = dataclasses.replace(spec(), eform=BIRTH_FORM)
    with platform.uow() as uow:
        load_specs(uow, [procedure], actor=SYSTEM_ACTOR)
    filed = []
    for child in ("Nguyễn Minh Khôi", "Nguyễn Minh Anh"):
        with platform.uow() as uow:
            filed.append(
                services.submit_dossier(
                    uow,
                    principal=world.citizen,
                    procedure_code=procedure.code,
                    receiving_agency_id=world.agency_id,
                    form_data={"nguoi_nop": {"ho_ten": "Nguyễn Văn An"}, "tre": {"ho_ten": child}},
                )
            )
    with platform.uow() as uow:
        received = services.act(uow, principal=world.officer, ref=filed[0].id, action="receive")
    assert received.code and received.due_at
    _login(client, platform, world.citizen)
    mine = client.get("/my/dossiers").text
    assert "Nguyễn Minh Khôi" in mine and "Nguyễn Minh Anh" in mine
    assert f"Ủy ban nhân dân phường Thử {world.agency_code}" in mine and received.code in mine
    assert "Người được giải quyết" in mine
    _login(client, platform, world.officer)
    queue = client.get("/officer/queue").text
    assert "Nguyễn Minh Khôi" in queue and "Nguyễn Minh Anh" in queue and received.code in queue
    assert f"Ủy ban nhân dân phường Thử {world.agency_code}" in queue and 'id="queue-count"' in queue


def test_the_queue_comes_one_page_at_a_time_in_status_order(platform: Platform) -> None:
    world = make_world(platform)
    ids = []
    for _ in range(5):
        with platform.uow() as uow:
            ids.append(
                services.submit_dossier(
                    uow,
                    principal=world.citizen,
                    procedure_code=world.procedure_code,
                    receiving_agency_id=world.agency_id,
                    form_data={"ho_ten": "Nguyễn Thị Hoa", "ngay_sinh": "2025-09-02"},
                ).id
            )
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=ids[3], action="receive")
    seen = []
    with platform.uow() as uow:
        for number in (1, 2, 3):
            page = lists.queue_page(uow, agency_id=world.agency_id, page=number, page_size=2)
            assert page.total == 5 and page.pages == 3 and page.page == number
            seen += [(row.dossier.status, row.dossier.id) for row in page.rows]
        last = lists.queue_page(uow, agency_id=world.agency_id, page=9, page_size=2)
        other = lists.queue_page(uow, agency_id=world.other_agency_id)
    assert page.counts[DossierStatus.NEW] == 4 and page.counts[DossierStatus.RECEIVED] == 1
    assert [d for _, d in seen] == [*ids[:3], ids[4], ids[3]]
    assert last.page == 3 and [r.dossier.id for r in last.rows] == [ids[3]]
    assert other.total == 0 and other.rows == []
