"""What speaking an announcement returns: the WAV's facts and the text that was spoken."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True, slots=True)
class SpeechResult:
    """A WAV file written from announcement text (the fields a CAP <resource> needs, and more)."""

    path: Path
    duration_s: float
    size_bytes: int
    sha1: str
    normalized_text: str
    voice: str
    speed_wpm: int
    mime_type: str = "audio/wav"

    def as_dict(self) -> dict[str, Any]:
        """Return the result as JSON-ready values."""
        data = asdict(self)
        data["path"] = str(self.path)
        data["duration_s"] = round(self.duration_s, 3)
        return data
