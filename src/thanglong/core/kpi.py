"""The KPI registry: every enabled domain's key figures, recorded on schedule, served with provenance."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from thanglong.core.errors import NotFound
from thanglong.core.kernel import KPI_RECORD_EVERY_SECONDS
from thanglong.core.manifest import KpiProvider, resolve
from thanglong.core.platform import Platform
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.query import latest, query
from thanglong.core.uow import UnitOfWork

logger = logging.getLogger(__name__)

# The kernel's "core.kpis.record" schedule records every KPI this often.
RECORD_EVERY_SECONDS = KPI_RECORD_EVERY_SECONDS
# A recorded value older than this means the schedule has stopped: compute live rather than serve it.
MAX_RECORDED_AGE = timedelta(seconds=3 * RECORD_EVERY_SECONDS)
SOURCE_RECORDED = "recorded"
SOURCE_LIVE = "live"


@dataclass(frozen=True)
class RegisteredKpi:
    """A provider with the domain that declares it."""

    domain: str
    provider: KpiProvider


@dataclass(frozen=True)
class KpiValue:
    """The outcome of computing one KPI: a value, or the error that prevented it."""

    domain: str
    key: str
    label_vi: str
    label_en: str
    unit: str
    value: float | None
    error: str | None
    elapsed_ms: float
    computed_at: datetime | None = None
    source: str = SOURCE_LIVE  # recorded (by the schedule or `thanglong kpis --record`), or computed live
    provider: str = ""  # the "module:function" that computed it

    @property
    def ok(self) -> bool:
        """Tell whether the KPI was computed (its value may still be None: no data to compute it from)."""
        return self.error is None

    @property
    def has_data(self) -> bool:
        """Tell whether there is a value to show."""
        return self.error is None and self.value is not None

    def to_dict(self) -> dict[str, Any]:
        """Return the KPI as JSON."""
        return {
            "domain": self.domain,
            "key": self.key,
            "label": self.label_vi,
            "label_en": self.label_en,
            "unit": self.unit,
            "value": self.value,
            "ok": self.ok,
            "error": self.error,
            "elapsed_ms": round(self.elapsed_ms, 1),
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
            "provenance": {"domain": self.domain, "provider": self.provider, "source": self.source},
        }


def providers(platform: Platform, *, domains: set[str] | None = None) -> list[RegisteredKpi]:
    """List the KPI providers of the enabled domains, in the configured order (optionally some only)."""
    return [
        RegisteredKpi(manifest.name, provider)
        for manifest in platform.manifests
        if domains is None or manifest.name in domains
        for provider in manifest.kpis
    ]


def compute_one(uow: UnitOfWork, item: RegisteredKpi) -> KpiValue:
    """Compute one KPI; an import error, an exception or a non-number becomes the KPI's error."""
    provider = item.provider
    computed_at = uow.clock()
    started = time.perf_counter()
    value: float | None = None
    error: str | None = None
    try:
        function: Callable[[UnitOfWork], Any] = resolve(provider.compute)
        result = function(uow)
        # None means "no data yet" (a rate with nothing to divide): shown as such, never as a zero.
        if result is not None:
            if isinstance(result, bool) or not isinstance(result, int | float):
                raise TypeError(f"returned {type(result).__name__}, not a number or None")
            value = float(result)
    except Exception as exc:  # a failing provider is reported, never fatal to the others
        logger.warning("KPI %s.%s failed", item.domain, provider.key, exc_info=True)
        error = f"{type(exc).__name__}: {exc}"[:300]
        # The failed provider may have left the session in a failed transaction.
        uow.rollback()
    return KpiValue(
        domain=item.domain,
        key=provider.key,
        label_vi=provider.label_vi,
        label_en=provider.label_en,
        unit=provider.unit,
        value=value,
        error=error,
        elapsed_ms=1000 * (time.perf_counter() - started),
        computed_at=computed_at,
        provider=provider.compute,
    )


def compute_all(platform: Platform, *, domains: set[str] | None = None) -> list[KpiValue]:
    """Compute every KPI of the enabled domains (or of some), each in its own read-only unit of work."""
    out = []
    for item in providers(platform, domains=domains):
        with platform.uow() as uow:
            out.append(compute_one(uow, item))
    return out


def series_name(item: RegisteredKpi) -> str:
    """Return the name of the time series a KPI is recorded into."""
    return registry.kpi_series(item.provider).name


def record_all(platform: Platform) -> list[KpiValue]:
    """Compute every KPI and record the values into their time series (the kernel's schedule runs this)."""
    values = compute_all(platform)
    items = providers(platform)
    with platform.uow() as uow:
        for item in items:
            registry.register(uow, item.domain, registry.kpi_series(item.provider))
        names = {(item.domain, item.provider.key): series_name(item) for item in items}
        append(
            uow,
            [
                (names[(v.domain, v.key)], v.computed_at, v.value)
                for v in values
                if v.value is not None and v.computed_at is not None
            ],
        )
        uow.commit()
    failed = [f"{v.domain}.{v.key}" for v in values if not v.ok]
    if failed:
        logger.warning("KPIs not recorded (their computation failed): %s", ", ".join(failed))
    return [replace(v, source=SOURCE_RECORDED) if v.ok else v for v in values]


def current(platform: Platform, *, domains: set[str] | None = None) -> list[KpiValue]:
    """Serve each KPI's latest recorded value, or compute it live when none is recent enough."""
    items = providers(platform, domains=domains)
    with platform.uow() as uow:
        recorded = latest(uow.session, [series_name(item) for item in items])
    now = platform.clock()
    out = []
    for item in items:
        found = recorded.get(series_name(item))
        if found is not None and now - found[0] <= MAX_RECORDED_AGE:
            provider = item.provider
            out.append(
                KpiValue(
                    domain=item.domain,
                    key=provider.key,
                    label_vi=provider.label_vi,
                    label_en=provider.label_en,
                    unit=provider.unit,
                    value=found[1],
                    error=None,
                    elapsed_ms=0.0,
                    computed_at=found[0],
                    source=SOURCE_RECORDED,
                    provider=provider.compute,
                )
            )
        else:
            with platform.uow() as uow:
                out.append(compute_one(uow, item))
    return out


def find(platform: Platform, key: str) -> RegisteredKpi:
    """Return the enabled provider of a KPI key."""
    for item in providers(platform):
        if item.provider.key == key:
            return item
    raise NotFound("unknown_kpi", f"Không có chỉ số {key!r}.", f"No KPI {key!r}.", key=key)


def history(
    platform: Platform, item: RegisteredKpi, start: datetime, end: datetime, bucket: str, agg: str
) -> list[tuple[datetime, float]]:
    """Return a KPI's recorded values over [start, end), bucketed (empty before its first recording)."""
    with platform.uow() as uow:
        try:
            return query(uow.session, series_name(item), start, end, bucket, agg)
        except registry.UnknownSeries:
            return []


def trend(points: list[tuple[datetime, float]]) -> dict[str, float | int | None]:
    """Summarise a history: first, last, change between them, lowest, highest, how many."""
    if not points:
        return {"count": 0, "first": None, "last": None, "change": None, "min": None, "max": None}
    values = [value for _, value in points]
    return {
        "count": len(values),
        "first": values[0],
        "last": values[-1],
        "change": values[-1] - values[0],
        "min": min(values),
        "max": max(values),
    }
