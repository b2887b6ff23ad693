"""An announcement's audio: an uploaded file checked (type from its first bytes, size, SHA-1), or speech.

`speak` turns the announcement's Vietnamese text into a WAV offline (terminals.speech, espeak-ng) and
returns it as the same `Audio` an upload gives, so the two are stored and announced alike.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from pathlib import Path

from thanglong.core.errors import InvalidInput
from thanglong.domains.terminals.speech import services as speech

MAX_AUDIO_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Audio:
    """An accepted audio file, not yet stored."""

    filename: str
    mime_type: str
    data: bytes

    @property
    def size(self) -> int:
        """Return the size in bytes."""
        return len(self.data)

    @property
    def sha1(self) -> str:
        """Return the SHA-1 digest in hexadecimal, as CAP 1.2 <digest> asks."""
        return hashlib.sha1(self.data, usedforsecurity=False).hexdigest()


def sniff(data: bytes) -> str | None:
    """Return the MIME type of MP3, Ogg or WAV audio from its first bytes, or None."""
    if data.startswith(b"ID3") or (len(data) > 1 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if data.startswith(b"OggS"):
        return "audio/ogg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "audio/wav"
    return None


def check_audio(filename: str, data: bytes) -> Audio:
    """Accept an MP3, Ogg or WAV file up to MAX_AUDIO_BYTES; refuse anything else with a clear message."""
    if len(data) > MAX_AUDIO_BYTES:
        raise InvalidInput(
            "audio_too_large",
            f"Tệp âm thanh quá lớn: tối đa {MAX_AUDIO_BYTES // (1024 * 1024)} MiB.",
            f"The audio file is too large: at most {MAX_AUDIO_BYTES // (1024 * 1024)} MiB.",
            field="audio",
        )
    mime = sniff(data)
    if mime is None:
        raise InvalidInput(
            "audio_type",
            "Tệp âm thanh phải là MP3, Ogg hoặc WAV.",
            "The audio file must be MP3, Ogg or WAV.",
            field="audio",
        )
    name = (filename or "audio").replace("/", "_").replace("\\", "_")[-200:]
    return Audio(name, mime, data)


# Sentence ends after which a reader pauses; a part without one gets a full stop.
_STOPS = (".", "!", "?", "…", ":", ";")


def spoken_text(headline: str, description: str, instruction: str = "") -> str:
    """Return the text a reader reads aloud: headline, description, instruction, each a sentence."""
    parts = []
    for part in (headline, description, instruction):
        text = " ".join(part.split())
        if text:
            parts.append(text if text.endswith(_STOPS) else f"{text}.")
    return "\n".join(parts)


def speak(text: str, filename: str) -> Audio:
    """Speak `text` with the Northern Vietnamese voice into a WAV and return it as an announcement's audio.

    Raises the speech errors unchanged (422 for text it refuses, 503 when espeak-ng is missing or fails)
    and `speech_audio_too_large` (422) when the recording would be larger than an uploaded file may be.
    """
    with tempfile.TemporaryDirectory(prefix="thanglong-speech-") as folder:
        out = Path(folder) / "speech.wav"
        spoken = speech.speak_to_file(text, out)
        data = out.read_bytes()
    if len(data) > MAX_AUDIO_BYTES:
        limit = MAX_AUDIO_BYTES // (1024 * 1024)
        raise InvalidInput(
            "speech_audio_too_large",
            f"Bản đọc dài {spoken.duration_s:.0f} giây, lớn hơn {limit} MiB cho phép: hãy rút gọn văn bản.",
            f"The reading lasts {spoken.duration_s:.0f} s, more than the {limit} MiB allowed: "
            "shorten the text.",
            field="speak",
        )
    return check_audio(filename, data)
