"""Household information terminals: CAP 1.2 announcements over MQTT, the fleet, bill payment."""

from thanglong.domains.terminals.manifest import MANIFEST

__all__ = ["MANIFEST"]
