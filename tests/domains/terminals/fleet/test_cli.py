"""`thanglong terminals households import | provision | list | broker acl` on a database of their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.domain_list import DEFAULT_DOMAINS
from thanglong.domains.terminals.fleet.passwords import check_password

runner = CliRunner()
GOOD = """code,head_name,address,commune_code,lon,lat,phone
HN-0001,Nguyễn Văn An,"12 Hàng Bạc, Hoàn Kiếm",00070,,,0912000001
HN-0002,Trần Thị Bình,5 Phan Đình Phùng,,105.8380,21.0390,
HN-0003,Lê Văn Cường,1 Đinh Tiên Hoàng,00070,105.8522,21.0288,
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(list(DEFAULT_DOMAINS)))
    monkeypatch.setenv("THANGLONG_MQTT_URL", "mqtt://thanglong:platform-secret@127.0.0.1:1883")
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli()


def _csv(tmp_path: Path, text: str, name: str = "households.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_import_provision_list_and_broker_files(cli: typer.Typer, tmp_path: Path) -> None:
    imported = runner.invoke(cli, ["terminals", "households", "import", str(_csv(tmp_path, GOOD)), "--json"])
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout) == {
        "file": str(tmp_path / "households.csv"),
        "read": 3,
        "imported": 3,
        "errors": [],
    }
    made = runner.invoke(
        cli, ["terminals", "provision", "--serial", "tl-0001", "--household", "hn-0002", "--json"]
    )
    assert made.exit_code == 0, made.output
    shown = json.loads(made.stdout)
    assert shown["serial"] == "TL-0001" and shown["commune_code"] == "00004"  # Ba Đình, from the location
    again = runner.invoke(cli, ["terminals", "provision", "--serial", "TL-0001", "--household", "HN-0001"])
    assert again.exit_code == 1 and "TL-0001" in again.output
    listed = runner.invoke(cli, ["terminals", "list", "--commune", "00004", "--json"])
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert rows["total"] == 1 and rows["terminals"][0]["household_code"] == "HN-0002"
    assert runner.invoke(cli, ["terminals", "list", "--status", "asleep"]).exit_code == 2
    out = tmp_path / "broker"
    acl = runner.invoke(cli, ["terminals", "broker", "acl", "--out", str(out)])
    assert acl.exit_code == 0, acl.output
    users = dict(line.split(":", 1) for line in (out / "passwd").read_text().splitlines())
    assert set(users) == {"thanglong", "TL-0001"}
    assert check_password(shown["mqtt_password"], users["TL-0001"])
    assert check_password("platform-secret", users["thanglong"])
    text = (out / "acl").read_text()
    assert "user TL-0001\ntopic read thanglong/terminals/v1/announce/commune/00004\n" in text
    assert "pattern write thanglong/terminals/v1/status/%u" in text


def test_a_bad_file_imports_nothing_and_names_every_bad_line(cli: typer.Typer, tmp_path: Path) -> None:
    bad = GOOD + "hn 4,X,Y,00070,,,\nHN-0005,Z,W,99999,,,\nHN-0001,Dup,V,00070,,,\nHN-0006,A,B,,abc,21,\n"
    result = runner.invoke(cli, ["terminals", "households", "import", str(_csv(tmp_path, bad))])
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("dòng / line")]
    assert [line.split(":")[0] for line in lines] == [
        "dòng / line 5",
        "dòng / line 6",
        "dòng / line 7",
        "dòng / line 8",
    ]
    assert "nothing imported: 4 bad row(s) of 7" in result.stdout
    listed = runner.invoke(cli, ["terminals", "list", "--json"])
    assert json.loads(listed.stdout)["total"] == 0
    # The good rows of the bad file were not kept: the good file alone imports all three.
    good = runner.invoke(cli, ["terminals", "households", "import", str(_csv(tmp_path, GOOD, "g.csv"))])
    assert good.exit_code == 0, good.output


def test_unreadable_file_exits_two(cli: typer.Typer, tmp_path: Path) -> None:
    missing = runner.invoke(cli, ["terminals", "households", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code == 2
    no_header = runner.invoke(cli, ["terminals", "households", "import", str(_csv(tmp_path, "a,b\n1,2\n"))])
    assert no_header.exit_code == 2 and "code" in no_header.output


def test_broker_acl_in_the_dynamic_security_format(
    cli: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert runner.invoke(cli, ["terminals", "households", "import", str(_csv(tmp_path, GOOD))]).exit_code == 0
    made = runner.invoke(
        cli, ["terminals", "provision", "--serial", "TL-0001", "--household", "HN-0002", "--json"]
    )
    password = json.loads(made.stdout)["mqtt_password"]
    out = tmp_path / "dynsec"
    monkeypatch.setenv("DYNSEC_ADMIN_PW", "admin-secret")
    args = ["terminals", "broker", "acl", "--out", str(out), "--format", "dynsec", "--json"]
    done = runner.invoke(cli, [*args, "--admin-user", "ops-admin", "--admin-password-env", "DYNSEC_ADMIN_PW"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.stdout) == {
        "out": str(out),
        "format": "dynsec",
        "terminals": 1,
        "roles": 4,  # the platform, the administrator, commune 00004, terminal TL-0001
        "platform_user": "thanglong",
    }
    config = json.loads((out / "dynamic-security.json").read_text())
    clients = {c["username"]: c for c in config["clients"]}
    assert set(clients) == {"thanglong", "ops-admin", "TL-0001"}
    terminal = clients["TL-0001"]
    assert [r["rolename"] for r in terminal["roles"]] == ["commune-00004", "terminal-TL-0001"]
    stored = f"$7${terminal['iterations']}${terminal['salt']}${terminal['password']}"
    assert check_password(password, stored)
    conf = (out / "mosquitto-dynsec.conf").read_text()
    assert f"plugin_opt_config_file {(out / 'dynamic-security.json').resolve()}" in conf
    no_password = runner.invoke(cli, [*args, "--admin-user", "ops-admin"])
    assert no_password.exit_code == 2 and "--admin-password-env" in no_password.output
    unknown = runner.invoke(cli, ["terminals", "broker", "acl", "--out", str(out), "--format", "xml"])
    assert unknown.exit_code == 2 and "dynsec" in unknown.output
