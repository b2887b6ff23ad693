"""Identity declares its roles; assigning a role no enabled domain declares is refused everywhere."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from tests.domains.identity.helpers import csrf, csrf_value, make_user, sign_in
from thanglong.core.domain_settings import InvalidSetting
from thanglong.core.errors import Conflict
from thanglong.core.platform import Platform, build_platform
from thanglong.core.security import SYSTEM_ACTOR, UnknownRole, permissions_for
from thanglong.core.testing.plugin import make_settings
from thanglong.domains.identity import credentials, services
from thanglong.domains.identity.api import ADMINISTRATOR, CITIZEN, OFFICER, OPERATOR
from thanglong.domains.identity.models import UserRole
from thanglong.domains.identity.roles import ROLES
from thanglong.web.context import LANG_COOKIE


def assert_unknown_role(response: object, role: str) -> None:
    """Check a 422 answer naming the role in Vietnamese and in English."""
    body = response.json()  # type: ignore[attr-defined]
    assert response.status_code == 422, body  # type: ignore[attr-defined]
    assert body["code"] == "unknown_role" and body["details"]["role"] == role
    assert body["message"].startswith(f"Vai trò không tồn tại: {role}.")
    assert body["message_en"].startswith(f"Unknown role: {role}.")


def test_identity_declares_the_six_standing_roles_with_their_stored_values(platform: Platform) -> None:
    assert [r.name for r in ROLES] == [
        "citizen",
        "officer",
        "agency_head",
        "operator",
        "security_analyst",
        "administrator",
    ]
    assert {platform.roles.owners[r.name] for r in ROLES} == {"identity"}
    assert platform.roles.label(OPERATOR, "vi") == "Điều hành viên"
    assert platform.roles.label(OPERATOR, "en") == "Operator"
    # The kernel's permissions reach identity's roles through the roles' own grants.
    assert platform.permissions["core.jobs.manage"].roles == {ADMINISTRATOR}
    assert platform.permissions["core.stats.read"].roles == {ADMINISTRATOR, OPERATOR}


def test_the_rest_api_refuses_an_undeclared_role_in_both_languages(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    headers = csrf(client)
    target = make_user(platform, CITIZEN)
    # ward_clerk is the example domain's role: not enabled here.
    refused = client.put(f"/api/v1/identity/users/{target.id}/roles", json=["ward_clerk"], headers=headers)
    assert_unknown_role(refused, "ward_clerk")
    with platform.uow() as uow:
        assert services.get_user(uow, target.id).roles == (CITIZEN,)  # type: ignore[union-attr]
    created = client.post(
        "/api/v1/identity/users",
        json={"username": "vai-tro-la", "roles": ["citizen", "mayor"]},
        headers=headers,
    )
    assert_unknown_role(created, "mayor")
    key = client.post("/api/v1/identity/api-keys", json={"name": "Trạm", "role": "mayor"}, headers=headers)
    assert_unknown_role(key, "mayor")
    assert_unknown_role(client.get("/api/v1/identity/users?role=mayor"), "mayor")
    accepted = client.put(
        f"/api/v1/identity/users/{target.id}/roles", json=["officer", "operator", "officer"], headers=headers
    )
    assert accepted.status_code == 200 and accepted.json()["roles"] == ["officer", "operator"]


def test_the_admin_page_labels_roles_in_the_pages_language_and_refuses_unknown_ones(
    client: TestClient, platform: Platform
) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    vi = client.get("/admin/users").text
    assert re.search(r'value="agency_head"\s*>\s*Thủ trưởng cơ quan</label>', vi)
    assert 'title="Lãnh đạo cơ quan: ký kết quả' in vi
    client.cookies.set(LANG_COOKIE, "en")
    en = client.get("/admin/users").text
    assert re.search(r'value="agency_head"\s*>\s*Agency head</label>', en)
    refused = client.post(
        "/admin/users",
        data={"csrf_token": csrf_value(client), "username": "thu.ky", "role": ["ward_clerk"]},
    )
    assert refused.status_code == 422 and 'data-code="unknown_role"' in refused.text
    assert "Unknown role: ward_clerk." in refused.text


def test_a_stored_role_no_enabled_domain_declares_is_kept_but_grants_nothing(
    client: TestClient, platform: Platform
) -> None:
    user = make_user(platform, OFFICER)
    # As if the example domain had been enabled when the role was given, and is off now.
    with platform.uow() as uow:
        uow.session.add(UserRole(user_id=user.id, role="ward_clerk"))
        uow.commit()
    with platform.uow() as uow:
        assert services.get_user(uow, user.id).roles == (OFFICER, "ward_clerk")  # type: ignore[union-attr]
        row = services.get_user_row(uow.session, user.id)
        principal = credentials.principal_for_user(uow.session, row, platform.permissions)
    assert principal.roles == {OFFICER, "ward_clerk"}
    assert principal.permissions == permissions_for(frozenset({OFFICER}), platform.permissions)
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    page = client.get("/admin/users").text
    assert re.search(r'value="ward_clerk"\s+checked>\s*ward_clerk</label>', page)
    # Saving the row with the role still ticked keeps it; a new undeclared one is still refused.
    with platform.uow() as uow:
        kept = services.set_roles(uow, actor="test", user_id=user.id, roles=["ward_clerk", OPERATOR])
    assert kept.roles == (OPERATOR, "ward_clerk")
    with platform.uow() as uow, pytest.raises(UnknownRole):
        services.set_roles(uow, actor="test", user_id=user.id, roles=["duty_head"])


def test_a_single_sign_on_default_role_nobody_declares_stops_start_up(
    tmp_path: Path, tl_database_url: str
) -> None:
    settings = make_settings(tmp_path, tl_database_url, oidc_default_role="resident")
    with pytest.raises(InvalidSetting, match="THANGLONG_OIDC_DEFAULT_ROLE") as err:
        build_platform(settings)
    assert "'resident'" in err.value.message_vi and "'resident'" in err.value.message_en


def test_the_last_administrator_keeps_the_role_and_the_account(
    client: TestClient, platform: Platform
) -> None:
    admin = make_user(platform, ADMINISTRATOR)
    with platform.uow() as uow:
        listed = services.list_users(uow, role=ADMINISTRATOR, limit=1000)
    others = [u for u in listed if u.id != admin.id and u.is_active]
    for other in others:  # leave exactly one active administrator
        with platform.uow() as uow:
            services.deactivate(uow, actor=SYSTEM_ACTOR, user_id=other.id)
    sign_in(client, platform, admin)
    headers = csrf(client)
    stripped = client.put(f"/api/v1/identity/users/{admin.id}/roles", json=[], headers=headers)
    assert stripped.status_code == 409, stripped.text
    assert stripped.json()["code"] == "last_administrator"
    assert stripped.json()["message"] and stripped.json()["message_en"]
    with platform.uow() as uow:
        assert ADMINISTRATOR in services.roles_of(uow.session, admin.id)
        with pytest.raises(Conflict):
            services.deactivate(uow, actor=SYSTEM_ACTOR, user_id=admin.id)
    # With a second administrator, the first may step down.
    second = make_user(platform, ADMINISTRATOR)
    assert client.put(
        f"/api/v1/identity/users/{admin.id}/roles", json=["officer"], headers=headers
    ).status_code in (
        200,
        403,  # the caller just gave up the right to edit roles; the change itself was made
    )
    with platform.uow() as uow:
        assert ADMINISTRATOR not in services.roles_of(uow.session, admin.id)
        with pytest.raises(Conflict):
            services.set_roles(uow, actor=SYSTEM_ACTOR, user_id=second.id, roles=["officer"])


@pytest.mark.parametrize("params", [{"offset": 10**19}, {"offset": -1}, {"limit": 0}, {"limit": 10**6}])
def test_paging_out_of_range_is_a_clear_error(
    client: TestClient, platform: Platform, params: dict[str, int]
) -> None:
    sign_in(client, platform, make_user(platform, ADMINISTRATOR))
    answer = client.get("/api/v1/identity/users", params=params)
    assert answer.status_code == 422, answer.text
    assert answer.json()["code"] == "invalid_input" and answer.json()["message_en"]
    assert client.get("/api/v1/identity/users", params={"offset": 0, "limit": 5}).status_code == 200
