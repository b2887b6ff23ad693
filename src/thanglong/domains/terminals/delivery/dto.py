"""What delivery returns: the reach of an announcement, per commune and in total."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

KINDS = ("delivered", "played", "acknowledged")


@dataclass(frozen=True)
class Figures:
    """Expected terminals and how many confirmed each stage (receipt kinds)."""

    expected: int
    delivered: int
    played: int
    acknowledged: int

    def share(self, kind: str) -> float | None:
        """Return the percentage of expected terminals with a receipt of this kind (None: none expected)."""
        if self.expected == 0:
            return None
        return round(100.0 * int(getattr(self, kind)) / self.expected, 1)

    def as_dict(self) -> dict[str, Any]:
        """Return the counts and shares as JSON-ready data."""
        out: dict[str, Any] = asdict(self)
        for kind in KINDS:
            out[f"{kind}_share"] = self.share(kind)
        return out


@dataclass(frozen=True)
class CommuneReach:
    """The reach of a release in one commune."""

    code: str
    name: str
    name_en: str
    figures: Figures


@dataclass(frozen=True)
class ReleaseSummary:
    """One release of the announcement (Alert, Update, Cancel)."""

    identifier: str
    msg_type: str
    level: str
    status: str
    released_at: datetime
    expires_at: datetime
    replaced_by: str | None
    topics: tuple[str, ...]


@dataclass(frozen=True)
class Reach:
    """The reach of an announcement's latest release: totals, per commune, time to 99 % delivered."""

    announcement_id: uuid.UUID
    release: ReleaseSummary
    releases: tuple[ReleaseSummary, ...]
    city: bool
    total: Figures
    communes: tuple[CommuneReach, ...]
    # Seconds from publication until 99 % of the expected terminals confirmed delivery (None: not yet).
    seconds_to_99: float | None
    computed_at: datetime

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data (times in ISO 8601 UTC)."""

        def release(r: ReleaseSummary) -> dict[str, Any]:
            return {
                "identifier": r.identifier,
                "msg_type": r.msg_type,
                "level": r.level,
                "status": r.status,
                "released_at": r.released_at.isoformat(),
                "expires_at": r.expires_at.isoformat(),
                "replaced_by": r.replaced_by,
                "topics": list(r.topics),
            }

        return {
            "announcement_id": str(self.announcement_id),
            "release": release(self.release),
            "releases": [release(r) for r in self.releases],
            "city": self.city,
            "total": self.total.as_dict(),
            "communes": [
                {"code": c.code, "name": c.name, "name_en": c.name_en, **c.figures.as_dict()}
                for c in self.communes
            ],
            "seconds_to_99_delivered": self.seconds_to_99,
            "computed_at": self.computed_at.isoformat(),
        }
