"""E-form to HTML fields and back: kinds, required marks, repeatable rows, conditions."""

from __future__ import annotations

from typing import Any

from thanglong.domains.procedures.catalogue import eform
from thanglong.domains.procedures.catalogue.eform_html import delivery_of, describe, enum_label, parse_form

SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["ho_ten", "gioi_tinh", "co_cha", "thay_doi"],
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên"},
        "ngay_sinh": {"type": "string", "format": "date", "title": "Ngày sinh"},
        "so_con": {"type": "integer", "title": "Số con"},
        "gioi_tinh": {"type": "string", "enum": ["nam", "nu"], "title": "Giới tính"},
        "co_cha": {"type": "boolean", "title": "Có thông tin cha"},
        "cha": {
            "type": "object",
            "title": "Thông tin cha",
            "required": ["ho_ten"],
            "properties": {"ho_ten": {"type": "string", "title": "Họ tên cha"}},
        },
        "thay_doi": {
            "type": "array",
            "title": "Các nội dung thay đổi",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["truong"],
                "properties": {"truong": {"type": "string", "title": "Thông tin"}},
            },
        },
    },
    "allOf": [
        {
            "if": {"properties": {"co_cha": {"const": True}}, "required": ["co_cha"]},
            "then": {"required": ["cha"]},
        }
    ],
}


def _by_name(fields: list[Any]) -> dict[str, Any]:
    return {f.name: f for f in fields}


def test_kinds_titles_and_required_marks() -> None:
    fields = _by_name(describe(SCHEMA))
    assert fields["f.ho_ten"].kind == "text" and fields["f.ho_ten"].required
    assert fields["f.ho_ten"].label == "Họ và tên"
    assert fields["f.ngay_sinh"].kind == "date" and not fields["f.ngay_sinh"].required
    assert fields["f.so_con"].kind == "number" and fields["f.so_con"].step == "1"
    assert fields["f.gioi_tinh"].kind == "select" and fields["f.gioi_tinh"].options == (
        ("nam", "Nam"),
        ("nu", "Nữ"),
    )
    assert fields["f.co_cha"].kind == "checkbox"
    group = fields["f.cha"]
    assert group.kind == "group" and [c.name for c in group.children] == ["f.cha.ho_ten"]
    assert group.show_when == "f.co_cha" and group.show_value == "true"
    assert "Có thông tin cha" in group.note


def test_repeatable_group_has_rows_and_a_blank_template() -> None:
    repeat = _by_name(describe(SCHEMA, {"thay_doi": [{"truong": "a"}, {"truong": "b"}]}))["f.thay_doi"]
    assert repeat.kind == "repeat"
    assert [row[0].value for row in repeat.rows] == ["a", "b"]
    assert [row[0].name for row in repeat.rows] == ["f.thay_doi.0.truong", "f.thay_doi.1.truong"]
    assert repeat.has_value and not _by_name(describe(SCHEMA))["f.cha"].has_value
    assert repeat.blank_row[0].name == "f.thay_doi.__INDEX__.truong" and repeat.blank_row[0].value == ""


def test_errors_attach_to_fields() -> None:
    data = parse_form(SCHEMA, [("f.gioi_tinh", "nu")])
    errors = {e.field: e.message_vi for e in eform.validate(SCHEMA, data)}
    fields = _by_name(describe(SCHEMA, data, errors))
    assert "bắt buộc" in fields["f.ho_ten"].error
    assert fields["f.gioi_tinh"].value == "nu" and not fields["f.gioi_tinh"].error


def test_parse_round_trip_validates() -> None:
    pairs = [
        ("csrf_token", "x"),
        ("f.ho_ten", " Nguyễn Văn An "),
        ("f.so_con", "2"),
        ("f.gioi_tinh", "nam"),
        ("f.co_cha", "true"),
        ("f.cha.ho_ten", "Nguyễn Văn Bình"),
        ("f.thay_doi.0.truong", "Tên"),
        ("f.thay_doi.3.truong", "Quê quán"),
        ("f.thay_doi.4.truong", ""),
    ]
    data = parse_form(SCHEMA, pairs)
    assert data == {
        "ho_ten": "Nguyễn Văn An",
        "so_con": 2,
        "gioi_tinh": "nam",
        "co_cha": True,
        "cha": {"ho_ten": "Nguyễn Văn Bình"},
        "thay_doi": [{"truong": "Tên"}, {"truong": "Quê quán"}],
    }
    assert eform.validate(SCHEMA, data) == []


def test_unticked_box_is_false_and_empty_group_is_left_out() -> None:
    data = parse_form(SCHEMA, [("f.ho_ten", "An"), ("f.so_con", "hai")])
    assert data["co_cha"] is False and "cha" not in data and "thay_doi" not in data
    assert data["so_con"] == "hai"
    fields = {e.field for e in eform.validate(SCHEMA, data)}
    assert {"so_con", "thay_doi", "gioi_tinh"} <= fields and "cha" not in fields


def test_enum_labels_and_delivery_from_the_form() -> None:
    assert enum_label("buu_chinh") == "Qua dịch vụ bưu chính" and enum_label("B1") == "B1"
    assert enum_label("chua_biet") == "chua biet"
    schema = {"type": "object", "properties": {"hinh_thuc_nhan": {"enum": ["truc_tuyen", "buu_chinh"]}}}
    assert delivery_of(schema, {"hinh_thuc_nhan": "buu_chinh"}) == "post"
    assert delivery_of(schema, {}) == "online"
    assert delivery_of(SCHEMA, {"hinh_thuc_nhan": "buu_chinh"}) is None


def test_an_empty_required_group_reports_each_missing_field() -> None:
    schema = {
        "type": "object",
        "required": ["nguoi_nop"],
        "properties": {
            "nguoi_nop": {
                "type": "object",
                "title": "Người nộp",
                "required": ["ho_ten"],
                "properties": {"ho_ten": {"type": "string", "title": "Họ và tên"}},
            }
        },
    }
    data = parse_form(schema, [])
    assert data == {"nguoi_nop": {}}
    assert [e.field for e in eform.validate(schema, data)] == ["nguoi_nop.ho_ten"]
