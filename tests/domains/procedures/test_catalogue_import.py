"""Importing, exporting and editing the catalogue: validation, versions, idempotence, audit."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Conflict, InvalidInput
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.catalogue import changes
from thanglong.domains.procedures.catalogue import services as catalogue
from thanglong.domains.procedures.catalogue.shipped import Fee, parse_catalogue, shipped_text
from thanglong.domains.procedures.dossiers import services as dossiers
from thanglong.domains.procedures.models import ProcedureVersion

from .helpers import VALID_FORM, make_world

ACTOR = "user:admin-test"


@pytest.fixture
def uow(platform: Platform) -> Iterator[UnitOfWork]:
    """An open unit of work (each use case in it commits; the test's transaction still rolls back)."""
    with platform.uow() as opened:
        yield opened


def _raw(*codes: str) -> dict[str, Any]:
    """Return a catalogue document with shipped entries renamed to test codes (9.xxxxxx)."""
    shipped = json.loads(shipped_text())["procedures"]
    entries = []
    for index, code in enumerate(codes):
        entry = copy.deepcopy(shipped[index])
        entry["code"] = code
        entries.append(entry)
    return {"version": 1, "procedures": entries}


def _bytes(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False).encode()


def _import(uow: UnitOfWork, document: dict[str, Any]) -> changes.Plan:
    specs = catalogue.read_catalogue_file(_bytes(document))
    return catalogue.apply_import(uow, specs, actor=ACTOR)


def _today(uow: UnitOfWork) -> date:
    return to_hanoi(uow.clock()).date()


def _versions(uow: UnitOfWork, code: str) -> list[ProcedureVersion]:
    proc = catalogue.get_procedure(uow, code)
    return list(
        uow.session.scalars(
            select(ProcedureVersion)
            .where(ProcedureVersion.procedure_id == proc.id)
            .order_by(ProcedureVersion.effective_from)
        )
    )


def test_import_creates_then_changes_nothing_the_second_time(uow: UnitOfWork) -> None:
    document = _raw("9.100001", "9.100002")
    dry = catalogue.plan_import(uow, catalogue.read_catalogue_file(_bytes(document)))
    assert dry.counts()[changes.PROCEDURE_ADDED] == 2
    assert catalogue.list_procedures(uow, codes=["9.100001"]) == []  # the dry run wrote nothing
    first = _import(uow, document)
    assert first.counts()[changes.PROCEDURE_ADDED] == 2
    assert first.counts()[changes.VERSION_ADDED] == 2
    assert catalogue.get_procedure(uow, "9.100001").name == document["procedures"][0]["name"]
    again = _import(uow, document)
    assert again.empty and again.unchanged == 2
    actions = list(uow.session.scalars(select(AuditRecord.action).where(AuditRecord.object_id == "9.100001")))
    assert actions.count("procedures.catalogue.procedure_added") == 1


def test_a_changed_version_without_dossiers_is_corrected_in_place(uow: UnitOfWork) -> None:
    document = _raw("9.100011")
    _import(uow, document)
    document["procedures"][0]["time_amount"] = 9
    document["procedures"][0]["name"] = "Tên mới của thủ tục"
    plan = _import(uow, document)
    kinds = {c.kind for c in plan.changes}
    assert kinds == {changes.PROCEDURE_CHANGED, changes.VERSION_CORRECTED}
    assert len(_versions(uow, "9.100011")) == 1
    procedure = catalogue.get_procedure(uow, "9.100011")
    assert (procedure.time_amount, procedure.name) == (9, "Tên mới của thủ tục")
    corrected = uow.session.scalar(
        select(AuditRecord).where(
            AuditRecord.object_id == "9.100011",
            AuditRecord.action == "procedures.catalogue.version_corrected",
        )
    )
    assert corrected is not None
    assert corrected.after["time_amount"] == 9


def test_a_version_with_dossiers_is_kept_and_a_new_one_starts_today(platform: Platform) -> None:
    world = make_world(platform, fee=10_000)
    code = world.procedure_code
    with platform.uow() as uow:
        dossier = dossiers.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
        )
        document = catalogue.export_catalogue(uow)
    entry = next(e for e in document["procedures"] if e["code"] == code)
    entry["fees"] = [{"name": "Lệ phí", "amount_vnd": 25_000}]
    mine = {"procedures": [entry]}
    with platform.uow() as uow:
        plan = _import(uow, mine)
        today = _today(uow)
        assert [(c.kind, c.effective_from, c.replaces) for c in plan.changes] == [
            (changes.VERSION_CARRIED, today, date(2020, 1, 1))
        ]
        versions = _versions(uow, code)
        assert [v.effective_from for v in versions] == [date(2020, 1, 1), today]
        assert versions[0].fees == [{"name": "Lệ phí", "amount_vnd": 10_000}]
        # The dossier keeps the rules it was received under; new filings get the new fee.
        assert catalogue.get_version(uow, dossier.procedure_version_id).total_fee_vnd == 10_000
        assert catalogue.get_procedure(uow, code).total_fee_vnd == 25_000
    with platform.uow() as uow:
        assert _import(uow, mine).empty  # idempotent: the carried version already holds these rules
        exported = catalogue.export_catalogue(uow)
        assert catalogue.plan_import(uow, parse_catalogue(exported)).empty


def test_rules_of_a_version_filed_today_need_a_later_date(platform: Platform) -> None:
    world = make_world(platform)
    code = world.procedure_code
    with platform.uow() as uow:
        today = _today(uow)
        entry = next(e for e in catalogue.export_catalogue(uow)["procedures"] if e["code"] == code)
        entry["effective_from"] = today.isoformat()
        _import(uow, {"procedures": [entry]})
        dossiers.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
        )
    entry["time_amount"] = 20
    with platform.uow() as uow, pytest.raises(Conflict) as caught:
        _import(uow, {"procedures": [entry]})
    assert (today + timedelta(days=1)).isoformat() in caught.value.message_en
    with platform.uow() as uow:
        assert catalogue.get_procedure(uow, code).time_amount == 3  # nothing written


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda e: e.update(time_amount=0), r"procedures\[1\] 9\.100022: 'time_amount'"),
        (
            lambda e: e["fees"].append({"name": "x", "amount_vnd": -5}),
            r"procedures\[1\] 9\.100022: 'fees\[1\]",
        ),
        (lambda e: e.update(service_level="muc_4"), r"'service_level': unknown service level"),
        (lambda e: e.update(name="x" * 501), r"'name' is longer than 500"),
        (lambda e: e.update(keywords=[1]), r"'keywords' must be a list"),
        (lambda e: e.update(active="yes"), r"'active' must be true or false"),
        (lambda e: e["documents"].__setitem__(0, "Tờ khai"), r"'documents\[0\]' must be a JSON object"),
        (
            lambda e: e["eform"]["properties"].__setitem__("ho_ten", {"type": "chuoi"}),
            r"9\.100022: 'eform' is not a valid JSON Schema \(at 'properties/ho_ten/type'\)",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry_and_the_field(mutate: Any, expected: str) -> None:
    document = _raw("9.100021", "9.100022")
    mutate(document["procedures"][1])
    with pytest.raises(InvalidInput, match=expected) as caught:
        catalogue.read_catalogue_file(_bytes(document))
    assert caught.value.message_vi.startswith("Tệp danh mục không hợp lệ")


def test_not_json_and_not_a_catalogue_are_refused() -> None:
    with pytest.raises(InvalidInput, match="not JSON"):
        catalogue.read_catalogue_file(b"{procedures: ")
    with pytest.raises(InvalidInput, match="'procedures' must be a non-empty list"):
        catalogue.read_catalogue_file(b"[1, 2]")


def test_unknown_keys_are_ignored_so_newer_files_still_load() -> None:
    document = _raw("9.100031")
    document["procedures"][0]["competence_by_commune"] = {"00070": "UBND phường Hoàn Kiếm"}
    assert catalogue.read_catalogue_file(_bytes(document))[0].code == "9.100031"


def _edit(uow: UnitOfWork, code: str, **overrides: Any) -> changes.Plan:
    procedure = catalogue.get_procedure(uow, code)
    values: dict[str, Any] = {
        "name": procedure.name,
        "competent_agency": procedure.competent_agency,
        "receiving_agency": procedure.receiving_agency,
        "service_level": procedure.service_level,
        "active": True,
        "time_amount": procedure.time_amount,
        "fees": tuple(Fee(f["name"], f["amount_vnd"], f.get("channel")) for f in procedure.fees),
        "effective_from": _today(uow),
    }
    values.update(overrides)
    return catalogue.edit_procedure(uow, code, catalogue.ProcedureEdit(**values), actor=ACTOR)


def test_editing_the_fee_makes_a_version_and_the_name_does_not(uow: UnitOfWork) -> None:
    _import(uow, _raw("9.100041"))
    today = _today(uow)
    renamed = _edit(uow, "9.100041", name="Thủ tục đổi tên")
    assert [c.kind for c in renamed.changes] == [changes.PROCEDURE_CHANGED]
    later = today + timedelta(days=30)
    priced = _edit(uow, "9.100041", fees=(Fee("Lệ phí", 50_000),), effective_from=later)
    assert [(c.kind, c.effective_from) for c in priced.changes] == [(changes.VERSION_ADDED, later)]
    assert catalogue.get_procedure(uow, "9.100041").total_fee_vnd == 0  # not yet in force
    assert catalogue.get_procedure(uow, "9.100041", on=later).total_fee_vnd == 50_000
    audit = uow.session.scalar(
        select(AuditRecord).where(
            AuditRecord.object_id == "9.100041", AuditRecord.action == "procedures.catalogue.version_added"
        )
    )
    assert audit is not None and audit.actor == ACTOR


def test_a_withdrawn_procedure_is_not_listed_and_not_filed(platform: Platform) -> None:
    world = make_world(platform)
    code = world.procedure_code
    with platform.uow() as uow:
        _edit(uow, code, active=False)
        assert catalogue.list_procedures(uow, codes=[code]) == []
        assert [r.active for r in catalogue.list_catalogue(uow, text=code)] == [False]
    with platform.uow() as uow, pytest.raises(Conflict, match="no longer accepts"):
        dossiers.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
        )


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"service_level": "muc_3"}, "service_level"),
        ({"time_amount": 0}, "time_amount"),
        ({"fees": (Fee("", 5),)}, "fees"),
        ({"effective_from": date(2020, 1, 1)}, "effective_from"),
    ],
)
def test_a_bad_edit_is_refused_with_the_field(uow: UnitOfWork, overrides: dict[str, Any], field: str) -> None:
    _import(uow, _raw("9.100051"))
    with pytest.raises(InvalidInput) as caught:
        _edit(uow, "9.100051", **overrides)
    assert caught.value.details["field"] == field


def test_an_upload_is_previewed_then_applied_once(uow: UnitOfWork) -> None:
    document = _raw("9.100061")
    upload, plan = catalogue.stage_upload(uow, filename="dm.json", content=_bytes(document), actor=ACTOR)
    assert plan.counts()[changes.PROCEDURE_ADDED] == 1
    assert catalogue.list_procedures(uow, codes=["9.100061"]) == []
    _, again = catalogue.preview_upload(uow, upload.id)
    assert again.changes == plan.changes
    applied = catalogue.apply_upload(uow, upload.id, actor=ACTOR)
    assert applied.counts()[changes.PROCEDURE_ADDED] == 1
    assert catalogue.get_procedure(uow, "9.100061").code == "9.100061"
    with pytest.raises(Conflict):
        catalogue.apply_upload(uow, upload.id, actor=ACTOR)


def test_the_shipped_catalogue_imports_over_a_demo_load_with_no_change(uow: UnitOfWork) -> None:
    specs = catalogue.read_catalogue_file(shipped_text().encode())
    catalogue.load_specs(uow, specs, actor=SYSTEM_ACTOR)
    plan = catalogue.plan_import(uow, specs)
    assert plan.empty, [c.describe() for c in plan.changes][:3]
