"""The fleet's time series: a sampled health series per terminal, online figures per commune.

Why not every heartbeat per terminal: 2.2 million terminals × 1,440 heartbeats a day is 3.2 billion
points a day. A terminal's own series gets a point when its health or its connection changes, and
otherwise at most one every SAMPLE_EVERY (15 min): about 96 points a day, 211 million a day for the
city, kept RETENTION_DAYS. The communes' series get one point a minute each: 126 communes × 2 series ×
1,440 = 363,000 points a day, kept as long as the platform keeps series. See docs/terminals-fleet.md.
"""

from __future__ import annotations

from datetime import timedelta

from thanglong.core.manifest import SeriesDef

PREFIX = "terminals"
SAMPLE_EVERY = timedelta(minutes=15)
TERMINAL_RETENTION_DAYS = 7
TERMINAL_HOUR_RETENTION_DAYS = 30
# A terminal's health as a number: what its series records (offline below every health).
HEALTH_SCORE = {"ok": 2.0, "degraded": 1.0, "fault": 0.0}
OFFLINE_SCORE = -1.0


def terminal_health(serial: str) -> str:
    """Return the series of one terminal's health score (2 ok, 1 degraded, 0 fault, -1 offline)."""
    return f"{PREFIX}.terminal.{serial.lower()}.health"


def commune_online_share(commune_code: str) -> str:
    """Return the series of the share (%) of a commune's terminals in service that are online."""
    return f"{PREFIX}.commune.{commune_code}.online_share"


def commune_online(commune_code: str) -> str:
    """Return the series of the number of a commune's terminals online."""
    return f"{PREFIX}.commune.{commune_code}.online"


def terminal_definition(serial: str) -> SeriesDef:
    """Return the definition a terminal's health series is registered with."""
    return SeriesDef(
        name=terminal_health(serial),
        unit="score",
        description_vi=f"Tình trạng thiết bị {serial} (2 tốt, 1 suy giảm, 0 lỗi, -1 mất kết nối)",
        description_en=f"Health of terminal {serial} (2 ok, 1 degraded, 0 fault, -1 offline)",
        labels=(("kind", "terminal"), ("serial", serial)),
        retention_days=TERMINAL_RETENTION_DAYS,
        hour_retention_days=TERMINAL_HOUR_RETENTION_DAYS,
    )


def commune_definitions(commune_code: str) -> list[SeriesDef]:
    """Return the definitions of a commune's two series."""
    labels = (("kind", "commune"), ("commune", commune_code))
    return [
        SeriesDef(
            name=commune_online_share(commune_code),
            unit="%",
            description_vi=f"Tỷ lệ thiết bị trực tuyến, phường/xã {commune_code}",
            description_en=f"Share of terminals online, commune {commune_code}",
            labels=labels,
        ),
        SeriesDef(
            name=commune_online(commune_code),
            unit="terminals",
            description_vi=f"Số thiết bị trực tuyến, phường/xã {commune_code}",
            description_en=f"Terminals online, commune {commune_code}",
            labels=labels,
        ),
    ]
