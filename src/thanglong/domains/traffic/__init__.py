"""Smart traffic operations: network, traffic state, incidents, forecasts and signal control."""

from thanglong.domains.traffic.manifest import MANIFEST

__all__ = ["MANIFEST"]
