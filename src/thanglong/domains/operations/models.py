"""Operations tables: NGSI-LD entities (latest state), devices, context documents, alarms, scorecard.

History is not here: every numeric reading is a point of the kernel's time series (`core.timeseries`),
named by `operations.series.series_name`. Capabilities add their tables in their own section below.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey
from thanglong.core.spatial import Geometry

# Longest entity id, type or attribute IRI kept (NGSI-LD ids are URIs; real ones stay well below this).
IRI_LENGTH = 256


# ---------------------------------------------------------------------------- entities (ngsi, entities)
class Entity(UUIDPrimaryKey, Base):
    """The latest state of one NGSI-LD entity, with expanded attribute names (compacted on the way out)."""

    __tablename__ = "operations_entity"
    __table_args__ = (
        # A GiST index exists only on PostGIS; SQLite prefilters on the bounding box and checks with shapely.
        Index("ix_operations_entity_location", "location", postgresql_using="gist").ddl_if(
            dialect="postgresql"
        ),
        Index("ix_operations_entity_bbox", "min_lon", "min_lat"),
    )

    entity_id: Mapped[str] = mapped_column(String(IRI_LENGTH), unique=True)
    # The expanded type IRI (https://uri.etsi.org/ngsi-ld/default-context/X for an unmapped term).
    entity_type: Mapped[str] = mapped_column(String(IRI_LENGTH), index=True)
    # {expanded attribute name: normalized attribute object, or a list of them (several datasetIds)}.
    attrs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The value of the `location` GeoProperty, for geo-queries in the database (PostGIS) or shapely.
    location: Mapped[Any | None] = mapped_column(Geometry("GEOMETRY"), default=None)
    min_lon: Mapped[float | None] = mapped_column(Float, default=None)
    min_lat: Mapped[float | None] = mapped_column(Float, default=None)
    max_lon: Mapped[float | None] = mapped_column(Float, default=None)
    max_lat: Mapped[float | None] = mapped_column(Float, default=None)
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime] = mapped_column(index=True)
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 (SQLAlchemy's declarative mapping)


class ContextDocument(UUIDPrimaryKey, Base):
    """A JSON-LD @context document an administrator registered under its URL (nothing is fetched)."""

    __tablename__ = "operations_context"

    url: Mapped[str] = mapped_column(String(2048), unique=True)
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    sha256: Mapped[str] = mapped_column(String(64))
    added_by: Mapped[str] = mapped_column(String(200))
    added_at: Mapped[datetime]


# ----------------------------------------------------------------------------------------- subscriptions
class Subscription(UUIDPrimaryKey, Base):
    """An NGSI-LD subscription (CIM 009 clause 5.2.12) and the status of its HTTP notifications."""

    __tablename__ = "operations_subscription"

    subscription_id: Mapped[str] = mapped_column(String(IRI_LENGTH), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # The selectors as the client wrote them ({type, id?, idPattern?}, compact names); the expanded types
    # live in operations_subscription_selector for matching in SQL.
    entities: Mapped[list[Any]] = mapped_column(JSON, default=list)
    watched_attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The watched names expanded with the subscription's @context (events carry compact names).
    watched_expanded: Mapped[list[str]] = mapped_column(JSON, default=list)
    q: Mapped[str | None] = mapped_column(Text, default=None)
    # The GeoQuery object as written ({georel, geometry, coordinates, geoproperty?}); {} for none.
    geo_q: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    notify_attributes: Mapped[list[str]] = mapped_column(JSON, default=list)
    notify_format: Mapped[str] = mapped_column(String(20), default="normalized")  # normalized | keyValues
    endpoint_uri: Mapped[str] = mapped_column(String(2048))
    endpoint_accept: Mapped[str] = mapped_column(String(40), default="application/json")
    # notification.endpoint's receiverInfo (headers added to each notification) and notifierInfo, as
    # written: {"receiverInfo": [{"key", "value"}], "notifierInfo": [...]}; {} for none.
    endpoint_info: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # At most one notification per this many seconds (0: none); later changes are coalesced.
    throttling: Mapped[float] = mapped_column(Float, default=0.0)
    # Periodic subscription (clause 5.2.12 timeInterval): a notification of every matching entity each
    # this many seconds, whatever changes (0: notify on change). The next tick is due at next_tick_at;
    # a tick job whose instant is not this one is stale (the interval changed) and does nothing.
    time_interval: Mapped[float] = mapped_column(Float, default=0.0)
    next_tick_at: Mapped[datetime | None] = mapped_column(default=None)
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)
    # {"spec": the @context the subscription was created with: a URL, a list, an object or null}.
    context: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    modified_at: Mapped[datetime]
    # Notification status (clause 5.2.15): ok | failed, with counters and instants.
    notify_status: Mapped[str | None] = mapped_column(String(10), default=None)
    times_sent: Mapped[int] = mapped_column(Integer, default=0)
    last_notification: Mapped[datetime | None] = mapped_column(default=None)
    last_success: Mapped[datetime | None] = mapped_column(default=None)
    last_failure: Mapped[datetime | None] = mapped_column(default=None)
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    # Throttling: no notification before this instant; the ids of entities changed since the last one.
    next_allowed_at: Mapped[datetime | None] = mapped_column(default=None)
    pending: Mapped[list[str]] = mapped_column(JSON, default=list)


class SubscriptionSelector(UUIDPrimaryKey, Base):
    """One entity selector of a subscription, expanded: a NULL type selects every type (watched only)."""

    __tablename__ = "operations_subscription_selector"
    __table_args__ = (Index("ix_operations_subscription_selector_type_id", "entity_type", "entity_id"),)

    subscription_row: Mapped[uuid.UUID] = mapped_column(ForeignKey("operations_subscription.id"), index=True)
    entity_type: Mapped[str | None] = mapped_column(String(IRI_LENGTH), default=None)
    entity_id: Mapped[str | None] = mapped_column(String(IRI_LENGTH), default=None)
    id_pattern: Mapped[str | None] = mapped_column(String(IRI_LENGTH), default=None)


# ---------------------------------------------------------------------------------------------- devices
class Device(UUIDPrimaryKey, Base):
    """A registered sensor or city system that reports readings."""

    __tablename__ = "operations_device"

    device_id: Mapped[str] = mapped_column(String(IRI_LENGTH), unique=True)
    # The Smart Data Model (or other type) of the entity it feeds, e.g. AirQualityObserved.
    device_type: Mapped[str] = mapped_column(String(100), index=True)
    name: Mapped[str] = mapped_column(String(300))
    # A plain column, not a foreign key: agencies belong to the identity domain.
    owner_agency_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    # The NGSI-LD entity its readings update (urn:ngsi-ld:<Type>:<id>).
    entity_id: Mapped[str | None] = mapped_column(String(IRI_LENGTH), default=None, index=True)
    location: Mapped[Any | None] = mapped_column(Geometry("POINT"), default=None)
    commune_code: Mapped[str | None] = mapped_column(String(10), default=None, index=True)
    reporting_interval_seconds: Mapped[int] = mapped_column(Integer, default=300)
    # {"date": ISO date, "offset": float, "gain": float, "next_due": ISO date, "by": text} per attribute.
    calibration: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The device's own API key (identity), when it publishes with one.
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_seen_at: Mapped[datetime | None] = mapped_column(default=None)
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


# ----------------------------------------------------------------------------------------------- alarms
class AlarmRuleVersion(UUIDPrimaryKey, Base):
    """One imported version of an alarm rule: the YAML as written and its parsed form (never edited)."""

    __tablename__ = "operations_alarm_rule_version"
    __table_args__ = (UniqueConstraint("name", "version"),)

    name: Mapped[str] = mapped_column(String(100), index=True)
    version: Mapped[int] = mapped_column(Integer)
    yaml_text: Mapped[str] = mapped_column(Text)
    parsed: Mapped[dict[str, Any]] = mapped_column(JSON)
    # The series the rule reads (from its target), for listing rules by sensor without parsing.
    series: Mapped[str] = mapped_column(String(200), index=True)
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    # The newest version of each name is the active one; importing a rule again deactivates the old row.
    active: Mapped[bool] = mapped_column(Boolean, default=True, index=True)


class AlarmRuleState(UUIDPrimaryKey, Base):
    """What the engine remembers of a rule between evaluations (pending duration, repeats, timers)."""

    __tablename__ = "operations_alarm_state"

    rule_name: Mapped[str] = mapped_column(String(100), unique=True)
    state: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # The alarm the state belongs to while one is open.
    alarm_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    evaluated_at: Mapped[datetime]


class Alarm(UUIDPrimaryKey, Base):
    """One alarm: raised by a rule, maybe escalated and acknowledged, cleared by the engine or by hand."""

    __tablename__ = "operations_alarm"
    __table_args__ = (Index("ix_operations_alarm_status_severity", "status", "severity"),)

    rule_name: Mapped[str] = mapped_column(String(100), index=True)
    rule_version: Mapped[int] = mapped_column(Integer)
    series: Mapped[str] = mapped_column(String(200), index=True)
    title: Mapped[str] = mapped_column(String(300), default="")
    title_en: Mapped[str] = mapped_column(String(300), default="")
    severity: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))  # raised | acknowledged | cleared
    raised_at: Mapped[datetime] = mapped_column(index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(default=None)
    acknowledged_by: Mapped[str | None] = mapped_column(String(200), default=None)
    acknowledge_note: Mapped[str] = mapped_column(Text, default="")
    cleared_at: Mapped[datetime | None] = mapped_column(default=None)
    # The operator who cleared it, or "auto" when the engine did.
    cleared_by: Mapped[str | None] = mapped_column(String(200), default=None)
    last_value: Mapped[float | None] = mapped_column(Float, default=None)
    escalations: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime]


class AlarmHistory(UUIDPrimaryKey, Base):
    """One thing that happened to an alarm, in order: raised, escalated, acknowledged, cleared."""

    __tablename__ = "operations_alarm_history"

    alarm_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("operations_alarm.id"), index=True)
    at: Mapped[datetime]
    action: Mapped[str] = mapped_column(String(20))
    severity: Mapped[str] = mapped_column(String(20))
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    value: Mapped[float | None] = mapped_column(Float, default=None)


# -------------------------------------------------------------------------------------------- scorecard


# ---------------------------------------------------------------------------------------------- quality
class QualityBaseline(UUIDPrimaryKey, Base):
    """The learned seasonal baseline of one operations series (quality.anomaly.Baseline as JSON)."""

    __tablename__ = "operations_quality_baseline"

    # The kernel series' name, not its id: a baseline survives a re-registration and reads in a dump.
    series_name: Mapped[str] = mapped_column(String(200), unique=True)
    # {"version", "centre"[168], "spread"[168], "count"[168], "source"[168], "k", "points", ...}
    baseline: Mapped[dict[str, Any]] = mapped_column(JSON)
    points: Mapped[int] = mapped_column(Integer)
    trained_from: Mapped[datetime]
    trained_to: Mapped[datetime]
    fitted_at: Mapped[datetime]


# -------------------------------------------------------------------------------------------- retention
class RetentionPolicy(UUIDPrimaryKey, Base):
    """How long the history of one device type is kept: raw points, then hour rollups (day: for ever)."""

    __tablename__ = "operations_retention_policy"

    # The NGSI-LD type name (the last segment of the entity's type IRI), as Device.device_type.
    device_type: Mapped[str] = mapped_column(String(100), unique=True)
    # Points and minute rollups older than this are deleted by the kernel's maintenance.
    raw_days: Mapped[int] = mapped_column(Integer)
    # Hour rollups older than this are deleted; None keeps them for ever.
    hour_days: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_by: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime]
