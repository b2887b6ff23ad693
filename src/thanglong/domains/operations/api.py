"""What other domains may use of operations: the names of its series and its events."""

from __future__ import annotations

from thanglong.domains.operations.events import EntityChanged
from thanglong.domains.operations.series import series_name

__all__ = ["EntityChanged", "series_name"]
