"""The procedures HTML pages through the real app: roles, search, filing, officer actions, tracking."""

from __future__ import annotations

import re
import uuid

from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf_value, sign_in
from tests.domains.procedures.helpers import VALID_FORM, World, _user, make_world
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import ADMINISTRATOR, OFFICER
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import load_catalogue
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.payments import request_payment
from thanglong.web.context import CSRF_COOKIE


def _login(client: TestClient, platform: Platform, who: Principal) -> None:
    client.cookies.clear()
    with platform.uow() as uow:
        user = identity_services.get_user(uow, who.id)  # type: ignore[arg-type]
    assert user is not None
    sign_in(client, platform, user)


def _token(client: TestClient) -> str:
    """Return the CSRF token a page would carry for the client's session (see web.context)."""
    assert client.cookies.get(CSRF_COOKIE)
    return csrf_value(client)


def _file(platform: Platform, world: World) -> services.DossierDTO:
    with platform.uow() as uow:
        return services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data=VALID_FORM,
        )


def _count(platform: Platform, world: World) -> int:
    with platform.uow() as uow:
        assert world.citizen.id is not None
        return len(services.list_for_applicant(uow, world.citizen.id))


def test_catalogue_search_and_detail_are_public(client: TestClient, platform: Platform) -> None:
    with platform.uow() as uow:
        load_specs(uow, load_catalogue(), actor=SYSTEM_ACTOR)
    page = client.get("/procedures", params={"q": "lam giay khai sinh"})
    assert page.status_code == 200
    codes = re.findall(r'<tr data-code="([0-9.]+)" data-score', page.text)
    assert codes, page.text[:500]
    assert "khai sinh" in page.text.lower()
    assert "1.001193" in codes[:3]
    everything = client.get("/procedures")
    total = int(re.findall(r'id="result-count">[^<]*?(\d+)</p>', everything.text)[0])
    assert total >= 100 and 0 < everything.text.count('<tr data-code="') < total
    communes = client.get("/procedures", params={"level": "xa"})
    assert 0 < int(re.findall(r'id="result-count">[^<]*?(\d+)</p>', communes.text)[0]) < total

    detail = client.get("/procedures/1.001193")
    assert detail.status_code == 200
    assert "Thủ tục đăng ký khai sinh" in detail.text and 'id="apply-hint"' in detail.text
    assert 'id="apply-link"' not in detail.text
    assert client.get("/procedures/0.000000").status_code == 404


def test_fee_is_formatted_and_citizen_sees_the_button(client: TestClient, platform: Platform) -> None:
    world = make_world(platform, fee=50000)
    _login(client, platform, world.citizen)
    detail = client.get(f"/procedures/{world.procedure_code}")
    assert "50.000 đ" in detail.text and 'id="apply-link"' in detail.text
    assert "Toàn trình" in detail.text and "3 ngày làm việc" in detail.text


def test_pages_refuse_the_wrong_roles(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    dossier = _file(platform, world)
    anonymous = client.get(f"/procedures/{world.procedure_code}/apply", follow_redirects=False)
    assert anonymous.status_code in (401, 303)
    assert client.get("/officer/queue", follow_redirects=False).status_code in (401, 303)
    _login(client, platform, world.officer)
    assert client.get(f"/procedures/{world.procedure_code}/apply").status_code == 403
    assert client.get("/my/dossiers").status_code == 403
    _login(client, platform, world.citizen)
    assert client.get("/officer/queue").status_code == 403
    assert client.get(f"/officer/dossiers/{dossier.id}").status_code == 403
    _login(client, platform, world.outsider)
    assert client.get(f"/officer/dossiers/{dossier.id}").status_code == 404


def test_apply_shows_field_errors_then_files(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _login(client, platform, world.citizen)
    form = client.get(f"/procedures/{world.procedure_code}/apply")
    assert form.status_code == 200
    assert 'name="f.ho_ten"' in form.text and 'name="csrf_token"' in form.text
    # Dates are typed in the Vietnamese order whatever the browser's language (no native date control).
    assert 'type="date"' not in form.text and 'placeholder="ngày/tháng/năm, ví dụ 02/09/2025"' in form.text
    base = {"csrf_token": _token(client), "receiving_agency_id": str(world.agency_id), "delivery": "online"}
    bad = client.post(
        f"/procedures/{world.procedure_code}/apply", data={**base, "f.ho_ten": "Nguyễn Thị Hoa"}
    )
    assert bad.status_code == 422
    assert (
        "Trường &#39;Ngày sinh&#39; là bắt buộc" in bad.text or "Trường 'Ngày sinh' là bắt buộc" in bad.text
    )
    assert 'value="Nguyễn Thị Hoa"' in bad.text
    assert _count(platform, world) == 0

    good = client.post(
        f"/procedures/{world.procedure_code}/apply",
        data={**base, "f.ho_ten": VALID_FORM["ho_ten"], "f.ngay_sinh": VALID_FORM["ngay_sinh"]},
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text
    assert _count(platform, world) == 1
    page = client.get(good.headers["location"])
    assert page.status_code == 200 and "Mới đăng ký" in page.text and 'id="control-slip"' in page.text
    listing = client.get("/my/dossiers")
    assert "Mới đăng ký" in listing.text and "Đăng ký khai sinh (thử)" in listing.text


def test_officer_receives_and_public_tracking_hides_personal_data(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    dossier = _file(platform, world)
    _login(client, platform, world.officer)
    queue = client.get("/officer/queue")
    assert queue.status_code == 200 and str(dossier.id) in queue.text and "Mới đăng ký" in queue.text
    page = client.get(f"/officer/dossiers/{dossier.id}")
    assert page.status_code == 200
    actions = set(re.findall(r'data-action="([a-z_]+)"', page.text))
    assert {"receive", "reject", "request_supplement"} <= actions and "approve" not in actions
    received = client.post(
        f"/officer/dossiers/{dossier.id}/actions/receive",
        data={"csrf_token": _token(client), "version": str(dossier.version_id)},
    )
    assert received.status_code == 200
    with platform.uow() as uow:
        code = services.get_dossier(uow, dossier.id).code
    assert code and code in received.text and "Được tiếp nhận" in received.text
    # The officer is told what the action did, once.
    assert "Đã thực hiện «Tiếp nhận». Trạng thái hồ sơ: Được tiếp nhận." in received.text
    assert "Đã thực hiện" not in client.get(f"/officer/dossiers/{dossier.id}").text
    assert 'data-action="assign"' in received.text

    stale = client.post(
        f"/officer/dossiers/{dossier.id}/actions/assign",
        data={
            "csrf_token": _token(client),
            "version": str(dossier.version_id),
            "officer_id": str(world.officer.id),
        },
    )
    assert stale.status_code == 409 and "Hồ sơ đã được người khác cập nhật" in stale.text

    client.cookies.clear()
    tracked = client.get(f"/track/{code}", params={"secret": dossier.tracking_secret})
    assert tracked.status_code == 200 and "Được tiếp nhận" in tracked.text
    assert VALID_FORM["ho_ten"] not in tracked.text and "Người Thử" not in tracked.text
    assert client.get("/track", params={"code": code}, follow_redirects=False).status_code == 303
    assert client.get(f"/track/{code}").status_code == 404
    assert client.get("/track").status_code == 200
    missing = client.get(f"/track/{world.agency_code}-260302-9999")
    assert missing.status_code == 404 and "Không tìm thấy hồ sơ" in missing.text
    assert client.get(f"/track/{uuid.uuid4()}").status_code == 404


def test_supplement_request_shows_a_form_the_citizen_sends_back(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    dossier = _file(platform, world)
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=dossier.id, action="receive")
    _login(client, platform, world.officer)
    asked = client.post(
        f"/officer/dossiers/{dossier.id}/actions/request_supplement",
        data={"csrf_token": _token(client), "version": "", "note": "Thiếu ngày sinh đúng"},
    )
    assert asked.status_code == 200 and "Yêu cầu bổ sung giấy tờ" in asked.text
    _login(client, platform, world.citizen)
    page = client.get(f"/my/dossiers/{dossier.id}")
    assert 'id="supplement-form"' in page.text and f'value="{VALID_FORM["ho_ten"]}"' in page.text
    version = re.search(r'name="version" value="(\d+)"', page.text)
    assert version
    bad = client.post(
        f"/my/dossiers/{dossier.id}/supplement",
        data={"csrf_token": _token(client), "version": version.group(1), "f.ho_ten": "Hoa"},
    )
    assert bad.status_code == 422 and "Ngày sinh" in bad.text
    done = client.post(
        f"/my/dossiers/{dossier.id}/supplement",
        data={
            "csrf_token": _token(client),
            "version": version.group(1),
            "f.ho_ten": "Nguyễn Thị Hoa",
            "f.ngay_sinh": "2025-09-03",
        },
    )
    assert done.status_code == 200 and "Đang xử lý" in done.text and 'id="supplement-form"' not in done.text
    with platform.uow() as uow:
        assert services.get_dossier(uow, dossier.id).form_data["ngay_sinh"] == "2025-09-03"


def test_missing_agency_reports_the_form_errors_too(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    _login(client, platform, world.citizen)
    page = client.post(f"/procedures/{world.procedure_code}/apply", data={"csrf_token": _token(client)})
    assert page.status_code == 422
    assert "Hãy chọn cơ quan tiếp nhận hồ sơ." in page.text and "Họ và tên" in page.text
    assert page.text.count('class="ef-error"') == 3
    assert _count(platform, world) == 0


def test_payment_request_links_the_citizen_to_the_payment(client: TestClient, platform: Platform) -> None:
    world = make_world(platform, fee=8000)
    dossier = _file(platform, world)
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=dossier.id, action="receive")
    _login(client, platform, world.citizen)
    before = client.get(f"/my/dossiers/{dossier.id}")
    assert before.status_code == 200 and 'id="pay-link"' not in before.text
    with platform.uow() as uow:
        _waiting, payment = request_payment(uow, principal=world.officer, ref=dossier.id)
    page = client.get(f"/my/dossiers/{dossier.id}")
    assert f'href="/payments/{payment.id}"' in page.text
    assert client.get(f"/payments/{payment.id}").status_code == 200


def test_an_officer_without_an_agency_sees_no_queue_not_everybodys(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    dossier = _file(platform, world)
    stray = _user(platform, OFFICER, None)
    _login(client, platform, stray)
    queue = client.get("/officer/queue")
    assert queue.status_code == 200
    assert str(dossier.id) not in queue.text and 'id="queue-no-agency"' in queue.text
    # An administrator outside any agency sees every agency's queue, and is told so.
    _login(client, platform, _user(platform, ADMINISTRATOR, None))
    admin_queue = client.get("/officer/queue")
    assert str(dossier.id) in admin_queue.text and 'id="queue-all-agencies"' in admin_queue.text
    # The agency's own officer still sees it.
    _login(client, platform, world.officer)
    assert str(dossier.id) in client.get("/officer/queue").text


def test_hidden_characters_in_the_form_are_shown_to_the_officer(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=world.agency_id,
            form_data={**VALID_FORM, "ho_ten": "Nguyễn\u202eAn\u200b"},
        )
    _login(client, platform, world.officer)
    page = client.get(f"/officer/dossiers/{dossier.id}").text
    assert "\u202e" not in page and "\u200b" not in page
    assert "⟨U+202E⟩</mark>" in page and 'title="RIGHT-TO-LEFT OVERRIDE"' in page
    assert "⟨U+200B⟩</mark>" in page and "Nguyễn" in page
