"""Signal networks, the plans stored per intersection, what-if runs and deployments to controllers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class SignalNetwork(UUIDPrimaryKey, Base):
    """A SUMO network whose intersections have plans, and which segments count each of its edges."""

    __tablename__ = "traffic_signal_network"

    key: Mapped[str] = mapped_column(String(60), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    title_en: Mapped[str] = mapped_column(String(200))
    net_path: Mapped[str] = mapped_column(String(500))
    # Road segment code → SUMO edge id: the segment's detector counts are that edge's counts.
    bindings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]


class SignalPlan(UUIDPrimaryKey, Base):
    """A plan of one intersection: current (the one the controller runs), candidate or retired."""

    __tablename__ = "traffic_signal_plan"
    __table_args__ = (UniqueConstraint("network_id", "tls_id", "name"),)

    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("traffic_signal_network.id", ondelete="CASCADE"), index=True
    )
    tls_id: Mapped[str] = mapped_column(String(100))
    name: Mapped[str] = mapped_column(String(120))
    # fixed | max-pressure | actuated (stable values, translated labels).
    kind: Mapped[str] = mapped_column(String(20))
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    # current | candidate | retired.
    status: Mapped[str] = mapped_column(String(20), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    deployed_by: Mapped[str | None] = mapped_column(String(200), default=None)
    deployed_at: Mapped[datetime | None] = mapped_column(default=None)
    updated_at: Mapped[datetime]


class WhatIfRun(UUIDPrimaryKey, Base):
    """A what-if replay of an intersection's plans: queued, running, done (with results) or failed."""

    __tablename__ = "traffic_whatif_run"

    network_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("traffic_signal_network.id", ondelete="CASCADE"), index=True
    )
    tls_id: Mapped[str] = mapped_column(String(100), index=True)
    status: Mapped[str] = mapped_column(String(20))
    # Vehicles per edge over the hour replayed, as read from the detectors' series.
    counts: Mapped[dict[str, Any]] = mapped_column(JSON)
    plan_ids: Mapped[list[Any]] = mapped_column(JSON)
    seeds: Mapped[list[Any]] = mapped_column(JSON)
    horizon_s: Mapped[float] = mapped_column(Float)
    demand: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    results: Mapped[list[Any] | None] = mapped_column(JSON, default=None)
    error_vi: Mapped[str] = mapped_column(Text, default="")
    error_en: Mapped[str] = mapped_column(Text, default="")
    requested_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class PlanDeployment(UUIDPrimaryKey, Base):
    """One attempt to deploy a plan to its controller: deployed, or refused with the controller's reason."""

    __tablename__ = "traffic_plan_deployment"

    plan_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("traffic_signal_plan.id", ondelete="CASCADE"), index=True
    )
    tls_id: Mapped[str] = mapped_column(String(100))
    controller: Mapped[str] = mapped_column(String(100))
    # deployed | refused.
    outcome: Mapped[str] = mapped_column(String(20))
    read_back: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    message: Mapped[str] = mapped_column(Text, default="")
    actor: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime]
