"""Tests of `thanglong users ...` against a database of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from thanglong.cli.common import open_platform
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.testing.plugin import TEST_SECRET, create_database, drop_database
from thanglong.domains.identity import agencies, api, services
from thanglong.domains.identity import cli as identity_cli
from thanglong.domains.identity.api import OPERATOR

runner = CliRunner()


@pytest.fixture
def cli_platforms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Platform]]:
    """Point the CLI at a fresh database; collect the platforms it opens to close them."""
    url = create_database(tmp_path, "cli")
    monkeypatch.setenv("THANGLONG_DATABASE_URL", url)
    monkeypatch.setenv("THANGLONG_ENV", "test")
    monkeypatch.setenv("THANGLONG_SECRET_KEY", TEST_SECRET)
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    opened: list[Platform] = []
    real = open_platform

    def tracked(*, migrate: bool = True) -> Platform:
        platform = real(migrate=migrate)
        opened.append(platform)
        return platform

    monkeypatch.setattr(identity_cli, "open_platform", tracked)
    yield opened
    for platform in opened:
        platform.close()
    drop_database(url)


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(identity_cli.app, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_create_list_and_set_password(cli_platforms: list[Platform]) -> None:
    code, _, _ = run("list", "--json")
    assert code == 0
    platform = cli_platforms[0]
    with platform.uow() as uow:
        agencies.create_agency(uow, actor=SYSTEM_ACTOR, code="000.00.61.H26", name="UBND Phường Hoàn Kiếm")
    code, out, err = run(
        "create",
        "canbo.hk",
        "--role",
        "officer",
        "--role",
        "operator",
        "--password",
        "Mật-khẩu-dài-2025",
        "--email",
        "canbo@example.vn",
        "--phone",
        "0912345678",
        "--full-name",
        "Trần Văn Cán",
        "--agency",
        "000.00.61.H26",
        "--json",
    )
    assert code == 0, err
    created = json.loads(out)
    assert created["roles"] == ["officer", "operator"] and created["full_name"] == "Trần Văn Cán"
    code, out, _ = run("list", "--json")
    assert [u["username"] for u in json.loads(out)] == ["canbo.hk"]
    code, out, _ = run("list", "--role", "citizen", "--json")
    assert json.loads(out) == []
    code, _, err = run("set-password", "CANBO.HK", "--password", "Mật-khẩu-mới-2025")
    assert code == 0, err
    with platform.uow() as uow:
        user = services.authenticate(
            uow,
            username="canbo.hk",
            password="Mật-khẩu-mới-2025",
            ip=None,
            max_failures=5,
            window_seconds=900,
        )
        assert user.agency_id is not None


def test_password_prompt_and_errors(cli_platforms: list[Platform]) -> None:
    code, out, err = run("create", "congdan1", "--role", "citizen", input="Bí-mật-2025-x\nBí-mật-2025-x\n")
    assert code == 0, err
    code, _, err = run("create", "congdan2", "--role", "mayor", "--password", "Bí-mật-2025-x")
    assert code == 2 and "Unknown role: mayor" in err
    code, _, err = run("create", "CongDan1", "--role", "citizen", "--no-password")
    assert code == 1 and "username_taken" in err
    code, _, err = run("create", "congdan3", "--role", "citizen", "--password", "ngan")
    assert code == 1 and "weak_password" in err
    code, _, err = run(
        "create", "congdan4", "--role", "citizen", "--no-password", "--agency", "000.00.99.H26"
    )
    assert code == 2 and "unknown agency" in err
    code, _, err = run("set-password", "khong-co", "--password", "Bí-mật-2025-x")
    assert code == 1
    code, out, _ = run("list", "--json")
    assert [u["username"] for u in json.loads(out)] == ["congdan1"]


def test_api_key_create_and_revoke(cli_platforms: list[Platform]) -> None:
    code, out, err = run("api-key", "create", "--name", "Trạm đo mưa", "--role", "operator", "--json")
    assert code == 0, err
    issued = json.loads(out)
    platform = cli_platforms[-1]
    principal = api.resolve_api_key(platform, issued["key"])
    assert principal is not None and principal.roles == {OPERATOR}
    code, plain, _ = run("api-key", "create", "--name", "Khác", "--role", "citizen")
    assert code == 0 and plain.startswith("tl_")
    code, out, _ = run("api-key", "list", "--json")
    assert len(json.loads(out)) == 2 and all("key" not in k for k in json.loads(out))
    code, out, _ = run("api-key", "revoke", issued["prefix"], "--json")
    assert code == 0 and json.loads(out)["revoked_at"]
    assert api.resolve_api_key(platform, issued["key"]) is None
    code, _, err = run("api-key", "revoke", "zzzzzzzz")
    assert code == 1 and "api_key_not_found" in err
    code, _, err = run("api-key", "create", "--name", "x", "--role", "king")
    assert code == 2


def test_the_cli_refuses_an_undeclared_role_in_one_line(cli_platforms: list[Platform]) -> None:
    for args in (
        ("create", "thu.ky", "--role", "ward_clerk", "--no-password"),
        ("list", "--role", "ward_clerk"),
        ("api-key", "create", "--name", "Trạm", "--role", "ward_clerk"),
    ):
        code, _, err = run(*args)
        assert code == 2, args
        assert (
            err.strip().count("\n") == 0 and "Unknown role: ward_clerk. Known roles: citizen, officer" in err
        )
    code, out, err = run("api-key", "create", "--name", "Trạm đo", "--role", "operator", "--json")
    assert code == 0 and json.loads(out)["role"] == "operator", err
