"""Check an uploaded audio file: its type from its first bytes (not the browser's word), its size, SHA-1."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from thanglong.core.errors import InvalidInput

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
