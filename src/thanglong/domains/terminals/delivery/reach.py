"""The reach of an announcement: expected terminals, receipts per stage, per commune, time to 99 %."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from thanglong.core import geo
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.delivery.dto import KINDS, CommuneReach, Figures, Reach, ReleaseSummary
from thanglong.domains.terminals.delivery.models import Publication, Receipt, Release
from thanglong.domains.terminals.fleet import services as fleet

TARGET_SHARE = 0.99
CANCEL = "Cancel"
KPI_WINDOW = timedelta(days=30)


def _not_found(announcement_id: uuid.UUID) -> NotFound:
    return NotFound(
        "announcement_not_published",
        "Không có bản tin này, hoặc bản tin chưa được phát tới thiết bị.",
        "No such announcement, or it has not been sent to the terminals yet.",
        announcement_id=str(announcement_id),
    )


def _summary(release: Release, topic_names: tuple[str, ...]) -> ReleaseSummary:
    return ReleaseSummary(
        identifier=release.identifier,
        msg_type=release.msg_type,
        level=release.level,
        status=release.status,
        released_at=release.released_at,
        expires_at=release.expires_at,
        replaced_by=release.replaced_by,
        topics=topic_names,
    )


def _names(code: str) -> tuple[str, str]:
    try:
        commune = geo.get(code)
    except (NotFound, InvalidInput):  # a code outside the registry still shows, by its code
        return code, code
    return commune.name, commune.name_en


def reach(uow: UnitOfWork, announcement_id: uuid.UUID) -> Reach:
    """Return the reach of the announcement's latest release (its Update, else the Alert itself).

    A Cancel is listed among the releases but is not the one measured: what matters is how many
    terminals got the warning. Expected terminals are those in service now in the target communes.
    """
    session = uow.session
    releases = list(
        session.scalars(
            select(Release)
            .where(Release.announcement_id == announcement_id)
            .order_by(Release.released_at, Release.identifier)
        )
    )
    if not releases:
        raise _not_found(announcement_id)
    topic_rows = session.execute(
        select(Publication.release_id, Publication.topic)
        .where(Publication.release_id.in_([r.id for r in releases]))
        .order_by(Publication.topic)
    )
    topic_names: dict[uuid.UUID, list[str]] = defaultdict(list)
    for release_id, topic in topic_rows:
        topic_names[release_id].append(topic)
    measured = [r for r in releases if r.msg_type != CANCEL] or releases
    release = measured[-1]
    targets = release.communes.split()
    expected = fleet.count_by_commune(uow, targets or None)
    codes = sorted(set(targets) | set(expected)) if targets else sorted(expected)
    counts: dict[tuple[str, str], int] = {
        (commune, kind): int(n)
        for commune, kind, n in session.execute(
            select(Receipt.commune_code, Receipt.kind, func.count())
            .where(Receipt.release_id == release.id)
            .group_by(Receipt.commune_code, Receipt.kind)
        )
    }
    # A terminal that moved commune after its receipt still counts where it was when it confirmed.
    codes = sorted(set(codes) | {c for c, _k in counts})
    communes = []
    for code in codes:
        name, name_en = _names(code)
        figures = Figures(expected.get(code, 0), *(counts.get((code, kind), 0) for kind in KINDS))
        communes.append(CommuneReach(code, name, name_en, figures))
    total = Figures(
        sum(c.figures.expected for c in communes),
        *(sum(getattr(c.figures, kind) for c in communes) for kind in KINDS),
    )
    return Reach(
        announcement_id=announcement_id,
        release=_summary(release, tuple(topic_names[release.id])),
        releases=tuple(_summary(r, tuple(topic_names[r.id])) for r in releases),
        city=not targets,
        total=total,
        communes=tuple(communes),
        seconds_to_99=_seconds_to_99(uow, release, total.expected),
        computed_at=uow.clock(),
    )


def _seconds_to_99(uow: UnitOfWork, release: Release, expected: int) -> float | None:
    """Return the seconds from publication to the delivered receipt that made 99 % (None: not reached)."""
    if expected == 0:
        return None
    needed = math.ceil(TARGET_SHARE * expected)
    nth = uow.session.scalar(
        select(Receipt.received_at)
        .where(Receipt.release_id == release.id, Receipt.kind == "delivered")
        .order_by(Receipt.received_at)
        .offset(needed - 1)
        .limit(1)
    )
    if nth is None:
        return None
    return max(0.0, (nth - release.released_at).total_seconds())


def kpi_announcement_reach(uow: UnitOfWork) -> float | None:
    """Return the percentage of expected terminals that confirmed delivery, over the last 30 days' releases.

    Releases published (not Cancel, not expired before publication) in the last 30 days; expected is
    the terminals in service now in each release's targets. None when nothing was published.
    """
    session = uow.session
    since = uow.clock() - KPI_WINDOW
    releases = list(
        session.execute(
            select(Release.id, Release.communes).where(
                Release.released_at >= since, Release.status == "published", Release.msg_type != CANCEL
            )
        )
    )
    if not releases:
        return None
    per_commune = fleet.count_by_commune(uow)
    city = sum(per_commune.values())
    expected = sum(
        sum(per_commune.get(code, 0) for code in communes.split()) if communes else city
        for _id, communes in releases
    )
    if expected == 0:
        return None
    delivered = session.scalar(
        select(func.count())
        .select_from(Receipt)
        .where(Receipt.release_id.in_([rid for rid, _ in releases]), Receipt.kind == "delivered")
    )
    return round(100.0 * int(delivered or 0) / expected, 1)


def reach_features(report: Reach, language: str) -> dict[str, Any]:
    """Return the target communes as GeoJSON polygons with their delivered share (for the choropleth)."""
    features = []
    for commune in report.communes:
        try:
            feature = geo.commune_feature(geo.get(commune.code))
        except (NotFound, InvalidInput):  # a code without a polygon has nothing to draw
            continue
        figures = commune.figures
        share = figures.share("delivered")
        feature["properties"] = {
            "code": commune.code,
            "label": commune.name_en if language == "en" and commune.name_en else commune.name,
            "expected": figures.expected,
            "delivered": figures.delivered,
            "played": figures.played,
            "acknowledged": figures.acknowledged,
            # -1 marks "no terminal expected" so the choropleth gives it its own grey class.
            "delivered_share": share if share is not None else -1.0,
        }
        features.append(feature)
    return {"type": "FeatureCollection", "features": features}


def latest_reach_layer(uow: UnitOfWork, bbox: Any, language: str) -> dict[str, Any]:
    """Return the city map layer: the latest published announcement's delivered share per target commune."""
    announcement_id = uow.session.scalar(
        select(Release.announcement_id)
        .where(Release.status == "published", Release.msg_type != CANCEL)
        .order_by(Release.released_at.desc())
        .limit(1)
    )
    if announcement_id is None:
        return {"type": "FeatureCollection", "features": []}
    return reach_features(reach(uow, announcement_id), language)
