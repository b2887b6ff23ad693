"""Tables of the traffic domain, one module per capability, gathered here for Alembic and the mappers."""

from __future__ import annotations

from thanglong.domains.traffic.incidents.models import Incident
from thanglong.domains.traffic.plans.models import PlanDeployment, SignalNetwork, SignalPlan, WhatIfRun
from thanglong.domains.traffic.roads.models import Detector, RoadSegment

__all__ = [
    "Detector",
    "Incident",
    "PlanDeployment",
    "RoadSegment",
    "SignalNetwork",
    "SignalPlan",
    "WhatIfRun",
]
