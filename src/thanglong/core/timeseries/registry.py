"""The series registry: declared by the manifests, registered at first append or by the maintenance job."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select, update
from sqlalchemy.orm import Session

from thanglong.core.db import upsert_insert
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.manifest import DomainManifest, KpiProvider, SeriesDef, load_manifests
from thanglong.core.timeseries.models import Series
from thanglong.core.uow import UnitOfWork

KPI_PREFIX = "kpi."
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.:\-]{0,199}$")


class UnknownSeries(NotFound):
    """A series name that is neither registered nor declared by an enabled domain."""

    def __init__(self, name: str) -> None:
        super().__init__(
            "unknown_series",
            f"Chuỗi số liệu {name!r} chưa được đăng ký.",
            f"Time series {name!r} is not registered.",
            name=name,
        )


@dataclass(frozen=True)
class SeriesInfo:
    """A registered series as the registry holds it."""

    id: int
    name: str
    domain: str
    unit: str
    labels: dict[str, Any]
    description_vi: str
    description_en: str
    retention_days: int | None
    hour_retention_days: int | None = None

    @classmethod
    def of(cls, row: Series) -> SeriesInfo:
        """Copy a registry row."""
        return cls(
            row.id,
            row.name,
            row.domain,
            row.unit,
            dict(row.labels),
            row.description_vi,
            row.description_en,
            row.retention_days,
            row.hour_retention_days,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the series as JSON."""
        return {
            "name": self.name,
            "domain": self.domain,
            "unit": self.unit,
            "labels": self.labels,
            "description": self.description_vi,
            "description_en": self.description_en,
            "retention_days": self.retention_days,
            "hour_retention_days": self.hour_retention_days,
        }


def kpi_series(provider: KpiProvider) -> SeriesDef:
    """Return the series a KPI is recorded into (named "kpi." + its key, provider kept as a label)."""
    return SeriesDef(
        name=KPI_PREFIX + provider.key,
        unit=provider.unit,
        description_vi=provider.label_vi,
        description_en=provider.label_en,
        labels=(("kind", "kpi"), ("key", provider.key), ("provider", provider.compute)),
    )


def declared_series(manifests: Iterable[DomainManifest]) -> dict[str, tuple[str, SeriesDef]]:
    """Return every series the manifests declare (their own and their KPIs'), by name, with the domain."""
    out: dict[str, tuple[str, SeriesDef]] = {}
    for manifest in manifests:
        for definition in (*manifest.series, *(kpi_series(p) for p in manifest.kpis)):
            if definition.name in out:
                other = out[definition.name][0]
                raise RuntimeError(f"series {definition.name!r} declared by {other!r} and {manifest.name!r}")
            out[definition.name] = (manifest.name, definition)
    return out


def _check(definition: SeriesDef) -> None:
    problems = []
    if not _NAME.match(definition.name):
        problems.append("name")
    if not 1 <= len(definition.unit) <= 40:
        problems.append("unit")
    if definition.retention_days is not None and definition.retention_days < 1:
        problems.append("retention_days")
    hours = definition.hour_retention_days
    if hours is not None and (hours < 1 or hours < (definition.retention_days or 0)):
        # Hour rollups answer for the time the points are gone: they cannot go before the points.
        problems.append("hour_retention_days")
    if problems:
        raise InvalidInput(
            "invalid_series",
            f"Định nghĩa chuỗi số liệu {definition.name!r} không hợp lệ: {', '.join(problems)}.",
            f"Invalid time-series definition {definition.name!r}: {', '.join(problems)}.",
            fields=problems,
        )


def _insert(session: Session) -> Any:
    return upsert_insert(session, Series)


def register(uow: UnitOfWork, domain: str, definition: SeriesDef) -> SeriesInfo:
    """Register a series or bring its unit, labels and descriptions up to date (idempotent)."""
    _check(definition)
    session = uow.session
    now = uow.clock()
    fields = {
        "unit": definition.unit,
        "labels": dict(definition.labels),
        "description_vi": definition.description_vi,
        "description_en": definition.description_en,
        "retention_days": definition.retention_days,
        "hour_retention_days": definition.hour_retention_days,
    }
    row = session.scalar(select(Series).where(Series.name == definition.name))
    if row is None:
        # Another process may register the same series at the same moment: the loser reads the winner's.
        stmt = _insert(session).values(
            name=definition.name, domain=domain, created_at=now, updated_at=now, **fields
        )
        session.execute(stmt.on_conflict_do_nothing(index_elements=["name"]))
        row = session.scalar(select(Series).where(Series.name == definition.name))
        if row is None:  # inserted just now, by this transaction or by the winner of the race
            raise RuntimeError(f"series {definition.name!r} vanished after its insert")
    if row.domain != domain:
        raise Conflict(
            "series_owned_elsewhere",
            f"Chuỗi số liệu {definition.name!r} thuộc lĩnh vực {row.domain!r}, không phải {domain!r}.",
            f"Time series {definition.name!r} belongs to domain {row.domain!r}, not {domain!r}.",
        )
    if any(getattr(row, key) != value for key, value in fields.items()):
        for key, value in fields.items():
            setattr(row, key, value)
        row.updated_at = now
        session.flush()
    return SeriesInfo.of(row)


def ids_for(uow: UnitOfWork, names: Iterable[str]) -> dict[str, int]:
    """Return the ids of series by name, registering at first use those the enabled domains declare."""
    wanted = set(names)
    session = uow.session
    found = {
        row.name: row.id
        for row in session.execute(select(Series.name, Series.id).where(Series.name.in_(wanted)))
    }
    missing = wanted - found.keys()
    if missing:
        declared = declared_series(load_manifests(uow.settings.domains)) if uow.settings else {}
        for name in sorted(missing):
            if name not in declared:
                raise UnknownSeries(name)
            domain, definition = declared[name]
            found[name] = register(uow, domain, definition).id
    return found


def get(session: Session, name: str) -> SeriesInfo:
    """Return one registered series."""
    row = session.scalar(select(Series).where(Series.name == name))
    if row is None:
        raise UnknownSeries(name)
    return SeriesInfo.of(row)


def list_series(session: Session, *, domains: Sequence[str] | None = None) -> list[SeriesInfo]:
    """List registered series by name (of some domains only, if given)."""
    stmt = select(Series).order_by(Series.name)
    if domains is not None:
        stmt = stmt.where(Series.domain.in_(domains))
    return [SeriesInfo.of(row) for row in session.scalars(stmt)]


def sync_declared(uow: UnitOfWork, manifests: Iterable[DomainManifest]) -> int:
    """Register every series the manifests declare, updating changed definitions; return how many."""
    declared = declared_series(manifests)
    for domain, definition in declared.values():
        register(uow, domain, definition)
    return len(declared)


def register_many(
    uow: UnitOfWork,
    domain: str,
    definitions: Iterable[SeriesDef],
    *,
    complete: Callable[[list[SeriesDef]], list[SeriesDef]] | None = None,
) -> dict[str, int]:
    """Register many run-time series at once (one per sensor attribute); return every id by name.

    A handful of statements whatever the number: the names already stored are read in one query and
    the others inserted in one statement (ON CONFLICT DO NOTHING for a concurrent registration). A
    series that exists keeps its unit, labels and retention: use `register` or `set_retention`.
    `complete`, if given, is called once with the definitions about to be inserted (never when all
    exist) and returns them filled in, e.g. with the retention of a domain's policy.
    """
    wanted = {definition.name: definition for definition in definitions}
    if not wanted:
        return {}
    for definition in wanted.values():
        _check(definition)
    session = uow.session
    found = _owned(session, domain, wanted)
    missing = [wanted[name] for name in wanted if name not in found]
    if missing and complete is not None:
        missing = complete(missing)
        for definition in missing:
            _check(definition)
    if missing:
        now = uow.clock()
        session.execute(
            _insert(session).on_conflict_do_nothing(index_elements=["name"]),
            [
                {
                    "name": definition.name,
                    "domain": domain,
                    "unit": definition.unit,
                    "labels": dict(definition.labels),
                    "description_vi": definition.description_vi,
                    "description_en": definition.description_en,
                    "retention_days": definition.retention_days,
                    "hour_retention_days": definition.hour_retention_days,
                    "created_at": now,
                    "updated_at": now,
                }
                for definition in missing
            ],
        )
        found.update(_owned(session, domain, {d.name: d for d in missing}))
    return found


def _owned(session: Session, domain: str, wanted: Mapping[str, SeriesDef]) -> dict[str, int]:
    found: dict[str, int] = {}
    for name, series_id, owner in session.execute(
        select(Series.name, Series.id, Series.domain).where(Series.name.in_(list(wanted)))
    ):
        if owner != domain:
            raise Conflict(
                "series_owned_elsewhere",
                f"Chuỗi số liệu {name!r} thuộc lĩnh vực {owner!r}, không phải {domain!r}.",
                f"Time series {name!r} belongs to domain {owner!r}, not {domain!r}.",
            )
        found[name] = series_id
    return found


def label(key: str) -> ColumnElement[str]:
    """Return a series label as text, for the `where` of `set_retention` (JSON on both databases)."""
    text: ColumnElement[str] = Series.labels[key].as_string()
    return text


def set_retention(
    uow: UnitOfWork,
    domain: str,
    where: ColumnElement[bool],
    *,
    retention_days: int | None,
    hour_retention_days: int | None,
) -> int:
    """Set the retention of every series of a domain matching `where`, in one statement; count them.

    The next maintenance run deletes what is then past it (see maintenance.apply_retention).
    """
    _check(
        SeriesDef(
            "retention",
            "1",
            "",
            "",
            retention_days=retention_days,
            hour_retention_days=hour_retention_days,
        )
    )
    result: Any = uow.session.execute(
        update(Series)
        .where(Series.domain == domain, where)
        .where(
            (Series.retention_days.is_distinct_from(retention_days))
            | (Series.hour_retention_days.is_distinct_from(hour_retention_days))
        )
        .values(
            retention_days=retention_days, hour_retention_days=hour_retention_days, updated_at=uow.clock()
        )
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)
