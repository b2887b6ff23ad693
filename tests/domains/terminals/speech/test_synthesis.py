"""Synthesis with espeak-ng: a real WAV and its facts, and every way it can be refused or fail."""

from __future__ import annotations

import hashlib
import stat
import wave
from pathlib import Path

import pytest

from thanglong.core.errors import InvalidInput
from thanglong.domains.terminals.speech import espeak, services

TEXT = "UBND P. Hoàn Kiếm thông báo: từ 14h30 ngày 03/12/2026 cắt điện tại TDP số 5."


def test_speak_to_file_writes_a_wav_and_says_what_it_holds(espeak_ng: str, tmp_path: Path) -> None:
    out = tmp_path / "announce.wav"
    result = services.speak_to_file(TEXT, out)
    data = out.read_bytes()
    assert result.path == out
    assert result.size_bytes == len(data)
    assert result.sha1 == hashlib.sha1(data, usedforsecurity=False).hexdigest()
    assert result.mime_type == "audio/wav"
    assert result.normalized_text.startswith("Ủy ban nhân dân phường Hoàn Kiếm thông báo: từ mười bốn giờ")
    with wave.open(str(out), "rb") as reader:
        assert reader.getnchannels() == 1
        assert result.duration_s == pytest.approx(reader.getnframes() / reader.getframerate())
    # About fifty syllables at 150 words a minute: several seconds, not a blip and not a minute.
    assert 5 < result.duration_s < 30
    assert stat.S_IMODE(out.stat().st_mode) & 0o044
    assert [p.name for p in tmp_path.iterdir()] == ["announce.wav"]


def test_a_faster_speed_makes_shorter_audio(espeak_ng: str, tmp_path: Path) -> None:
    slow = services.synthesize(TEXT, out=tmp_path / "slow.wav", speed=100)
    fast = services.synthesize(TEXT, out=tmp_path / "fast.wav", speed=250)
    assert fast.duration_s < slow.duration_s * 0.7
    assert (slow.speed_wpm, fast.speed_wpm) == (100, 250)


def test_the_same_text_gives_the_same_file(espeak_ng: str, tmp_path: Path) -> None:
    first = services.synthesize("Thứ 2, 15%", out=tmp_path / "a.wav")
    second = services.synthesize("Thứ hai, mười lăm phần trăm", out=tmp_path / "b.wav")
    assert first.sha1 == second.sha1


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_text_is_refused(tmp_path: Path, text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.speak_to_file(text, tmp_path / "x.wav")
    assert raised.value.code == "speech_empty_text"
    assert not (tmp_path / "x.wav").exists()


def test_too_long_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.speak_to_file("a" * (services.MAX_TEXT_CHARS + 1), tmp_path / "x.wav")
    assert raised.value.code == "speech_text_too_long"
    assert "5001" in raised.value.message_vi and "5001" in raised.value.message_en


@pytest.mark.parametrize(
    ("kwargs", "code"),
    [
        ({"speed": 79}, "speech_bad_speed"),
        ({"speed": 301}, "speech_bad_speed"),
        ({"voice": "en"}, "speech_unknown_voice"),
        ({"voice": "--help"}, "speech_unknown_voice"),
    ],
)
def test_bad_options_are_refused(tmp_path: Path, kwargs: dict[str, object], code: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        services.synthesize("xin chào", out=tmp_path / "x.wav", **kwargs)  # type: ignore[arg-type]
    assert raised.value.code == code


def test_a_missing_folder_or_a_folder_as_output_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        services.speak_to_file("xin chào", tmp_path / "nowhere" / "x.wav")
    with pytest.raises(InvalidInput, match="is a folder"):
        services.speak_to_file("xin chào", tmp_path)


def test_missing_espeak_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(espeak.SpeechUnavailable) as raised:
        services.speak_to_file("xin chào", tmp_path / "x.wav")
    assert raised.value.code == "espeak_missing"
    assert raised.value.status == 503
    assert "apt-get install espeak-ng" in raised.value.message_vi
    assert "apt-get install espeak-ng" in raised.value.message_en
    assert list(tmp_path.iterdir()) == []


def _fake(tmp_path: Path, script: str) -> str:
    path = tmp_path / "fake-espeak"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)
    return str(path)


def test_a_failing_espeak_is_reported_with_its_last_line(tmp_path: Path) -> None:
    program = _fake(tmp_path, "echo 'warming up' >&2\necho 'voice not found' >&2\nexit 3\n")
    with pytest.raises(espeak.SpeechUnavailable) as raised:
        services.synthesize("xin chào", out=tmp_path / "x.wav", program=program)
    assert raised.value.code == "espeak_failed"
    assert "exit code 3" in raised.value.message_en and "voice not found" in raised.value.message_en
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-espeak"]


def test_output_that_is_not_a_wav_is_refused_and_removed(tmp_path: Path) -> None:
    # The fake writes garbage to the file named after -w (the last argument).
    program = _fake(tmp_path, 'for last; do :; done\necho "not a wav" > "$last"\n')
    out = tmp_path / "x.wav"
    out.write_bytes(b"previous file")
    with pytest.raises(espeak.SpeechUnavailable) as raised:
        services.synthesize("xin chào", out=out, program=program)
    assert raised.value.code == "espeak_bad_output"
    assert out.read_bytes() == b"previous file"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fake-espeak", "x.wav"]


def test_a_wav_without_audio_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    with wave.open(str(empty), "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(22050)
    program = _fake(tmp_path, f'for last; do :; done\ncp "{empty}" "$last"\n')
    with pytest.raises(espeak.SpeechUnavailable) as raised:
        services.synthesize("xin chào", out=tmp_path / "x.wav", program=program)
    assert raised.value.code == "espeak_bad_output"


def test_a_hanging_espeak_is_stopped(tmp_path: Path) -> None:
    program = _fake(tmp_path, "exec sleep 30\n")
    with pytest.raises(espeak.SpeechUnavailable) as raised:
        services.synthesize("xin chào", out=tmp_path / "x.wav", program=program, timeout_s=0.3)
    assert raised.value.code == "espeak_timeout"


def test_the_text_goes_on_stdin_never_as_an_argument(tmp_path: Path) -> None:
    record = tmp_path / "record"
    program = _fake(tmp_path, f'printf "%s\\n" "$@" > "{record}.args"\ncat > "{record}.stdin"\nexit 1\n')
    with pytest.raises(espeak.SpeechUnavailable):
        services.synthesize("-w /etc/passwd; rm -rf / 3/12", out=tmp_path / "x.wav", program=program)
    arguments = Path(f"{record}.args").read_text().splitlines()
    assert arguments[:7] == ["-v", "vi", "-s", "150", "-b", "1", "--stdin"]
    assert arguments[7] == "-w" and arguments[8].startswith(str(tmp_path))
    assert len(arguments) == 9
    assert Path(f"{record}.stdin").read_text() == "-w /etc/passwd; rm -rf / ngày ba tháng mười hai"
    assert Path("/etc/passwd").exists()
