"""`thanglong notify`: send, deliver, status and templates, with --json and one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from tests.domains.notify.conftest import SmtpServer
from thanglong.cli.main import build_cli
from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.platform import build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import CITIZEN

runner = CliRunner()
VARS = ["--var", "title=Cắt điện", "--var", "content=Phường Tây Hồ, 8h–11h thứ Hai."]


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    url = create_database(tmp_path, "notifycli")
    yield url
    drop_database(url)


@pytest.fixture
def cli(
    tmp_path: Path, database_url: str, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> typer.Typer:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", database_url)
    monkeypatch.setenv("THANGLONG_SMTP_HOST", smtp_server.host)
    monkeypatch.setenv("THANGLONG_SMTP_PORT", str(smtp_server.port))
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli()


def test_send_status_deliver_round_trip(cli: typer.Typer, smtp_server: SmtpServer) -> None:
    sent = runner.invoke(
        cli, ["notify", "send", "--template", "announcement", "--to-email", "dan@example.vn", *VARS, "--json"]
    )
    assert sent.exit_code == 0, sent.output
    [message_id] = json.loads(sent.stdout)["message_ids"]
    status = runner.invoke(cli, ["notify", "status", "--json"])
    assert json.loads(status.stdout)["counts"] == [{"status": "queued", "channel": "email", "count": 1}]
    delivered = runner.invoke(cli, ["notify", "deliver", "--json"])
    assert delivered.exit_code == 0, delivered.output
    assert json.loads(delivered.stdout) == {"claimed": 1, "sent": 1, "failed": 0, "dead": 0}
    assert smtp_server.inbox.received.wait(5)
    _, received = smtp_server.inbox.messages[0]
    assert str(received["Subject"]) == "[Thông báo] Cắt điện"
    assert message_id in str(received["Message-ID"])
    status = runner.invoke(cli, ["notify", "status", "--json"])
    assert json.loads(status.stdout)["counts"] == [{"status": "sent", "channel": "email", "count": 1}]


def test_deliver_shows_a_progress_bar_and_a_summary(cli: typer.Typer) -> None:
    runner.invoke(cli, ["notify", "send", "--template", "announcement", "--to-email", "a@example.vn", *VARS])
    result = runner.invoke(cli, ["notify", "deliver"])
    assert result.exit_code == 0, result.output
    assert "1/1" in result.stdout
    assert "sent=1" in result.stdout


def test_templates_lists_the_packaged_defaults(cli: typer.Typer) -> None:
    result = runner.invoke(cli, ["notify", "templates", "--json"])
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)["templates"]
    keys = {(r["key"], r["channel"], r["language"]) for r in rows}
    assert ("announcement", "email", "vi") in keys
    assert ("dossier_status_changed", "sms", "en") in keys
    table = runner.invoke(cli, ["notify", "templates"])
    assert "password_reset" in table.stdout


def test_send_to_a_username(cli: typer.Typer, tmp_path: Path, database_url: str) -> None:
    engine = make_engine(database_url)
    migrate.upgrade(engine)
    platform = build_platform(make_settings(tmp_path, database_url), engine=engine)
    with platform.uow() as uow:
        identity_api.create_user(
            uow, actor="test", username="hoa", password=None, roles=[CITIZEN], full_name="Đỗ Hoa"
        )
    platform.close()
    result = runner.invoke(
        cli, ["notify", "send", "--template", "announcement", "--to-user", "hoa", *VARS, "--json"]
    )
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.stdout)["message_ids"]) == 1, "no e-mail on file: in-app only"
    unknown = runner.invoke(
        cli, ["notify", "send", "--template", "announcement", "--to-user", "nobody", *VARS]
    )
    assert unknown.exit_code == 1
    assert "nobody" in unknown.stderr


def test_missing_variable_fails_in_one_line_and_queues_nothing(cli: typer.Typer) -> None:
    result = runner.invoke(
        cli,
        ["notify", "send", "--template", "announcement", "--to-email", "a@example.vn", "--var", "title=x"],
    )
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1
    assert "template_variable_missing" in result.stderr
    status = runner.invoke(cli, ["notify", "status", "--json"])
    assert json.loads(status.stdout)["counts"] == []


def test_malformed_var_and_bad_phone_are_refused(cli: typer.Typer) -> None:
    bad_var = runner.invoke(
        cli, ["notify", "send", "--template", "announcement", "--to-email", "a@b.vn", "--var", "x"]
    )
    assert bad_var.exit_code == 2
    bad_phone = runner.invoke(
        cli, ["notify", "send", "--template", "announcement", "--to-phone", "12345", *VARS]
    )
    assert bad_phone.exit_code == 1
    assert "invalid_phone" in bad_phone.stderr
