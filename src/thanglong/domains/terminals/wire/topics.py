"""The MQTT topics of the terminals domain: one name scheme shared by the platform, agent and broker ACL.

Announcements fan out per commune and for the whole city, so the broker does the fan-out: the platform
publishes once per target commune, never once per terminal. A terminal publishes only under its own
serial (status, heartbeats, receipts) and hears commands only on its own command topic.
"""

from __future__ import annotations

ROOT = "thanglong/terminals/v1"
CITY = "city"


def announce_city() -> str:
    """Return the topic every terminal of the city subscribes to."""
    return f"{ROOT}/announce/{CITY}"


def announce_commune(commune_code: str) -> str:
    """Return the topic of one commune's terminals (official 5-digit code)."""
    return f"{ROOT}/announce/commune/{commune_code}"


def status(serial: str) -> str:
    """Return the topic a terminal publishes its heartbeats and health on."""
    return f"{ROOT}/status/{serial}"


def receipt(serial: str) -> str:
    """Return the topic a terminal publishes its receipts (delivered, played, acknowledged) on."""
    return f"{ROOT}/receipt/{serial}"


def command(serial: str) -> str:
    """Return the topic a terminal hears its commands (test tone, volume, reboot, update) on."""
    return f"{ROOT}/command/{serial}"


# Filters the platform subscribes with (shared subscriptions prefix them with $share/<group>/).
STATUS_FILTER = f"{ROOT}/status/+"
RECEIPT_FILTER = f"{ROOT}/receipt/+"


def serial_of(topic: str) -> str | None:
    """Return the serial a status, receipt or command topic names, or None for any other topic."""
    root = ROOT.split("/")
    parts = topic.split("/")
    if (
        len(parts) == len(root) + 2
        and parts[: len(root)] == root
        and parts[-2] in {"status", "receipt", "command"}
        and parts[-1]
    ):
        return parts[-1]
    return None
