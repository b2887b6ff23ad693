"""Use cases of speech: turn announcement text into a WAV file with espeak-ng, offline.

No database and no clock: text in, a file and its facts out. `speak_to_file` is the entry point for
announcement authoring (a CAP <resource> needs the mime type, size and digest it returns).
"""

from __future__ import annotations

from pathlib import Path

from thanglong.core.errors import InvalidInput
from thanglong.domains.terminals.speech import espeak
from thanglong.domains.terminals.speech.dto import SpeechResult
from thanglong.domains.terminals.speech.normalize import normalize

MAX_TEXT_CHARS = 5000
DEFAULT_WPM = 150
MIN_WPM = 80
MAX_WPM = 300


def check_text(text: str) -> None:
    """Refuse empty text and text longer than MAX_TEXT_CHARS."""
    if not text.strip():
        raise InvalidInput(
            "speech_empty_text", "Văn bản cần đọc đang trống.", "The text to speak is empty.", field="text"
        )
    if len(text) > MAX_TEXT_CHARS:
        raise InvalidInput(
            "speech_text_too_long",
            f"Văn bản dài {len(text)} ký tự, tối đa {MAX_TEXT_CHARS}.",
            f"The text has {len(text)} characters; at most {MAX_TEXT_CHARS} are allowed.",
            field="text",
        )


def check_options(voice: str, speed: int, out: Path) -> None:
    """Refuse an unknown voice, a speed out of range, or an output folder that does not exist."""
    if voice not in espeak.VOICES:
        known = ", ".join(espeak.VOICES)
        raise InvalidInput(
            "speech_unknown_voice",
            f"Không có giọng {voice!r}; có: {known}.",
            f"No voice {voice!r}; known: {known}.",
            field="voice",
        )
    if not MIN_WPM <= speed <= MAX_WPM:
        raise InvalidInput(
            "speech_bad_speed",
            f"Tốc độ đọc phải từ {MIN_WPM} đến {MAX_WPM} từ/phút, nhận {speed}.",
            f"The speed must be {MIN_WPM} to {MAX_WPM} words a minute, got {speed}.",
            field="speed",
        )
    if not out.parent.is_dir():
        raise InvalidInput(
            "speech_no_folder",
            f"Thư mục {out.parent} không tồn tại.",
            f"The folder {out.parent} does not exist.",
            field="out",
        )
    if out.is_dir():
        raise InvalidInput(
            "speech_out_is_folder",
            f"{out} là một thư mục, cần một tên tệp .wav.",
            f"{out} is a folder; give a .wav file name.",
            field="out",
        )


def synthesize(
    text: str,
    *,
    out: Path,
    voice: str = "vi",
    speed: int = DEFAULT_WPM,
    program: str | None = None,
    timeout_s: float = espeak.DEFAULT_TIMEOUT_S,
) -> SpeechResult:
    """Normalise `text` and speak it with espeak-ng into the WAV file `out`."""
    check_text(text)
    check_options(voice, speed, out)
    spoken = normalize(text)
    wav = espeak.run(spoken, out, voice=voice, wpm=speed, program=program, timeout_s=timeout_s)
    return SpeechResult(out, wav.duration_s, wav.size_bytes, wav.sha1, spoken, voice, speed)


def speak_to_file(text: str, out: Path, *, speed: int | None = None) -> SpeechResult:
    """Speak announcement text into `out` with the Northern Vietnamese voice (for authoring)."""
    return synthesize(text, out=out, speed=DEFAULT_WPM if speed is None else speed)
