"""City data and operations centre: sensors (NGSI-LD), time series, alarms, KPIs and the city scorecard."""

from thanglong.domains.operations.manifest import MANIFEST

__all__ = ["MANIFEST"]
