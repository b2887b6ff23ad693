"""The agent's configuration file, and the commands' clean refusals of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from typer.testing import CliRunner

from tests.domains.terminals.agent.helpers import write_public_key
from thanglong.cli.main import build_cli
from thanglong.core.domain_list import DEFAULT_DOMAINS
from thanglong.domains.terminals.agent.config import ConfigError, load
from thanglong.domains.terminals.wire.envelope import key_id

runner = CliRunner()
EXAMPLE = """\
broker_url = "mqtt://127.0.0.1:1883"
serial = "HN-T-000123"
password = "s3cret-from-provisioning"
commune_code = "00070"
public_keys = ["keys/platform-2025.pem", "keys/platform-2026.pem"]
state_dir = "state"
audio_output = "aplay -q {file}"
jitter_min_s = 0
jitter_max_s = 5
heartbeat_s = 60
firmware_version = "1.4.2"
"""


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(list(DEFAULT_DOMAINS)))
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli()


def test_the_documented_example_loads_with_both_rotation_keys(tmp_path: Path) -> None:
    (tmp_path / "keys").mkdir()
    old, new = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    write_public_key(old, tmp_path / "keys" / "platform-2025.pem")
    write_public_key(new, tmp_path / "keys" / "platform-2026.pem")
    (tmp_path / "agent.toml").write_text(EXAMPLE, encoding="utf-8")
    config = load(tmp_path / "agent.toml")
    assert set(config.keys) == {key_id(old.public_key()), key_id(new.public_key())}
    assert config.state_dir == tmp_path / "state"
    assert config.audio_output == "aplay -q {file}"
    assert "s3cret" not in repr(config)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (('commune_code = "00070"', 'commune_code = "70"'), "commune_code"),
        (('serial = "HN-T-000123"', 'serial = "a/b"'), "serial"),
        (("jitter_min_s = 0", "jitter_min_s = 9"), "jitter"),
        (('broker_url = "mqtt://127.0.0.1:1883"', 'broker_url = "http://x"'), "broker_url"),
        (("heartbeat_s = 60", 'heartbeat_s = "often"'), "heartbeat_s"),
    ],
)
def test_bad_settings_are_refused_with_a_reason(tmp_path: Path, change: tuple[str, str], reason: str) -> None:
    (tmp_path / "keys").mkdir()
    for name in ("platform-2025.pem", "platform-2026.pem"):
        write_public_key(Ed25519PrivateKey.generate(), tmp_path / "keys" / name)
    (tmp_path / "agent.toml").write_text(EXAMPLE.replace(*change), encoding="utf-8")
    with pytest.raises(ConfigError, match=reason):
        load(tmp_path / "agent.toml")


def test_agent_command_refuses_a_missing_key_file_in_one_line(cli: typer.Typer, tmp_path: Path) -> None:
    (tmp_path / "agent.toml").write_text(EXAMPLE, encoding="utf-8")
    result = runner.invoke(cli, ["terminals", "agent", "--config", str(tmp_path / "agent.toml")])
    assert result.exit_code == 2
    assert "cannot read key" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_simulate_refuses_an_unknown_commune(cli: typer.Typer) -> None:
    result = runner.invoke(
        cli, ["terminals", "simulate", "--count", "3", "--broker", "mqtt://127.0.0.1:1", "--commune", "99999"]
    )
    assert result.exit_code == 2
    assert "99999" in result.output
