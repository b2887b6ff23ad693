"""Roles come from the enabled manifests; start-up refuses roles and grants that do not fit together."""

from __future__ import annotations

from pathlib import Path

import pytest

from thanglong.core.kernel import KERNEL
from thanglong.core.manifest import DomainManifest
from thanglong.core.platform import EXIT_BAD_CONFIGURATION, build_platform, build_platform_or_exit
from thanglong.core.roles import AccessDeclarationError, collect_permissions, collect_roles
from thanglong.core.security import Permission, RoleDef, UnknownRole, permissions_for
from thanglong.core.testing.plugin import make_settings

CLASH = "tests.core.role_domains.clash"
STRAY = "tests.core.role_domains.stray"


def manifest(name: str, **fields: object) -> DomainManifest:
    """A bare manifest with the given roles and permissions."""
    return DomainManifest(name=name, title_vi=name, title_en=name, **fields)  # type: ignore[arg-type]


TRAFFIC = manifest(
    "traffic",
    roles=(
        RoleDef("traffic_operator", "Điều hành giao thông", "Traffic operator", grants=("core.stats.read",)),
        RoleDef("duty_head", "Trực ban trưởng", "Duty head", "Trưởng ca trực.", "Head of the shift."),
    ),
    permissions=(
        Permission("traffic.plans.write", "Sửa phương án", "Edit signal plans", frozenset({"duty_head"})),
        Permission("traffic.inbox", "Hộp thư", "Inbox", every_role=True),
    ),
)


def test_the_kernel_declares_no_role_and_grants_nothing_itself() -> None:
    assert KERNEL.roles == ()
    assert all(not p.roles and not p.every_role for p in KERNEL.permissions)


def test_a_domain_declares_its_roles_and_grants_kernel_permissions_to_them() -> None:
    registry = collect_roles([KERNEL, TRAFFIC])
    assert registry.names() == ["traffic_operator", "duty_head"]
    assert registry.owners["duty_head"] == "traffic"
    assert (registry.label("duty_head", "vi"), registry.label("duty_head", "en")) == (
        "Trực ban trưởng",
        "Duty head",
    )
    assert registry.description("duty_head", "en") == "Head of the shift."
    # A name nobody declares is shown as it is stored.
    assert registry.label("ward_clerk", "vi") == "ward_clerk"
    catalogue = collect_permissions([KERNEL, TRAFFIC], registry)
    assert catalogue["core.stats.read"].roles == {"traffic_operator"}
    assert catalogue["core.jobs.manage"].roles == frozenset()
    assert catalogue["traffic.inbox"].roles == {"traffic_operator", "duty_head"}
    assert permissions_for(frozenset({"duty_head"}), catalogue) == {"traffic.plans.write", "traffic.inbox"}


def test_every_role_covers_the_roles_of_every_enabled_domain() -> None:
    other = manifest("terminals", roles=(RoleDef("terminal_keeper", "Người giữ trạm", "Terminal keeper"),))
    registry = collect_roles([KERNEL, TRAFFIC, other])
    catalogue = collect_permissions([KERNEL, TRAFFIC, other], registry)
    assert catalogue["traffic.inbox"].roles == {"traffic_operator", "duty_head", "terminal_keeper"}


def test_the_registry_checks_names_and_keeps_their_order_once_each() -> None:
    registry = collect_roles([TRAFFIC])
    assert registry.check(["duty_head", "traffic_operator", "duty_head"]) == ("duty_head", "traffic_operator")
    with pytest.raises(UnknownRole) as err:
        registry.check(["duty_head", "mayor"])
    assert err.value.status == 422 and err.value.code == "unknown_role"
    assert err.value.message_vi == "Vai trò không tồn tại: mayor. Các vai trò: traffic_operator, duty_head."
    assert err.value.message_en == "Unknown role: mayor. Known roles: traffic_operator, duty_head."
    assert registry.check(["mayor"], also=["mayor"]) == ("mayor",)


def test_a_role_declared_twice_names_both_domains() -> None:
    twin = manifest("terminals", roles=(RoleDef("duty_head", "Trưởng ca", "Shift head"),))
    with pytest.raises(AccessDeclarationError) as err:
        collect_roles([KERNEL, TRAFFIC, twin])
    assert err.value.code == "role.declared_twice"
    assert err.value.message_en == "role 'duty_head' is declared twice: by 'traffic' and by 'terminals'"
    assert "'traffic'" in err.value.message_vi and "'terminals'" in err.value.message_vi


@pytest.mark.parametrize("name", ["Officer", "x", "duty-head", "1st", "a" * 33])
def test_a_malformed_role_name_is_refused(name: str) -> None:
    with pytest.raises(AccessDeclarationError, match="invalid name"):
        collect_roles([manifest("bad", roles=(RoleDef(name, "Sai", "Bad"),))])


def test_a_permission_for_an_undeclared_role_names_the_permission_and_the_role() -> None:
    # Without the traffic domain enabled, nobody declares duty_head.
    lonely = manifest("signals", permissions=TRAFFIC.permissions[:1])
    with pytest.raises(AccessDeclarationError) as err:
        collect_permissions([KERNEL, lonely], collect_roles([KERNEL, lonely]))
    assert err.value.code == "permission.undeclared_role"
    assert err.value.message_en == (
        "permission 'traffic.plans.write' (domain 'signals') is granted to the role 'duty_head', "
        "which no enabled domain declares"
    )


def test_a_role_granted_an_undeclared_permission_is_refused() -> None:
    greedy = manifest(
        "greedy", roles=(RoleDef("watcher", "Theo dõi", "Watcher", grants=("traffic.plans.write",)),)
    )
    with pytest.raises(AccessDeclarationError) as err:
        collect_permissions([KERNEL, greedy], collect_roles([KERNEL, greedy]))
    assert err.value.code == "role.undeclared_permission"
    assert "'watcher'" in err.value.message_en and "'traffic.plans.write'" in err.value.message_en


def test_a_permission_declared_twice_names_both_domains() -> None:
    twice = manifest("again", permissions=(Permission("core.stats.read", "Lại", "Again"),))
    with pytest.raises(AccessDeclarationError, match="declared twice: by 'core' and by 'again'"):
        collect_permissions([KERNEL, twice], collect_roles([KERNEL, twice]))


def test_start_up_stops_on_a_duplicate_role_in_one_line(
    tmp_path: Path, tl_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, tl_database_url, domains=["identity", CLASH])
    with pytest.raises(
        AccessDeclarationError, match="role 'officer' is declared twice: by 'identity' and by 'clash'"
    ):
        build_platform(settings)
    with pytest.raises(SystemExit) as exit_:
        build_platform_or_exit(settings)
    assert exit_.value.code == EXIT_BAD_CONFIGURATION
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "'identity'" in err and "'clash'" in err


def test_start_up_stops_on_a_permission_for_a_role_no_enabled_domain_declares(
    tmp_path: Path, tl_database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = make_settings(tmp_path, tl_database_url, domains=["identity", STRAY])
    with pytest.raises(SystemExit) as exit_:
        build_platform_or_exit(settings)
    assert exit_.value.code == EXIT_BAD_CONFIGURATION
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "permission 'stray.plans.write' (domain 'stray') is granted to the role 'duty_head'" in err


def test_a_kernel_only_platform_has_no_role(tmp_path: Path, tl_database_url: str) -> None:
    platform = build_platform(make_settings(tmp_path, tl_database_url, domains=[]))
    try:
        assert platform.roles.names() == []
        assert platform.permissions["core.jobs.manage"].roles == frozenset()
    finally:
        platform.close()
