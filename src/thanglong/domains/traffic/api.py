"""What other domains may use of traffic: nothing yet."""

from __future__ import annotations

__all__: list[str] = []
