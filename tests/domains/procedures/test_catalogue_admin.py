"""The administrators' catalogue pages: who may use them, editing one procedure, upload, preview, apply."""

from __future__ import annotations

import copy
import json
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import csrf_value, make_user, sign_in
from tests.domains.procedures.helpers import make_world
from thanglong.core.clock import to_hanoi
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import ADMINISTRATOR, OFFICER
from thanglong.domains.procedures.catalogue import services as catalogue
from thanglong.domains.procedures.catalogue.shipped import shipped_text


def _admin(client: TestClient, platform: Platform) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))


def _form(client: TestClient, **fields: object) -> dict[str, object]:
    return {"csrf_token": csrf_value(client), **fields}


def test_only_catalogue_writers_see_the_pages(client: TestClient, platform: Platform) -> None:
    anonymous = client.get("/admin/procedures", follow_redirects=False)
    assert anonymous.status_code in (302, 303, 307, 401)
    sign_in(client, platform, make_user(platform, OFFICER))
    assert client.get("/admin/procedures").status_code == 403
    assert client.get("/admin/procedures/export").status_code == 403
    client.cookies.clear()
    world = make_world(platform)
    _admin(client, platform)
    page = client.get("/admin/procedures", params={"q": world.procedure_code})
    assert page.status_code == 200
    assert f'data-code="{world.procedure_code}"' in page.text
    assert "Quản trị danh mục thủ tục" in page.text
    assert 'href="/admin/procedures"' in client.get("/").text  # in the administrator's menu
    english = client.get("/lang/en?next=/admin/procedures")
    assert "Catalogue administration" in english.text


def test_editing_fee_and_time_makes_an_audited_version(client: TestClient, platform: Platform) -> None:
    world = make_world(platform, fee=10_000)
    code = world.procedure_code
    _admin(client, platform)
    form = client.get(f"/admin/procedures/{code}")
    assert form.status_code == 200 and 'name="fee_amount"' in form.text
    with platform.uow() as uow:
        later = to_hanoi(uow.clock()).date() + timedelta(days=10)
    fields = {
        "name": "Đăng ký khai sinh (sửa)",
        "competent_agency": "UBND phường",
        "receiving_agency": "Bộ phận Một cửa phường",
        "service_level": "mot_phan",
        "active": "1",
        "time_amount": "5",
        "fee_name": ["Lệ phí", "Bản sao", ""],
        "fee_amount": ["15.000", "8000", ""],
        "fee_channel": ["", "counter", ""],
        "fee_group": ["", "", ""],
        "fee_optional": ["0", "0", "0"],
        "effective_from": later.isoformat(),
    }
    saved = client.post(f"/admin/procedures/{code}", data=_form(client, **fields))
    assert saved.status_code == 200, saved.text
    assert 'id="saved"' in saved.text and 'data-kind="version_added"' in saved.text
    with platform.uow() as uow:
        now = catalogue.get_procedure(uow, code)
        assert (now.name, now.service_level, now.time_amount, now.total_fee_vnd) == (
            "Đăng ký khai sinh (sửa)",
            "mot_phan",
            3,
            10_000,
        )
        then = catalogue.get_procedure(uow, code, on=later)
        assert then.time_amount == 5
        assert then.fees == [
            {"name": "Lệ phí", "amount_vnd": 15_000},
            {"name": "Bản sao", "amount_vnd": 8000, "channel": "counter"},
        ]
        actions = set(uow.session.scalars(select(AuditRecord.action).where(AuditRecord.object_id == code)))
    assert {"procedures.catalogue.procedure_changed", "procedures.catalogue.version_added"} <= actions


def test_a_bad_edit_shows_the_message_and_keeps_the_input(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _admin(client, platform)
    fields = {
        "name": "Tên giữ lại",
        "competent_agency": "UBND",
        "receiving_agency": "UBND",
        "service_level": "toan_trinh",
        "active": "1",
        "time_amount": "ba",
        "fee_name": [],
        "effective_from": "",
    }
    refused = client.post(f"/admin/procedures/{world.procedure_code}", data=_form(client, **fields))
    assert refused.status_code == 422
    assert 'data-field="time_amount"' in refused.text
    assert "Thời hạn phải là số nguyên không âm." in refused.text
    assert 'value="Tên giữ lại"' in refused.text


def test_upload_shows_the_changes_then_applies_them(client: TestClient, platform: Platform) -> None:
    _admin(client, platform)
    document = json.loads(shipped_text())
    entry = copy.deepcopy(document["procedures"][0])
    entry["code"] = "9.300001"
    content = json.dumps({"procedures": [entry]}, ensure_ascii=False).encode()
    uploaded = client.post(
        "/admin/procedures/import/upload",
        data=_form(client),
        files={"file": ("danh-muc.json", content, "application/json")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    preview = client.get(uploaded.headers["location"])
    assert 'data-kind="procedure_added"' in preview.text and 'id="apply-form"' in preview.text
    with platform.uow() as uow:
        assert catalogue.list_procedures(uow, codes=["9.300001"]) == []
    applied = client.post(f"{uploaded.headers['location']}/apply", data=_form(client))
    assert applied.status_code == 200 and 'id="import-applied"' in applied.text
    assert 'id="apply-form"' not in applied.text
    with platform.uow() as uow:
        assert [p.code for p in catalogue.list_procedures(uow, codes=["9.300001"])] == ["9.300001"]
    again = client.post(f"{uploaded.headers['location']}/apply", data=_form(client))
    assert again.status_code == 409


def test_a_bad_upload_names_the_entry_and_field(client: TestClient, platform: Platform) -> None:
    _admin(client, platform)
    entry = copy.deepcopy(json.loads(shipped_text())["procedures"][0])
    entry["time_unit"] = "weeks"
    refused = client.post(
        "/admin/procedures/import/upload",
        data=_form(client),
        files={"file": ("x.json", json.dumps({"procedures": [entry]}).encode(), "application/json")},
    )
    assert refused.status_code == 422
    assert "procedures[0] 1.001193: &#39;time_unit&#39;: unknown time unit" in refused.text
    assert "Tệp danh mục không hợp lệ" in refused.text


def test_export_downloads_the_import_format(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _admin(client, platform)
    exported = client.get("/admin/procedures/export")
    assert exported.status_code == 200
    assert "attachment" in exported.headers["content-disposition"]
    specs = catalogue.read_catalogue_file(exported.content)
    assert world.procedure_code in {s.code for s in specs}
