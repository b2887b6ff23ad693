"""The shipped catalogue is complete, consistent and its e-forms are valid JSON Schemas."""

from __future__ import annotations

import copy
import json
import re
from datetime import date
from importlib import resources
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from thanglong.domains.procedures.catalogue.shipped import (
    CatalogueError,
    ProcedureSpec,
    get_procedure,
    load_catalogue,
    parse_catalogue,
    shipped_text,
)


def _raw() -> dict[str, Any]:
    text = (
        resources.files("thanglong.domains.procedures").joinpath("data", "catalogue.json").read_text("utf-8")
    )
    data: dict[str, Any] = json.loads(text)
    return data


def _walk(schema: Any) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    if isinstance(schema, dict):
        found.append(schema)
        for value in schema.values():
            found.extend(_walk(value))
    elif isinstance(schema, list):
        for value in schema:
            found.extend(_walk(value))
    return found


def test_at_least_100_procedures_with_unique_codes() -> None:
    specs = load_catalogue()
    assert len(specs) >= 100
    assert len({s.code for s in specs}) == len(specs)
    assert all(re.fullmatch(r"\d\.\d{6}", s.code) for s in specs)


def test_catalogue_covers_the_sectors_communes_handle_most() -> None:
    sectors = {s.sector for s in load_catalogue()}
    for expected in (
        "Hộ tịch",
        "Chứng thực",
        "Đăng ký, quản lý cư trú",
        "Đất đai",
        "Hoạt động xây dựng",
        "Bảo trợ xã hội",
    ):
        assert expected in sectors
    names = " | ".join(s.name for s in load_catalogue())
    for expected in (
        "khai sinh",
        "kết hôn",
        "khai tử",
        "Trích lục",
        "bản sao",
        "thường trú",
        "tạm trú",
        "hộ kinh doanh",
    ):
        assert expected in names


def test_well_known_codes() -> None:
    assert get_procedure("1.001193").name == "Thủ tục đăng ký khai sinh"  # type: ignore[union-attr]
    assert get_procedure("1.000894").name == "Thủ tục đăng ký kết hôn"  # type: ignore[union-attr]
    assert get_procedure("1.004222").name == "Đăng ký thường trú"  # type: ignore[union-attr]
    assert get_procedure("9.999999") is None


def test_times_are_positive_and_plausible() -> None:
    for spec in load_catalogue():
        assert spec.time_amount > 0
        limit = 60 if spec.time_unit == "working_days" else 40
        assert spec.time_amount <= limit, spec.code


def test_fees_are_non_negative_integers_and_exemptions_hold() -> None:
    for spec in load_catalogue():
        for fee in spec.fees:
            assert type(fee.amount_vnd) is int and fee.amount_vnd >= 0
    # Art. 11 Law on Civil Status: on-time birth and death registration and marriage are free.
    for code in ("1.001193", "1.000656", "1.000894"):
        exempt = get_procedure(code)
        assert exempt is not None and exempt.total_fee_vnd == 0
    assert get_procedure("2.000815").fees[0].amount_vnd == 2000  # type: ignore[union-attr]
    assert get_procedure("1.004222").fees[0].amount_vnd == 20000  # type: ignore[union-attr]


def test_every_entry_has_basis_documents_keywords_and_source() -> None:
    for spec in load_catalogue():
        assert spec.legal_basis and spec.keywords and spec.documents, spec.code
        assert spec.source.strip()
        assert spec.level in {"tinh", "xa", "lien_thong"}
        assert spec.service_level in {"toan_trinh", "mot_phan"}
        assert spec.effective_from <= date(2026, 12, 31)


def test_unverified_entries_are_marked_not_hidden() -> None:
    specs = load_catalogue()
    unverified = [s for s in specs if not s.verified]
    assert unverified, "entries whose codes were not checked must say so in 'source'"
    assert all(s.source.startswith("unverified") for s in unverified)


def test_every_eform_is_a_valid_schema_with_vietnamese_titles() -> None:
    for spec in load_catalogue():
        Draft202012Validator.check_schema(spec.eform)
        assert spec.eform["$schema"].endswith("2020-12/schema")
        for name, prop in spec.eform["properties"].items():
            assert prop.get("title"), f"{spec.code}: field {name} has no title"


def test_forms_use_conditional_fields_and_repeatable_groups() -> None:
    with_if = [s for s in load_catalogue() if any("if" in node for node in _walk(s.eform))]
    with_groups = [
        s
        for s in load_catalogue()
        if any(
            node.get("type") == "array" and node.get("items", {}).get("type") == "object"
            for node in _walk(s.eform)
        )
    ]
    assert len(with_if) >= 10
    assert len(with_groups) >= 10


def _spec(specs: tuple[ProcedureSpec, ...], code: str) -> ProcedureSpec:
    return next(s for s in specs if s.code == code)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("code", "1.1193", "d.dddddd"),
        ("time_amount", 0, "positive"),
        ("time_amount", "3", "positive"),
        ("level", "huyen", "level"),
        ("clock_policy", "pause", "policy"),
        ("eform", {"type": "object", "properties": {"x": {"type": "strng"}}}, "JSON Schema"),
        ("effective_from", "01/07/2025", "ISO"),
    ],
)
def test_parser_rejects_bad_entries(field: str, value: Any, message: str) -> None:
    raw = _raw()
    entry = copy.deepcopy(raw["procedures"][0])
    entry[field] = value
    with pytest.raises(CatalogueError, match=message):
        parse_catalogue({"procedures": [entry]})


@pytest.mark.parametrize("amount", [-1, 1.5, True])
def test_parser_rejects_bad_fees(amount: Any) -> None:
    entry = copy.deepcopy(_raw()["procedures"][0])
    entry["fees"] = [{"name": "Lệ phí", "amount_vnd": amount}]
    with pytest.raises(CatalogueError, match="non-negative integers"):
        parse_catalogue({"procedures": [entry]})


def test_versions_by_effective_date() -> None:
    entry = copy.deepcopy(_raw()["procedures"][0])
    newer = copy.deepcopy(entry)
    newer["effective_from"] = "2026-01-01"
    newer["time_amount"] = entry["time_amount"] + 2
    specs = parse_catalogue({"procedures": [entry, newer]})
    assert len(specs) == 2
    with pytest.raises(CatalogueError, match="duplicate version"):
        parse_catalogue({"procedures": [entry, copy.deepcopy(entry)]})


def test_get_procedure_picks_the_version_in_force() -> None:
    spec = get_procedure("1.001193", on=date(2025, 7, 1))
    assert spec is not None and spec.effective_from <= date(2025, 7, 1)
    assert get_procedure("1.001193", on=date(2000, 1, 1)) is None


def test_specs_are_frozen() -> None:
    spec = load_catalogue()[0]
    with pytest.raises(AttributeError):
        spec.code = "0.000000"  # type: ignore[misc]


def test_every_shipped_e_form_is_a_valid_json_schema() -> None:
    # load_catalogue() skips this check for speed; the suite makes it once, here.
    specs = parse_catalogue(json.loads(shipped_text()), check_schemas=True)
    assert len(specs) == len(load_catalogue()) > 100
