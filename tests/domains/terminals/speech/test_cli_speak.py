"""`thanglong terminals speak`: a WAV written, its facts in JSON, one line and exit 2 when refused."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.domain_list import DEFAULT_DOMAINS

runner = CliRunner()


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DOMAINS", json.dumps(list(DEFAULT_DOMAINS)))
    monkeypatch.setenv("COLUMNS", "300")
    return build_cli()


def test_speak_writes_a_wav_and_shows_the_normalised_text(
    cli: typer.Typer, espeak_ng: str, tmp_path: Path
) -> None:
    out = tmp_path / "a.wav"
    result = runner.invoke(
        cli, ["terminals", "speak", "UBND TP. Hà Nội: 20-25°C", "--out", str(out), "--show-normalized"]
    )
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Ủy ban nhân dân thành phố Hà Nội: hai mươi đến hai mươi lăm độ xê"
    assert lines[1].startswith(f"đã ghi / written: {out}, ")
    assert hashlib.sha1(out.read_bytes(), usedforsecurity=False).hexdigest() in lines[1]


def test_speak_json(cli: typer.Typer, espeak_ng: str, tmp_path: Path) -> None:
    out = tmp_path / "a.wav"
    result = runner.invoke(
        cli, ["terminals", "speak", "Gọi 114", "--out", str(out), "--speed", "120", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    data = out.read_bytes()
    assert body["normalized_text"] == "Gọi một một bốn"
    assert body["size_bytes"] == len(data)
    assert body["sha1"] == hashlib.sha1(data, usedforsecurity=False).hexdigest()
    assert body["speed_wpm"] == 120
    assert body["mime_type"] == "audio/wav"
    assert body["duration_s"] > 0.5


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["   "], "The text to speak is empty."),
        (["xin chào", "--speed", "10"], "The speed must be 80 to 300 words a minute, got 10."),
        (["xin chào", "--voice", "en"], "No voice 'en'"),
    ],
)
def test_refused_input_is_one_line_and_exit_two(
    cli: typer.Typer, tmp_path: Path, args: list[str], expected: str
) -> None:
    out = tmp_path / "a.wav"
    result = runner.invoke(cli, ["terminals", "speak", *args, "--out", str(out)])
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert expected in result.stderr
    assert not out.exists()


def test_missing_espeak_is_one_line_and_exit_two(
    cli: typer.Typer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    result = runner.invoke(cli, ["terminals", "speak", "xin chào", "--out", str(tmp_path / "a.wav")])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1
    assert "espeak-ng is not installed" in result.stderr
