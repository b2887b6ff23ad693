"""The KPI registry: every enabled domain's key figures, listed and computed without failing as a whole."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from thanglong.core.manifest import KpiProvider, resolve
from thanglong.core.platform import Platform
from thanglong.core.uow import UnitOfWork

logger = logging.getLogger(__name__)


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

    @property
    def ok(self) -> bool:
        """Tell whether the value was computed."""
        return self.error is None

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
    started = time.perf_counter()
    value: float | None = None
    error: str | None = None
    try:
        function: Callable[[UnitOfWork], Any] = resolve(provider.compute)
        result = function(uow)
        if isinstance(result, bool) or not isinstance(result, int | float):
            raise TypeError(f"returned {type(result).__name__}, not a number")
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
    )


def compute_all(platform: Platform, *, domains: set[str] | None = None) -> list[KpiValue]:
    """Compute every KPI of the enabled domains (or of some), each in its own read-only unit of work."""
    out = []
    for item in providers(platform, domains=domains):
        with platform.uow() as uow:
            out.append(compute_one(uow, item))
    return out
