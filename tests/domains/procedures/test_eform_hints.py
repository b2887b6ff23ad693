"""E-form fields for pages: required marks only where a value is required, format hints, account prefill."""

from __future__ import annotations

from typing import Any

from thanglong.domains.procedures.catalogue.eform_html import FormField, describe, parse_form, prefill
from thanglong.domains.procedures.catalogue.shipped import load_catalogue

BIRTH: dict[str, Any] = next(s.eform for s in load_catalogue() if s.code == "1.001193")


def _flat(fields: list[FormField]) -> dict[str, FormField]:
    out: dict[str, FormField] = {}
    for f in fields:
        out[f.name] = f
        out.update(_flat(list(f.children)))
        for row in f.rows:
            out.update(_flat(list(row)))
    return out


def test_fields_of_an_optional_group_carry_no_required_mark() -> None:
    fields = _flat(describe(BIRTH))
    # The mother's group is required, so her name is; the father's is optional (required only when
    # "Có thông tin người cha" is ticked), so his name is not marked, and the group says what it needs.
    assert fields["f.me"].required and fields["f.me.ho_ten"].required
    assert not fields["f.cha"].required and not fields["f.cha.ho_ten"].required
    assert fields["f.cha"].required_inside == ("Họ và tên", "Ngày sinh")
    assert fields["f.me"].required_inside == ()
    assert not fields["f.nguoi_nop.email"].required and fields["f.nguoi_nop.so_dinh_danh"].required


def test_format_hints_follow_the_schema() -> None:
    fields = _flat(describe(BIRTH))
    personal_id = fields["f.nguoi_nop.so_dinh_danh"]
    assert (personal_id.hint, personal_id.hint_n, personal_id.inputmode, personal_id.maxlength) == (
        "%(n)s chữ số",
        12,
        "numeric",
        12,
    )
    phone = fields["f.nguoi_nop.dien_thoai"]
    assert phone.input_type == "tel" and phone.maxlength == 11 and "10 hoặc 11" in phone.hint
    assert phone.autocomplete == "tel" and fields["f.nguoi_nop.ho_ten"].autocomplete == "name"
    assert fields["f.nguoi_nop.email"].hint.startswith("Ví dụ")
    assert fields["f.nguoi_nop.ho_ten"].maxlength == 100
    assert fields["f.tre.ngay_sinh"].hint == "ngày/tháng/năm, ví dụ 02/09/2025"


def test_prefill_puts_the_account_into_the_applicants_fields() -> None:
    account = {"ho_ten": "Nguyễn Thị Hoa", "email": "hoa@example.vn", "dien_thoai": "0912345678", "x": "y"}
    assert prefill(BIRTH, account) == {
        "nguoi_nop": {"ho_ten": "Nguyễn Thị Hoa", "email": "hoa@example.vn", "dien_thoai": "0912345678"}
    }
    # A value the field's pattern refuses is left for the applicant to type.
    assert prefill(BIRTH, {"dien_thoai": "+84912345678", "ho_ten": None}) == {}
    flat = {"type": "object", "properties": {"ho_ten": {"type": "string"}, "email": {"type": "string"}}}
    assert prefill(flat, {"ho_ten": "An", "email": ""}) == {"ho_ten": "An"}


def test_dates_are_typed_day_first_and_stored_as_iso() -> None:
    pairs = [
        ("f.tre.ngay_sinh", "2/9/2025"),
        ("f.me.ngay_sinh", "15/03/1995"),
        ("f.cha.ngay_sinh", "1990-01-31"),
    ]
    data = parse_form(BIRTH, pairs)
    assert data["tre"]["ngay_sinh"] == "2025-09-02" and data["me"]["ngay_sinh"] == "1995-03-15"
    assert data["cha"]["ngay_sinh"] == "1990-01-31"
    # Not a date: kept as typed, so validation names the field.
    assert parse_form(BIRTH, [("f.tre.ngay_sinh", "31/31/2025x")])["tre"]["ngay_sinh"] == "31/31/2025x"
    shown = _flat(describe(BIRTH, data))
    child = shown["f.tre.ngay_sinh"]
    assert child.value == "02/09/2025" and child.input_type == "text" and child.inputmode == "numeric"
