"""Run espeak-ng to turn already normalised text into a WAV file, and check what it wrote.

espeak-ng is a Debian package (`apt-get install espeak-ng`), looked up on PATH when needed (never at
import). It runs without a shell, the text on stdin (so no text is ever read as an option), with a
timeout; the WAV is written next to its target and moved into place only once the stdlib `wave` module
has read it back, so a failed run never leaves a half-written file under the target's name.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import subprocess
import tempfile
import wave
from dataclasses import dataclass
from pathlib import Path

from thanglong.core.errors import ThangLongError

PROGRAM = "espeak-ng"
# Voices of espeak-ng's Vietnamese: Northern (the default, and the one the normaliser writes for),
# Central and Southern.
VOICES = ("vi", "vi-vn-x-central", "vi-vn-x-south")
DEFAULT_TIMEOUT_S = 60.0


class SpeechUnavailable(ThangLongError):
    """espeak-ng is missing, failed, timed out or wrote no usable WAV (HTTP 503)."""

    status = 503


@dataclass(frozen=True, slots=True)
class Wav:
    """What the WAV written holds: its length, size and SHA-1 (CAP <resource> carries a digest)."""

    duration_s: float
    size_bytes: int
    sha1: str
    sample_rate: int
    channels: int


def find_program() -> str:
    """Return the path of espeak-ng on PATH, or raise SpeechUnavailable saying how to install it."""
    found = shutil.which(PROGRAM)
    if found is None:
        raise SpeechUnavailable(
            "espeak_missing",
            "Chưa cài espeak-ng nên không đọc được văn bản thành giọng nói "
            "(cài bằng: apt-get install espeak-ng).",
            "espeak-ng is not installed, so text cannot be turned into speech "
            "(install it with: apt-get install espeak-ng).",
        )
    return found


def read_wav(path: Path) -> Wav:
    """Check a WAV file with the stdlib reader and measure it; raise SpeechUnavailable if it is not one."""
    try:
        with wave.open(str(path), "rb") as reader:
            frames, rate, channels = reader.getnframes(), reader.getframerate(), reader.getnchannels()
    except (wave.Error, EOFError, OSError) as exc:
        raise SpeechUnavailable(
            "espeak_bad_output",
            f"espeak-ng không tạo ra tệp WAV hợp lệ: {exc}.",
            f"espeak-ng did not write a valid WAV file: {exc}.",
        ) from exc
    if frames == 0 or rate <= 0:
        raise SpeechUnavailable(
            "espeak_bad_output",
            "espeak-ng tạo ra tệp WAV không có âm thanh.",
            "espeak-ng wrote a WAV file with no audio.",
        )
    data = path.read_bytes()
    return Wav(
        frames / rate, len(data), hashlib.sha1(data, usedforsecurity=False).hexdigest(), rate, channels
    )


def run(
    text: str,
    out: Path,
    *,
    voice: str,
    wpm: int,
    program: str | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> Wav:
    """Speak `text` (already normalised) into the WAV file `out` and return what it holds."""
    command = program or find_program()
    handle, name = tempfile.mkstemp(prefix=".speech-", suffix=".wav", dir=out.parent)
    os.close(handle)
    # mkstemp makes the file private; the WAV is meant to be served to terminals like any other file.
    Path(name).chmod(0o644)
    partial = Path(name)
    try:
        try:
            # No shell, a fixed program, options checked by the caller, the text on stdin.
            result = subprocess.run(  # noqa: S603
                [command, "-v", voice, "-s", str(wpm), "-b", "1", "--stdin", "-w", str(partial)],
                input=text.encode("utf-8"),
                capture_output=True,
                timeout=timeout_s,
                check=False,
            )
        except FileNotFoundError as exc:
            raise SpeechUnavailable(
                "espeak_missing",
                f"Không chạy được {command}: không có chương trình này.",
                f"Cannot run {command}: no such program.",
            ) from exc
        except subprocess.TimeoutExpired as exc:
            raise SpeechUnavailable(
                "espeak_timeout",
                f"espeak-ng chạy quá {timeout_s:g} giây nên đã bị dừng.",
                f"espeak-ng ran longer than {timeout_s:g} s and was stopped.",
            ) from exc
        if result.returncode != 0:
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
            last = reason[-1] if reason else "no message"
            raise SpeechUnavailable(
                "espeak_failed",
                f"espeak-ng lỗi (mã {result.returncode}): {last}",
                f"espeak-ng failed (exit code {result.returncode}): {last}",
            )
        wav = read_wav(partial)
        partial.replace(out)
        return wav
    finally:
        with contextlib.suppress(FileNotFoundError):
            partial.unlink()
