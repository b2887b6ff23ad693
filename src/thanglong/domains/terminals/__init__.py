"""Household information terminals: CAP 1.2 announcements over MQTT (CAP validation so far)."""

from thanglong.domains.terminals.manifest import MANIFEST

__all__ = ["MANIFEST"]
