"""E-form validation reports every problem per field, in Vietnamese and English."""

from __future__ import annotations

from typing import Any

from thanglong.domains.procedures.catalogue.eform import FieldError, validate
from thanglong.domains.procedures.catalogue.shipped import get_procedure

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên", "minLength": 2},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "email": {"type": "string", "format": "email", "title": "Thư điện tử"},
        "so_con": {"type": "integer", "title": "Số con", "minimum": 0},
        "da_ket_hon": {"type": "boolean", "title": "Đã kết hôn"},
        "ngay_ket_hon": {"type": "string", "format": "date", "title": "Ngày kết hôn"},
        "thanh_vien": {
            "type": "array",
            "title": "Thành viên",
            "minItems": 1,
            "items": {
                "type": "object",
                "title": "Thành viên",
                "properties": {"ho_ten": {"type": "string", "title": "Họ tên thành viên"}},
                "required": ["ho_ten"],
            },
        },
    },
    "required": ["ho_ten", "ngay_sinh"],
    "if": {"properties": {"da_ket_hon": {"const": True}}, "required": ["da_ket_hon"]},
    "then": {"required": ["ngay_ket_hon"]},
}


def _by_field(errors: list[FieldError]) -> dict[str, FieldError]:
    return {error.field: error for error in errors}


def test_valid_data_has_no_errors() -> None:
    data = {
        "ho_ten": "Nguyễn Văn An",
        "ngay_sinh": "1990-05-17",
        "email": "an@example.vn",
        "thanh_vien": [{"ho_ten": "Bình"}],
    }
    assert validate(SCHEMA, data) == []


def test_required_fields_are_named_in_each_language() -> None:
    errors = _by_field(validate(SCHEMA, {}))
    assert errors["ho_ten"].message_vi == "Trường 'Họ và tên' là bắt buộc"
    # The English message names the field in English (catalogue.po), like the English e-form.
    assert errors["ho_ten"].message_en == "Field 'Full name' is required"
    assert "ngay_sinh" in errors


def test_types_and_ranges() -> None:
    errors = _by_field(validate(SCHEMA, {"ho_ten": "A", "ngay_sinh": "2000-01-01", "so_con": "hai"}))
    assert errors["so_con"].message_vi == "Trường 'Số con' phải là số nguyên"
    assert errors["ho_ten"].message_vi == "Trường 'Họ và tên' phải có ít nhất 2 ký tự"
    errors = _by_field(validate(SCHEMA, {"ho_ten": "An", "ngay_sinh": "2000-01-01", "so_con": -1}))
    assert errors["so_con"].message_vi == "Trường 'Số con' phải lớn hơn hoặc bằng 0"


def test_dates_and_emails_are_format_checked() -> None:
    errors = _by_field(
        validate(SCHEMA, {"ho_ten": "An", "ngay_sinh": "2000-02-30", "email": "khong-phai-email"})
    )
    assert errors["ngay_sinh"].message_vi == "Trường 'Ngày sinh' phải là ngày hợp lệ (YYYY-MM-DD)"
    assert errors["email"].message_vi == "Trường 'Thư điện tử' phải là địa chỉ thư điện tử hợp lệ"
    assert "valid date" in errors["ngay_sinh"].message_en


def test_conditional_field_becomes_required() -> None:
    base = {"ho_ten": "An", "ngay_sinh": "2000-01-01"}
    assert validate(SCHEMA, {**base, "da_ket_hon": False}) == []
    errors = _by_field(validate(SCHEMA, {**base, "da_ket_hon": True}))
    assert errors["ngay_ket_hon"].message_vi == "Trường 'Ngày kết hôn' là bắt buộc"


def test_repeatable_group_errors_carry_item_paths() -> None:
    data = {"ho_ten": "An", "ngay_sinh": "2000-01-01", "thanh_vien": [{"ho_ten": "Bình"}, {}]}
    errors = _by_field(validate(SCHEMA, data))
    assert errors["thanh_vien.1.ho_ten"].message_vi == "Trường 'Họ tên thành viên (mục 2)' là bắt buộc"
    errors = _by_field(validate(SCHEMA, {**data, "thanh_vien": []}))
    assert errors["thanh_vien"].message_vi == "Trường 'Thành viên' phải có ít nhất 1 mục"


def test_every_problem_is_reported_once() -> None:
    errors = validate(SCHEMA, {"ho_ten": 5, "ngay_sinh": "x", "so_con": 1.5})
    fields = [error.field for error in errors]
    assert sorted(fields) == ["ho_ten", "ngay_sinh", "so_con"]


def test_non_object_data_is_rejected() -> None:
    errors = validate(SCHEMA, ["not", "an", "object"])  # type: ignore[arg-type]
    assert errors and errors[0].message_en == "Form data must be an object"


def _birth_data() -> dict[str, Any]:
    return {
        "nguoi_nop": {"ho_ten": "Lê Thị Hoa", "so_dinh_danh": "001190012345", "dien_thoai": "0912345678"},
        "tre": {
            "ho_ten": "Nguyễn Minh Anh",
            "ngay_sinh": "2026-11-20",
            "gioi_tinh": "nu",
            "noi_sinh": "Bệnh viện Phụ sản Hà Nội",
        },
        "me": {"ho_ten": "Lê Thị Hoa", "ngay_sinh": "1995-03-02"},
        "co_thong_tin_cha": False,
        "quan_he_nguoi_di_khai": "me",
        "hinh_thuc_nhan": "truc_tuyen",
    }


def test_birth_registration_form_from_the_catalogue() -> None:
    spec = get_procedure("1.001193")
    assert spec is not None
    assert validate(spec.eform, _birth_data()) == []
    data = _birth_data() | {"co_thong_tin_cha": True, "hinh_thuc_nhan": "buu_chinh"}
    data["nguoi_nop"] = {**data["nguoi_nop"], "so_dinh_danh": "12345"}
    errors = _by_field(validate(spec.eform, data))
    assert errors["cha"].message_vi == "Trường 'Thông tin người cha' là bắt buộc"
    assert errors["dia_chi_nhan"].message_vi == "Trường 'Địa chỉ nhận kết quả qua bưu chính' là bắt buộc"
    assert errors["nguoi_nop.so_dinh_danh"].message_vi == "Trường 'Số định danh cá nhân' không đúng định dạng"


def test_household_business_form_checks_each_trade_line() -> None:
    spec = get_procedure("1.001612")
    assert spec is not None
    data = {
        "nguoi_nop": {"ho_ten": "Trần Văn Hải", "so_dinh_danh": "001080001234", "dien_thoai": "0987654321"},
        "ten_ho_kinh_doanh": "Hộ kinh doanh Cà phê Hồ Gươm",
        "dia_diem": "12 Hàng Bạc, phường Hoàn Kiếm",
        "von_kinh_doanh": 150_000_000,
        "nganh_nghe": [{"ma_nganh": "5632", "ten_nganh": "Dịch vụ phục vụ đồ uống"}, {"ma_nganh": "56"}],
        "hinh_thuc_nhan": "truc_tuyen",
    }
    errors = _by_field(validate(spec.eform, data))
    assert set(errors) == {"nganh_nghe.1.ma_nganh", "nganh_nghe.1.ten_nganh"}
