"""Plausibility of e-form data: past dates, personal ID numbers, phones and the e-forms' declared rules."""

from __future__ import annotations

import copy
from datetime import date
from typing import Any

import pytest

from thanglong.domains.procedures.catalogue import plausibility
from thanglong.domains.procedures.catalogue.shipped import load_catalogue

TODAY = date(2026, 12, 3)


def _eform(code: str) -> dict[str, Any]:
    return next(spec.eform for spec in load_catalogue() if spec.code == code)


def birth_form(child: str = "2026-11-20", mother: str = "1990-04-12", **extra: Any) -> dict[str, Any]:
    """A birth registration (1.001193) as a mother files it (her ID number when she was born in 1990)."""
    mother_id = {"so_dinh_danh": "001190012345"} if mother.startswith("1990") else {}
    return {
        "nguoi_nop": {"ho_ten": "Nguyễn Thị Hoa", "so_dinh_danh": "001190012345", "dien_thoai": "0912345678"},
        "tre": {"ho_ten": "Nguyễn Văn Bình", "ngay_sinh": child, "gioi_tinh": "nam", "noi_sinh": "Hà Nội"},
        "me": {"ho_ten": "Nguyễn Thị Hoa", "ngay_sinh": mother, **mother_id},
        "co_thong_tin_cha": False,
        "quan_he_nguoi_di_khai": "me",
        "hinh_thuc_nhan": "truc_tuyen",
        **extra,
    }


def _problems(code: str, data: dict[str, Any], today: date = TODAY) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for error in plausibility.form_problems(_eform(code), data, today):
        out.setdefault(error.field, []).append(error.message_vi)
    return out


def test_a_plausible_birth_registration_passes() -> None:
    assert _problems("1.001193", birth_form()) == {}


def test_the_issue_case_child_born_2030_to_a_mother_born_2031() -> None:
    problems = _problems("1.001193", birth_form(child="2030-05-01", mother="2031-01-01"))
    child = " ".join(problems["tre.ngay_sinh"])
    assert "tương lai" in child and "01/05/2030" in child
    assert "ít nhất 12 năm" in child and "Thông tin người mẹ – Ngày sinh" in child
    assert any("tương lai" in m for m in problems["me.ngay_sinh"])
    english = plausibility.form_problems(_eform("1.001193"), birth_form("2030-05-01", "2031-01-01"), TODAY)
    assert any("cannot be in the future" in e.message_en for e in english)


def test_a_mother_eleven_years_older_is_refused_and_twelve_accepted() -> None:
    assert "tre.ngay_sinh" in _problems("1.001193", birth_form(child="2020-01-01", mother="2008-01-02"))
    assert _problems("1.001193", birth_form(child="2020-01-01", mother="2008-01-01")) == {}


def test_the_father_rule_applies_when_his_details_are_given() -> None:
    father = {"ho_ten": "Trần Văn Cường", "ngay_sinh": "2020-02-01"}
    problems = _problems("1.001193", birth_form(co_thong_tin_cha=True, cha=father))
    assert any("Thông tin người cha" in m for m in problems["tre.ngay_sinh"])


def test_death_before_birth_is_refused() -> None:
    form = {
        "nguoi_nop": {"ho_ten": "Lê Văn Dũng", "so_dinh_danh": "001070012345", "dien_thoai": "0987654321"},
        "nguoi_chet": {
            "ho_ten": "Lê Văn Em",
            "ngay_sinh": "1950-03-01",
            "ngay_chet": "1949-12-31",
            "noi_chet": "Hà Nội",
        },
        "co_giay_bao_tu": False,
        "quan_he": "con",
        "hinh_thuc_nhan": "truc_tuyen",
    }
    problems = _problems("1.000656", form)
    assert list(problems) == ["nguoi_chet.ngay_chet"]
    assert "không thể trước" in problems["nguoi_chet.ngay_chet"][0]
    form["nguoi_chet"]["ngay_chet"] = "1950-03-01"  # a death on the day of birth is possible
    assert _problems("1.000656", form) == {}


def _marriage(man: str, woman: str, on: str = "2026-12-01") -> dict[str, Any]:
    return {
        "nguoi_nop": {"ho_ten": "Phạm Văn Giang", "so_dinh_danh": "001206012345", "dien_thoai": "0912345678"},
        "ben_nam": {"ho_ten": "Phạm Văn Giang", "ngay_sinh": man, "da_tung_ket_hon": False},
        "ben_nu": {"ho_ten": "Vũ Thị Hà", "ngay_sinh": woman, "da_tung_ket_hon": False},
        "ngay_de_nghi": on,
        "hinh_thuc_nhan": "truc_tuyen",
    }


def test_marriage_ages_follow_the_law_on_marriage_and_family() -> None:
    assert _problems("1.000894", _marriage("2006-12-01", "2008-12-01")) == {}
    problems = _problems("1.000894", _marriage("2006-12-02", "2008-12-02"))
    assert "chưa đủ 20 tuổi" in problems["ben_nam.ngay_sinh"][0]
    assert "Điều 8" in problems["ben_nam.ngay_sinh"][0]
    assert "chưa đủ 18 tuổi" in problems["ben_nu.ngay_sinh"][0]
    # Born on 29 February: the full age is reached on 1 March of a year without that day.
    assert "ben_nu.ngay_sinh" in _problems("1.000894", _marriage("2000-01-01", "2008-02-29", "2026-02-28"))
    assert _problems("1.000894", _marriage("2000-01-01", "2008-02-29", "2026-03-01")) == {}


@pytest.mark.parametrize(
    ("number", "problem"),
    [
        ("001190012345", None),
        ("079306012345", None),  # a girl born in 2006 in Ho Chi Minh City
        ("101090012345", None),  # a country code (birth registered abroad): not checked
        ("003190012345", "không phải mã tỉnh"),
        ("000190012345", "không phải mã tỉnh"),
        ("001490012345", "ở tương lai"),  # digit 4: born in the 2100s
        ("001227012345", "ở tương lai"),  # 2027, after today
    ],
)
def test_personal_id_structure(number: str, problem: str | None) -> None:
    form = birth_form()
    form["nguoi_nop"]["so_dinh_danh"] = number
    problems = _problems("1.001193", form).get("nguoi_nop.so_dinh_danh", [])
    assert (problems == []) if problem is None else (problem in problems[0])


def test_personal_id_agrees_with_the_birth_date_and_sex_beside_it() -> None:
    schema = {
        "type": "object",
        "properties": {
            "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
            "gioi_tinh": {"type": "string", "enum": ["nam", "nu"], "title": "Giới tính"},
            "so_dinh_danh": {"type": "string", "pattern": "^[0-9]{12}$", "title": "Số định danh cá nhân"},
        },
    }
    fine = {"ngay_sinh": "1990-04-12", "gioi_tinh": "nu", "so_dinh_danh": "001190012345"}
    assert plausibility.form_problems(schema, fine, TODAY) == []
    wrong = plausibility.form_problems(schema, {**fine, "ngay_sinh": "1991-04-12", "gioi_tinh": "nam"}, TODAY)
    messages = [e.message_vi for e in wrong]
    assert [e.field for e in wrong] == ["so_dinh_danh", "so_dinh_danh"]
    assert "năm sinh 1990" in messages[0] and "năm 1991" in messages[0]
    assert "giới tính" in messages[1]


@pytest.mark.parametrize(
    ("phone", "ok"),
    [("0912345678", True), ("0352345678", True), ("02438251234", True), ("0112345678", False)],
)
def test_phone_numbers_start_like_vietnamese_ones(phone: str, ok: bool) -> None:
    form = birth_form()
    form["nguoi_nop"]["dien_thoai"] = phone
    assert ("nguoi_nop.dien_thoai" not in _problems("1.001193", form)) is ok


def test_a_period_ending_before_it_starts_is_refused_in_its_row() -> None:
    schema = {
        "type": "object",
        "properties": {
            "qua_trinh": {
                "type": "array",
                "title": "Quá trình cư trú",
                "items": {
                    "type": "object",
                    "properties": {
                        "tu_ngay": {"type": "string", "format": "date", "title": "Từ ngày"},
                        "den_ngay": {"type": "string", "format": "date", "title": "Đến ngày"},
                    },
                },
            }
        },
    }
    rows = [
        {"tu_ngay": "2010-01-01", "den_ngay": "2015-01-01"},
        {"tu_ngay": "2016-01-01", "den_ngay": "2015-06-01"},
    ]
    problems = plausibility.form_problems(schema, {"qua_trinh": rows}, TODAY)
    assert [e.field for e in problems] == ["qua_trinh.1.den_ngay"]
    assert "(mục 2)" in problems[0].message_vi


def test_a_field_with_a_type_error_gets_only_that_message() -> None:
    form = birth_form(child="01/05/2030")
    problems = _problems("1.001193", form)
    assert len(problems["tre.ngay_sinh"]) == 1 and "YYYY-MM-DD" in problems["tre.ngay_sinh"][0]


def test_every_shipped_rule_compiles_and_the_civil_status_forms_carry_theirs() -> None:
    specs = load_catalogue()
    assert all(plausibility.rule_problems(spec.eform) == [] for spec in specs)
    with_rules = {spec.code for spec in specs if spec.eform.get(plausibility.RULES_KEY)}
    assert {"1.001193", "1.000656", "1.000894"} <= with_rules


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ({"rule": "before_lunch", "field": "a"}, "unknown rule"),
        ({"rule": "not_future", "field": "b"}, "no field"),
        ({"rule": "not_future", "field": "ten"}, "not a date"),
        ({"rule": "after", "field": "a", "than": "a", "min_years": -1}, "whole number"),
    ],
)
def test_bad_rules_are_reported(rule: dict[str, Any], message: str) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "format": "date"}, "ten": {"type": "string"}},
        plausibility.RULES_KEY: [rule],
    }
    problems = plausibility.rule_problems(schema)
    assert len(problems) == 1 and message in problems[0]


def test_rules_are_compiled_once_per_version_and_again_when_the_form_changes() -> None:
    schema = _eform("1.001193")
    key = "test-version"
    first = plausibility.compiled(copy.deepcopy(schema), key)
    assert plausibility.compiled(copy.deepcopy(schema), key) is first
    changed = copy.deepcopy(schema)
    changed[plausibility.RULES_KEY] = []
    again = plausibility.compiled(changed, key)
    assert again is not first
    assert plausibility.check(changed, birth_form(child="2020-01-01", mother="2019-01-01"), TODAY) == []
