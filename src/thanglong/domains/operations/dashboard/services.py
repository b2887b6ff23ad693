"""Reading use cases of the operations dashboard: counts, the two map layers, a series' chart.

Each reads a handful of statements whatever the number of entities or alarms: one for the entities,
one for the open alarms (joined to their series' labels, which name the entity they measure).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from thanglong.core import geo
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.geo_store import BBox, bbox_clause, commune_label, geojson_geometries
from thanglong.core.models import GeoCommune
from thanglong.core.timeseries.models import Series
from thanglong.core.timeseries.query import frames, query
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.alarms.rules import (
    SEVERITIES,
    SEVERITY_LABELS,
    Composite,
    Condition,
    OutOfRange,
    Threshold,
    rule_from_data,
)
from thanglong.domains.operations.alarms.services import ACKNOWLEDGED, RAISED
from thanglong.domains.operations.models import Alarm, AlarmRuleVersion, Device, Entity
from thanglong.domains.operations.ngsi import normal
from thanglong.domains.operations.quality.services import QUALITY_PREFIX, VERDICT_MAX_AGE

OPEN = (RAISED, ACKNOWLEDGED)
# 0 for an entity without an open alarm, then 1 (info) to 4 (critical): the map colours by this rank.
RANK = {severity: index + 1 for index, severity in enumerate(SEVERITIES)}
MIN_HOURS, MAX_HOURS, DEFAULT_HOURS = 1, 168, 24
# Five-minute buckets up to a day (288 points at most), hourly beyond (168 at most).
FINE_BUCKET, COARSE_BUCKET = 300, 3600
FINE_UP_TO_HOURS = 24
# The main attributes shown in a sensor's popup: the first few numeric ones, by name.
MAX_VALUES = 4
NAME_LIMIT = 200


@dataclass(frozen=True)
class Summary:
    """The dashboard's counts."""

    entities: int
    located: int
    devices: int
    open_by_severity: dict[str, int]
    open_total: int
    quality_series: int
    unusable_series: int


@dataclass(frozen=True)
class Band:
    """A range of values in which a rule fires: [low, high], either end open (None)."""

    rule: str
    severity: str
    low: float | None
    high: float | None
    label: str


@dataclass(frozen=True)
class Period:
    """When an alarm of the series was open: [start, end), end None while it still is."""

    start: datetime
    end: datetime | None
    severity: str
    status: str
    title: str
    title_en: str


@dataclass(frozen=True)
class Chart:
    """A series over a time window: its buckets, its rules' bands and its alarms' periods."""

    name: str
    unit: str
    description_vi: str
    description_en: str
    start: datetime
    end: datetime
    bucket_seconds: int
    points: list[tuple[datetime, float]]
    bands: list[Band]
    periods: list[Period]


def summary(uow: UnitOfWork) -> Summary:
    """Count entities (located or not), devices, open alarms by severity and unusable series."""
    session = uow.session
    entities, located = session.execute(
        select(func.count(Entity.id), func.count(Entity.location)).select_from(Entity)
    ).one()
    devices = session.scalar(select(func.count(Device.id))) or 0
    counts = dict(
        session.execute(
            select(Alarm.severity, func.count(Alarm.id))
            .where(Alarm.status.in_(OPEN))
            .group_by(Alarm.severity)
        ).all()
    )
    by_severity = {severity: int(counts.get(severity, 0)) for severity in SEVERITIES}
    verdicts = list(
        session.scalars(select(Series.name).where(Series.name.like(f"{QUALITY_PREFIX}.usable.%")))
    )
    unusable = 0
    if verdicts:
        now = uow.clock()
        # The verdicts recorded by the quality schedule; a series without a recent one is not counted.
        recent = frames(session, verdicts, now - VERDICT_MAX_AGE, now + timedelta(microseconds=1))
        unusable = sum(1 for frame in recent.values() if len(frame) and frame.sum[-1] < 0.5)
    return Summary(
        entities=int(entities),
        located=int(located),
        devices=int(devices),
        open_by_severity=by_severity,
        open_total=sum(by_severity.values()),
        quality_series=len(verdicts),
        unusable_series=unusable,
    )


def _short(iri: str) -> str:
    """Return the last piece of an expanded name (an IRI) for people to read."""
    for mark in ("#", "/", ":"):
        if mark in iri:
            iri = iri.rsplit(mark, 1)[1]
    return iri


def _open_alarms_by_entity(uow: UnitOfWork) -> dict[str, list[str]]:
    """Return the open alarms' severities by the entity their series measures (one statement)."""
    rows = uow.session.execute(
        select(Alarm.severity, Series.labels)
        .outerjoin(Series, Series.name == Alarm.series)
        .where(Alarm.status.in_(OPEN))
    ).all()
    out: dict[str, list[str]] = {}
    for severity, labels in rows:
        # Series written by the NGSI-LD API carry `entity_id`; the demo's and the devices' `entity`.
        entity = (labels or {}).get("entity_id") or (labels or {}).get("entity")
        if isinstance(entity, str):
            out.setdefault(entity, []).append(severity)
    return out


def _worst(severities: list[str]) -> str | None:
    return max(severities, key=lambda s: RANK.get(s, 0)) if severities else None


def _values(attrs: dict[str, Any]) -> str:
    """Return the first numeric properties of an entity as "name: value unit" text."""
    pieces = []
    for name in sorted(attrs, key=_short):
        instance = normal.default_instance(attrs[name])
        if instance is None or instance.get("type") != normal.PROPERTY:
            continue
        value = instance.get("value")
        if isinstance(value, bool) or not isinstance(value, int | float):
            continue
        unit = instance.get("unitCode")
        pieces.append(f"{_short(name)}: {value:g}" + (f" {unit}" if isinstance(unit, str) else ""))
        if len(pieces) == MAX_VALUES:
            break
    return "; ".join(pieces)


def _located(uow: UnitOfWork, bbox: BBox | None) -> list[Any]:
    query_ = select(Entity.entity_id, Entity.entity_type, Entity.attrs, Entity.location).where(
        Entity.location.is_not(None)
    )
    if bbox is not None:
        query_ = query_.where(
            Entity.max_lon >= bbox[0],
            Entity.min_lon <= bbox[2],
            Entity.max_lat >= bbox[1],
            Entity.min_lat <= bbox[3],
        )
    return list(uow.session.execute(query_.order_by(Entity.entity_id)).all())


def sensors_layer(uow: UnitOfWork, bbox: BBox | None, language: str) -> dict[str, Any]:
    """Return each located entity as a point with its type, main values and worst open alarm."""
    english = language == "en"
    alarms = _open_alarms_by_entity(uow)
    features = []
    for entity_id, entity_type, attrs, location in _located(uow, bbox):
        point = location if location.geom_type == "Point" else location.representative_point()
        severities = alarms.get(entity_id, [])
        worst = _worst(severities)
        commune = geo.locate(point.x, point.y)
        label_vi, label_en = SEVERITY_LABELS.get(worst, ("", "")) if worst else ("Bình thường", "Normal")
        features.append(
            {
                "type": "Feature",
                "id": entity_id,
                "geometry": {"type": "Point", "coordinates": [point.x, point.y]},
                "properties": {
                    "entity_id": entity_id,
                    "label": _short(entity_id),
                    "type": _short(entity_type),
                    "values": _values(attrs),
                    "severity": worst or "none",
                    "severity_label": label_en if english else label_vi,
                    "severity_rank": RANK.get(worst, 0) if worst else 0,
                    "open_alarms": len(severities),
                    "commune": commune_label(commune.name, commune.name_en, language) if commune else "",
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def alarms_by_commune_layer(uow: UnitOfWork, bbox: BBox | None, language: str) -> dict[str, Any]:
    """Return every commune (in the box) with its sensors and their open alarms, worst first."""
    alarms = _open_alarms_by_entity(uow)
    sensors: Counter[str] = Counter()
    open_alarms: Counter[str] = Counter()
    worst: dict[str, int] = {}
    for entity_id, _type, _attrs, location in _located(uow, None):
        point = location if location.geom_type == "Point" else location.representative_point()
        commune = geo.locate(point.x, point.y)
        if commune is None:
            continue
        severities = alarms.get(entity_id, [])
        sensors[commune.code] += 1
        open_alarms[commune.code] += len(severities)
        worst[commune.code] = max([worst.get(commune.code, 0), *(RANK.get(s, 0) for s in severities)])
    statement = select(GeoCommune.code, GeoCommune.name, GeoCommune.name_en, GeoCommune.geometry)
    if bbox is not None:
        statement = statement.where(bbox_clause(uow.session, bbox))
    rows = uow.session.execute(statement.order_by(GeoCommune.code)).all()
    geometries = geojson_geometries([row[3] for row in rows])
    features = []
    for (code, name, name_en, _geometry), geometry in zip(rows, geometries, strict=True):
        features.append(
            {
                "type": "Feature",
                "id": code,
                "geometry": geometry,
                "properties": {
                    "code": code,
                    "name": name,
                    "label": commune_label(name, name_en, language),
                    "open_alarms": open_alarms[code],
                    "sensors": sensors[code],
                    "worst_rank": worst.get(code, 0),
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def series_with_rules(uow: UnitOfWork) -> list[str]:
    """Return the series that an active rule watches, those with a threshold or range first."""
    rows = uow.session.execute(
        select(AlarmRuleVersion.series, AlarmRuleVersion.parsed)
        .where(AlarmRuleVersion.active.is_(True))
        .order_by(AlarmRuleVersion.series)
    ).all()
    banded = [series for series, parsed in rows if _bands_of(rule_from_data(parsed).condition)]
    rest = [series for series, _ in rows if series not in banded]
    return list(dict.fromkeys([*banded, *rest]))


def _bands_of(condition: Condition) -> list[tuple[float | None, float | None, str]]:
    """Return the value ranges where a condition's thresholds and ranges hold (others draw no band)."""
    if isinstance(condition, Composite):
        return [band for part in condition.parts for band in _bands_of(part)]
    if isinstance(condition, Threshold):
        text = f"{condition.op} {condition.value:g}"
        if condition.op in (">", ">="):
            return [(condition.value, None, text)]
        return [(None, condition.value, text)]
    if isinstance(condition, OutOfRange):
        return [(None, condition.min, f"< {condition.min:g}"), (condition.max, None, f"> {condition.max:g}")]
    return []


def check_hours(hours: int) -> int:
    """Return the window in hours, or raise InvalidInput (422) outside 1 to 168."""
    if not MIN_HOURS <= hours <= MAX_HOURS:
        raise InvalidInput(
            "invalid_hours",
            f"Số giờ phải từ {MIN_HOURS} đến {MAX_HOURS}.",
            f"The number of hours must be between {MIN_HOURS} and {MAX_HOURS}.",
            hours=hours,
        )
    return hours


def chart(uow: UnitOfWork, name: str, *, hours: int = DEFAULT_HOURS) -> Chart:
    """Return a series' averages over the last hours with its rules' bands and its alarms' periods."""
    check_hours(hours)
    found = (
        uow.session.scalars(select(Series).where(Series.name == name, Series.domain == "operations")).first()
        if len(name) <= NAME_LIMIT
        else None
    )
    if found is None:
        raise NotFound(
            "series_not_found",
            "Không có chuỗi số liệu này trong trung tâm điều hành.",
            "The operations centre has no such series.",
            series=name[:NAME_LIMIT],
        )
    end = uow.clock()
    start = end - timedelta(hours=hours)
    bucket = FINE_BUCKET if hours <= FINE_UP_TO_HOURS else COARSE_BUCKET
    # Buckets aligned on the bucket width so that a reload draws the same bars.
    aligned = datetime.fromtimestamp(start.timestamp() // bucket * bucket, tz=start.tzinfo)
    points = query(uow.session, name, aligned, end, bucket, "avg")
    bands = []
    for rule_name, parsed in uow.session.execute(
        select(AlarmRuleVersion.name, AlarmRuleVersion.parsed).where(
            AlarmRuleVersion.series == name, AlarmRuleVersion.active.is_(True)
        )
    ).all():
        rule = rule_from_data(parsed)
        bands += [
            Band(rule_name, rule.severity, low, high, text) for low, high, text in _bands_of(rule.condition)
        ]
    alarms = uow.session.scalars(
        select(Alarm)
        .where(Alarm.series == name, Alarm.raised_at <= end)
        .where((Alarm.cleared_at.is_(None)) | (Alarm.cleared_at >= start))
        .order_by(Alarm.raised_at)
    ).all()
    periods = [
        Period(max(a.raised_at, start), a.cleared_at, a.severity, a.status, a.title, a.title_en)
        for a in alarms
    ]
    return Chart(
        name=name,
        unit=found.unit,
        description_vi=found.description_vi,
        description_en=found.description_en,
        start=start,
        end=end,
        bucket_seconds=bucket,
        points=points,
        bands=bands,
        periods=periods,
    )
