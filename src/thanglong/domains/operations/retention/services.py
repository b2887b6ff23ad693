"""Use cases of the retention policies: list, set, reset, and the policy of series registered anew.

A policy lives in operations_retention_policy; the kernel enforces it from each series' own
retention_days and hour_retention_days (core.timeseries.maintenance), which these use cases keep equal to
the policy of the series' device type: at registration (`completer`) and when a policy changes (one
UPDATE over the existing series of the type).
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select

from thanglong.core import audit
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.manifest import SeriesDef
from thanglong.core.timeseries import registry
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.models import RetentionPolicy
from thanglong.domains.operations.retention.policy import TYPE, Tiers, problems, type_name

DOMAIN = "operations"
OBJECT_TYPE = "operations.retention_policy"
ENTITY_TYPE = "entity_type"  # the label every entity attribute's series carries (entities._series)


@dataclass(frozen=True)
class PolicyDTO:
    """The retention of one device type and how many stored series it governs."""

    device_type: str
    raw_days: int
    hour_days: int | None
    series: int
    updated_by: str
    updated_at: datetime

    def as_json(self) -> dict[str, Any]:
        """Return the policy as JSON."""
        return {
            "device_type": self.device_type,
            "raw_days": self.raw_days,
            "hour_days": self.hour_days,
            "series": self.series,
            "updated_by": self.updated_by,
            "updated_at": self.updated_at.isoformat(),
        }


@dataclass(frozen=True)
class Overview:
    """Every policy, the platform's retention (the default of other types) and their series."""

    platform_days: int  # 0: points kept for ever
    policies: list[PolicyDTO]
    default_series: int  # series of a type without a policy

    def as_json(self) -> dict[str, Any]:
        """Return the overview as JSON."""
        return {
            "default": {
                "raw_days": self.platform_days or None,
                "hour_days": None,
                "series": self.default_series,
            },
            "policies": [p.as_json() for p in self.policies],
        }


def _platform_days(uow: UnitOfWork) -> int:
    return uow.settings.timeseries_retention_days if uow.settings else 0


def of_type(device_type: str) -> ColumnElement[bool]:
    """Return the condition on a series that it records an entity of this type (one statement for all)."""
    label = registry.label(ENTITY_TYPE)
    return or_(
        label == device_type,
        *(label.endswith(sep + device_type, autoescape=True) for sep in "/#:"),
    )


def _series_by_type(uow: UnitOfWork) -> Counter[str]:
    label = registry.label(ENTITY_TYPE)
    rows = uow.session.execute(select(label, func.count()).where(label.is_not(None)).group_by(label)).all()
    counts: Counter[str] = Counter()
    for iri, count in rows:
        counts[type_name(str(iri))] += int(count)
    return counts


def overview(uow: UnitOfWork) -> Overview:
    """List the policies by device type with their series, and the default (the platform's retention)."""
    counts = _series_by_type(uow)
    rows = uow.session.scalars(select(RetentionPolicy).order_by(RetentionPolicy.device_type)).all()
    policies = [_dto(row, counts[row.device_type]) for row in rows]
    default = sum(counts.values()) - sum(p.series for p in policies)
    return Overview(_platform_days(uow), policies, default)


def _dto(row: RetentionPolicy, series: int) -> PolicyDTO:
    return PolicyDTO(row.device_type, row.raw_days, row.hour_days, series, row.updated_by, row.updated_at)


def _check_type(device_type: str) -> None:
    if not TYPE.match(device_type):
        raise InvalidInput(
            "invalid_device_type",
            "Kiểu thiết bị phải là tên kiểu NGSI-LD (vd. TrafficFlowObserved).",
            "The device type must be an NGSI-LD type name (e.g. TrafficFlowObserved).",
        )


def set_policy(
    uow: UnitOfWork, *, actor: str, device_type: str, raw_days: int, hour_days: int | None
) -> tuple[PolicyDTO, int]:
    """Set the retention of a device type and of its stored series (one UPDATE); return it and the changed."""
    _check_type(device_type)
    found = problems(Tiers(raw_days, hour_days), _platform_days(uow))
    if found:
        raise InvalidInput(
            "invalid_retention",
            "Thời hạn lưu không hợp lệ: " + "; ".join(vi for _, vi, _ in found) + ".",
            "Invalid retention: " + "; ".join(en for _, _, en in found) + ".",
            fields=[name for name, _, _ in found],
        )
    session = uow.session
    now = uow.clock()
    row = session.scalar(select(RetentionPolicy).where(RetentionPolicy.device_type == device_type))
    before = None if row is None else {"raw_days": row.raw_days, "hour_days": row.hour_days}
    if row is None:
        row = RetentionPolicy(device_type=device_type, raw_days=raw_days, hour_days=hour_days)
        session.add(row)
    row.raw_days, row.hour_days, row.updated_by, row.updated_at = raw_days, hour_days, actor, now
    session.flush()
    changed = registry.set_retention(
        uow, DOMAIN, of_type(device_type), retention_days=raw_days, hour_retention_days=hour_days
    )
    audit.record(
        uow,
        actor=actor,
        action="operations.retention.set",
        object_type=OBJECT_TYPE,
        object_id=device_type,
        before=before,
        after={"raw_days": raw_days, "hour_days": hour_days, "series_changed": changed},
    )
    series = _series_by_type(uow)[device_type]
    uow.commit()
    return _dto(row, series), changed


def reset_policy(uow: UnitOfWork, *, actor: str, device_type: str) -> int:
    """Remove a device type's policy: its series go back to the platform's retention; count them."""
    session = uow.session
    row = session.scalar(select(RetentionPolicy).where(RetentionPolicy.device_type == device_type))
    if row is None:
        raise NotFound(
            "retention_policy_not_found",
            f"Kiểu thiết bị {device_type} không có chính sách lưu riêng.",
            f"Device type {device_type} has no retention policy of its own.",
        )
    before = {"raw_days": row.raw_days, "hour_days": row.hour_days}
    session.delete(row)
    session.flush()
    changed = registry.set_retention(
        uow, DOMAIN, of_type(device_type), retention_days=None, hour_retention_days=None
    )
    audit.record(
        uow,
        actor=actor,
        action="operations.retention.reset",
        object_type=OBJECT_TYPE,
        object_id=device_type,
        before=before,
        after={"raw_days": None, "hour_days": None, "series_changed": changed},
    )
    uow.commit()
    return changed


def completer(uow: UnitOfWork) -> Callable[[list[SeriesDef]], list[SeriesDef]]:
    """Return registry.register_many's hook giving new series their device type's policy (one query)."""

    def complete(new: list[SeriesDef]) -> list[SeriesDef]:
        types = {type_name(dict(d.labels).get(ENTITY_TYPE, "")) for d in new}
        rows = uow.session.execute(
            select(RetentionPolicy.device_type, RetentionPolicy.raw_days, RetentionPolicy.hour_days).where(
                RetentionPolicy.device_type.in_(sorted(types))
            )
        ).all()
        policies = {name: (raw, hour) for name, raw, hour in rows}
        out = []
        for definition in new:
            kept = policies.get(type_name(dict(definition.labels).get(ENTITY_TYPE, "")))
            out.append(
                definition
                if kept is None
                else dataclasses.replace(definition, retention_days=kept[0], hour_retention_days=kept[1])
            )
        return out

    return complete
