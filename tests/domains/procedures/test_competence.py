"""Competence: only the agencies that handle a procedure receive and decide its dossiers (issue 8)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.domains.procedures.helpers import principal
from tests.domains.procedures.test_citizen import PDF
from tests.domains.procedures.test_pages import _login, _token
from tests.domains.procedures.test_plausibility import birth_form
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.domains.identity import agencies, services
from thanglong.domains.identity.api import CITIZEN, OFFICER
from thanglong.domains.procedures.catalogue import competence
from thanglong.domains.procedures.catalogue.eform_html import date_text
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import load_catalogue
from thanglong.domains.procedures.demo import sample_object
from thanglong.domains.procedures.dossiers import services as dossiers
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.dossiers.states import DossierStatus as S
from thanglong.domains.procedures.models import Dossier

BIRTH = "1.001193"  # Đăng ký khai sinh: Ủy ban nhân dân xã, phường
RESIDENCE = "1.004194"  # Đăng ký tạm trú: Công an xã, phường
HOME_AFFAIRS = next(s.code for s in load_catalogue() if s.competent_agency.startswith("Sở Nội vụ"))
HOAN_KIEM, BA_DINH = "00070", "00004"


@dataclass
class Agencies:
    """A ward committee and its police, another ward, a city department, the city centre, home affairs."""

    ward: uuid.UUID
    ward_police: uuid.UUID
    other_ward: uuid.UUID
    science: uuid.UUID
    city_centre: uuid.UUID
    home_affairs: uuid.UUID
    citizen: Principal


def _agency(platform: Platform, name: str, commune: str | None = None) -> uuid.UUID:
    number = uuid.uuid4().int
    code = f"{number % 1000:03d}.{number // 1000 % 100:02d}.{number // 100000 % 100:02d}.H26"
    with platform.uow() as uow:
        return agencies.create_agency(uow, actor=SYSTEM_ACTOR, code=code, name=name, commune_code=commune).id


def _setup(platform: Platform) -> Agencies:
    wanted = {BIRTH, RESIDENCE, HOME_AFFAIRS}
    with platform.uow() as uow:
        load_specs(uow, [s for s in load_catalogue() if s.code in wanted], actor=SYSTEM_ACTOR)
    with platform.uow() as uow:
        user = services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=f"congdan{uuid.uuid4().hex[:8]}",
            password=None,
            roles=[CITIZEN],
            full_name="Nguyễn Thị Hoa",
            email="hoa@example.vn",
            phone="+84912345678",
        )
    return Agencies(
        ward=_agency(platform, "Ủy ban nhân dân phường Hoàn Kiếm", HOAN_KIEM),
        ward_police=_agency(platform, "Công an phường Hoàn Kiếm", HOAN_KIEM),
        other_ward=_agency(platform, "Ủy ban nhân dân phường Ba Đình", BA_DINH),
        science=_agency(platform, "Sở Khoa học và Công nghệ Hà Nội"),
        city_centre=_agency(platform, "Trung tâm Phục vụ hành chính công Thành phố Hà Nội"),
        home_affairs=_agency(platform, "Sở Nội vụ Hà Nội"),
        citizen=principal(platform, user),
    )


def _future_case(platform: Platform) -> dict[str, object]:
    """The issue's example: a child born in 2030 to a mother born in 2031 (from today, in Hanoi)."""
    year = to_hanoi(platform.clock()).year
    return birth_form(child=f"{year + 4}-05-01", mother=f"{year + 5}-01-01")


def _valid_birth(platform: Platform) -> dict[str, object]:
    today = to_hanoi(platform.clock()).date()
    return birth_form(child=(today - timedelta(days=10)).isoformat())


def _file(
    platform: Platform, who: Principal, code: str, receiving: uuid.UUID, form: dict[str, object], **kw: object
) -> dossiers.DossierDTO:
    with platform.uow() as uow:
        return dossiers.submit_dossier(
            uow,
            principal=who,
            procedure_code=code,
            receiving_agency_id=receiving,
            form_data=form,
            **kw,  # type: ignore[arg-type]
        )


def _count(platform: Platform) -> int:
    with platform.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Dossier)) or 0)


def test_every_shipped_procedure_names_agencies_the_checks_know() -> None:
    for spec in load_catalogue():
        rules = competence.competence_of(spec.level, spec.competent_agency, spec.receiving_agency)
        assert rules is not None, spec.code


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Ủy ban nhân dân Phường Hoàn Kiếm", "ubnd_xa"),
        ("UBND xã Sóc Sơn", "ubnd_xa"),
        ("Trung tâm Phục vụ hành chính công phường Ba Đình", "mot_cua_xa"),
        ("Trung tâm Phục vụ hành chính công Thành phố Hà Nội", "trung_tam_tp"),
        ("Công an phường Hoàn Kiếm", "cong_an_xa"),
        ("Phòng Cảnh sát giao thông, Công an TP Hà Nội", "csgt"),
        ("Công an thành phố Hà Nội", "cong_an_tp"),
        ("Sở Khoa học và Công nghệ Hà Nội", "so"),
        ("Ủy ban nhân dân Thành phố Hà Nội", "ubnd_tp"),
        ("Ban quản lý dự án", None),
    ],
)
def test_agency_kinds_are_read_from_names(name: str, kind: str | None) -> None:
    found = competence.kind_of(name)
    assert (found.value if found else None) == kind


def test_the_issue_case_is_refused_with_the_agency_and_the_fields(platform: Platform) -> None:
    a = _setup(platform)
    with pytest.raises(InvalidInput) as err:
        _file(platform, a.citizen, BIRTH, a.science, _future_case(platform))
    error = err.value
    assert error.code == "agency_not_competent" and error.status == 422
    assert "Sở Khoa học và Công nghệ Hà Nội" in error.message_vi
    assert (
        "Ủy ban nhân dân xã, phường" in error.message_vi
        and "Ủy ban nhân dân phường Hoàn Kiếm" in error.message_vi
    )
    assert "Commune people's committee" in error.message_en
    by_pointer: dict[str, str] = {}
    for entry in error.details["fields"]:
        by_pointer[entry["pointer"]] = (
            by_pointer.get(entry["pointer"], "") + entry["message"] + entry["message_en"]
        )
    assert "/receiving_agency_id" in by_pointer
    assert (
        "tương lai" in by_pointer["/form_data/tre/ngay_sinh"]
        and "12 năm" in by_pointer["/form_data/tre/ngay_sinh"]
    )
    assert "future" in by_pointer["/form_data/me/ngay_sinh"]
    assert _count(platform) == 0


def test_a_plausible_form_at_the_ward_committee_is_filed_and_decided_there(platform: Platform) -> None:
    a = _setup(platform)
    dossier = _file(platform, a.citizen, BIRTH, a.ward, _valid_birth(platform))
    assert dossier.receiving_agency_id == dossier.competent_agency_id == a.ward


def test_the_ward_office_receives_a_police_procedure_and_the_wards_police_decides(platform: Platform) -> None:
    a = _setup(platform)
    form = {
        "nguoi_nop": {"ho_ten": "Nguyễn Thị Hoa", "so_dinh_danh": "001190012345", "dien_thoai": "0912345678"},
        "dia_chi_cu_tru": "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội",
        "cho_o": "so_huu",
        "hinh_thuc_nhan": "truc_tuyen",
    }
    dossier = _file(platform, a.citizen, RESIDENCE, a.ward, form)
    assert (dossier.receiving_agency_id, dossier.competent_agency_id) == (a.ward, a.ward_police)
    # Ba Đình has no police registered: its office keeps the dossier until an officer re-routes it.
    other = _file(platform, a.citizen, RESIDENCE, a.other_ward, form)
    assert other.competent_agency_id == a.other_ward
    with pytest.raises(InvalidInput) as err:
        _file(platform, a.citizen, RESIDENCE, a.science, form)
    assert "Công an xã, phường" in err.value.message_vi


def test_a_deciding_agency_of_another_kind_is_refused_another_commune_is_not(platform: Platform) -> None:
    a = _setup(platform)
    # Filed at the nearest ward office, decided by the ward of residence (no administrative boundary).
    dossier = _file(
        platform, a.citizen, BIRTH, a.ward, _valid_birth(platform), competent_agency_id=a.other_ward
    )
    assert (dossier.receiving_agency_id, dossier.competent_agency_id) == (a.ward, a.other_ward)
    with pytest.raises(InvalidInput) as err:
        _file(platform, a.citizen, BIRTH, a.ward, _valid_birth(platform), competent_agency_id=a.ward_police)
    assert "Công an phường Hoàn Kiếm" in err.value.message_vi
    assert _count(platform) == 1, "only the first filing is stored"


def test_a_city_procedure_received_by_the_city_centre_goes_to_its_department(platform: Platform) -> None:
    a = _setup(platform)
    spec = next(s for s in load_catalogue() if s.code == HOME_AFFAIRS)
    dossier = _file(platform, a.citizen, HOME_AFFAIRS, a.city_centre, sample_object(spec.eform))
    assert dossier.competent_agency_id == a.home_affairs
    with pytest.raises(InvalidInput) as err:
        _file(platform, a.citizen, HOME_AFFAIRS, a.ward, sample_object(spec.eform))
    assert err.value.code == "agency_not_competent"


def test_the_json_and_multipart_api_refuse_the_issue_case(client: TestClient, platform: Platform) -> None:
    a = _setup(platform)
    _login(client, platform, a.citizen)
    body = {
        "procedure_code": BIRTH,
        "receiving_agency_id": str(a.science),
        "form_data": _future_case(platform),
    }
    headers = {"x-csrf-token": _token(client)}
    answer = client.post("/api/v1/procedures/dossiers", json=body, headers=headers)
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    assert problem["code"] == "agency_not_competent"
    pointers = {f["pointer"] for f in problem["details"]["fields"]}
    assert {"/receiving_agency_id", "/form_data/tre/ngay_sinh", "/form_data/me/ngay_sinh"} <= pointers
    multipart = client.post(
        "/api/v1/procedures/dossiers/with-files",
        data={"dossier": json.dumps(body)},
        files=[("file", ("giay-chung-sinh.pdf", PDF, "application/pdf"))],
        headers=headers,
    )
    assert multipart.status_code == 422 and multipart.json()["code"] == "agency_not_competent"
    assert _count(platform) == 0


def test_the_form_offers_the_communes_competent_agencies_and_is_filled_from_the_account(
    client: TestClient, platform: Platform
) -> None:
    a = _setup(platform)
    _login(client, platform, a.citizen)
    page = client.get(f"/procedures/{BIRTH}/apply?commune={HOAN_KIEM}")
    assert page.status_code == 200
    options = page.text.split('id="receiving_agency_id"')[1].split("</select>")[0]
    assert str(a.ward) in options
    for other in (a.other_ward, a.ward_police, a.science, a.city_centre):
        assert str(other) not in options
    assert f'<option value="{HOAN_KIEM}" selected>' in page.text
    # Prefilled from the account: the applicant's name, e-mail and phone (as the e-form writes it).
    assert 'name="f.nguoi_nop.ho_ten" value="Nguyễn Thị Hoa"' in page.text
    assert 'name="f.nguoi_nop.email" value="hoa@example.vn"' in page.text
    assert 'name="f.nguoi_nop.dien_thoai" value="0912345678"' in page.text
    # Format hints, date inputs in Vietnamese, required marks only where a value is required.
    assert 'placeholder="12 chữ số"' in page.text and 'inputmode="numeric" maxlength="12"' in page.text
    assert (
        'type="text" id="ef-f-tre-ngay_sinh" name="f.tre.ngay_sinh" value="" inputmode="numeric"' in page.text
    )
    father = page.text.split('id="ef-f-cha"')[1].split("</fieldset>")[0]
    assert "req" not in father and "Nếu khai mục này, cần điền: Họ và tên, Ngày sinh." in father
    all_communes = client.get(f"/procedures/{BIRTH}/apply")
    listing = all_communes.text.split('id="receiving_agency_id"')[1].split("</select>")[0]
    assert str(a.ward) in listing and str(a.other_ward) in listing and str(a.science) not in listing


def test_the_page_shows_each_problem_beside_its_field_and_keeps_the_input(
    client: TestClient, platform: Platform
) -> None:
    a = _setup(platform)
    _login(client, platform, a.citizen)
    case = _future_case(platform)
    data = {
        "csrf_token": _token(client),
        "receiving_agency_id": str(a.science),  # not offered by the page: a forged or stale choice
        "commune": HOAN_KIEM,
        "f.nguoi_nop.ho_ten": "Nguyễn Thị Hoa",
        "f.nguoi_nop.so_dinh_danh": "001190012345",
        "f.nguoi_nop.dien_thoai": "0912345678",
        "f.tre.ho_ten": "Nguyễn Văn Bình",
        "f.tre.ngay_sinh": case["tre"]["ngay_sinh"],  # type: ignore[index]
        "f.tre.gioi_tinh": "nam",
        "f.tre.noi_sinh": "Hà Nội",
        "f.me.ho_ten": "Nguyễn Thị Hoa",
        "f.me.ngay_sinh": case["me"]["ngay_sinh"],  # type: ignore[index]
        "f.quan_he_nguoi_di_khai": "me",
        "f.hinh_thuc_nhan": "truc_tuyen",
    }
    page = client.post(
        f"/procedures/{BIRTH}/apply", data=data, files=[("files", ("", b"", "application/octet-stream"))]
    )
    assert page.status_code == 422
    agency_box = page.text.split('id="receiving_agency_id"')[1].split("</div>")[0]
    assert "Sở Khoa học và Công nghệ Hà Nội" in agency_box and 'class="ef-error"' in agency_box
    child = page.text.split('id="ef-f-tre-ngay_sinh"')[1].split("</div>")[0]
    assert f'value="{date_text(data["f.tre.ngay_sinh"])}"' in child and "tương lai" in child
    mother = page.text.split('id="ef-f-me-ngay_sinh"')[1].split("</div>")[0]
    assert f'value="{date_text(data["f.me.ngay_sinh"])}"' in mother and "tương lai" in mother
    assert _count(platform) == 0


def test_a_supplement_is_checked_for_plausibility_too(platform: Platform) -> None:
    a = _setup(platform)
    with platform.uow() as uow:
        user = services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=f"canbo{uuid.uuid4().hex[:8]}",
            password=None,
            roles=[OFFICER],
            agency_id=a.ward,
        )
    officer = principal(platform, user)
    dossier = _file(platform, a.citizen, BIRTH, a.ward, _valid_birth(platform))
    for action in (A.RECEIVE, A.REQUEST_SUPPLEMENT):
        with platform.uow() as uow:
            dossiers.act(uow, principal=officer, ref=dossier.id, action=action, note="Kiểm tra ngày sinh")
    with platform.uow() as uow, pytest.raises(InvalidInput) as err:
        dossiers.act(
            uow, principal=a.citizen, ref=dossier.id, action=A.SUPPLEMENT, form_data=_future_case(platform)
        )
    assert {f["pointer"] for f in err.value.details["fields"]} >= {
        "/form_data/tre/ngay_sinh",
        "/form_data/me/ngay_sinh",
    }
    with platform.uow() as uow:
        assert dossiers.get_dossier(uow, dossier.id).status is S.SUPPLEMENT_REQUESTED


def test_the_hints_are_translated_on_the_english_page(client: TestClient, platform: Platform) -> None:
    a = _setup(platform)
    _login(client, platform, a.citizen)
    client.get("/lang/en?next=/")
    page = client.get(f"/procedures/{BIRTH}/apply")
    assert 'placeholder="12 digits"' in page.text and 'lang="en"' in page.text
    assert "If you fill in this part, these are required: Full name, Date of birth." in page.text


def test_choosing_another_commune_reshows_the_form_as_typed(client: TestClient, platform: Platform) -> None:
    a = _setup(platform)
    _login(client, platform, a.citizen)
    data = {
        "csrf_token": _token(client),
        "intent": "commune",
        "commune": BA_DINH,
        "f.tre.ho_ten": "Nguyễn Văn Bình",
    }
    page = client.post(
        f"/procedures/{BIRTH}/apply", data=data, files=[("files", ("", b"", "application/octet-stream"))]
    )
    assert page.status_code == 200 and 'class="ef-error"' not in page.text
    options = page.text.split('id="receiving_agency_id"')[1].split("</select>")[0]
    assert str(a.other_ward) in options and str(a.ward) not in options
    assert 'name="f.tre.ho_ten" value="Nguyễn Văn Bình"' in page.text
    # A city procedure has no commune to choose.
    city = client.get(f"/procedures/{HOME_AFFAIRS}/apply")
    assert (
        'id="commune"' not in city.text and str(a.city_centre) in city.text and str(a.ward) not in city.text
    )
    assert _count(platform) == 0


def test_the_form_starts_from_the_commune_of_the_applicants_last_dossier(
    client: TestClient, platform: Platform
) -> None:
    a = _setup(platform)
    _login(client, platform, a.citizen)
    first = client.get(f"/procedures/{BIRTH}/apply")
    assert f'<option value="{HOAN_KIEM}" selected>' not in first.text
    _file(platform, a.citizen, BIRTH, a.ward, _valid_birth(platform))
    page = client.get(f"/procedures/{BIRTH}/apply")
    assert f'<option value="{HOAN_KIEM}" selected>' in page.text
    options = page.text.split('id="receiving_agency_id"')[1].split("</select>")[0]
    assert str(a.ward) in options and str(a.other_ward) not in options
