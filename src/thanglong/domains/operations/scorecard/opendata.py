"""Open data: the scorecard's indicators as CSV and as NGSI-LD KeyPerformanceIndicator entities (pure)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from thanglong.core.kpi import KpiValue
from thanglong.core.manifest import KpiProvider

CSV_COLUMNS = (
    "key",
    "domain",
    "label_vi",
    "label_en",
    "value",
    "unit",
    "computed_at",
    "source",
    "provider",
    "formula_vi",
    "formula_en",
    "owner_vi",
    "owner_en",
    "refresh_seconds",
)
# Smart Data Models' context for the type, then the NGSI-LD core context; both are only named here,
# never fetched: a reader resolves them.
SDM_CONTEXT = "https://raw.githubusercontent.com/smart-data-models/dataModel.KeyPerformanceIndicator/master/context.jsonld"
NGSI_LD_CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"
CONTEXT = [SDM_CONTEXT, NGSI_LD_CORE_CONTEXT]
ENTITY_TYPE = "KeyPerformanceIndicator"
ID_PREFIX = "urn:ngsi-ld:KeyPerformanceIndicator:thanglong:"
DATA_PROVIDER = "Thăng Long"
AREA_SERVED = "Hà Nội"
# UN/CEFACT common codes for the units the KPIs use (NGSI-LD unitCode); others are left without one.
UNIT_CODES = {"%": "P1", "s": "SEC", "min": "MIN", "km": "KMT", "phút": "MIN"}
# calculationFrequency names SDM knows, for the refresh periods that match one exactly.
FREQUENCIES = {3600: "hourly", 86400: "daily", 604800: "weekly"}


def _frequency(refresh_seconds: int | None, default_seconds: int) -> str:
    seconds = refresh_seconds if refresh_seconds is not None else default_seconds
    return FREQUENCIES.get(seconds, f"every {seconds} s")


def csv_row(provider: KpiProvider, value: KpiValue, default_refresh: int) -> dict[str, str]:
    """Return one indicator's CSV row (empty cells for what is unknown)."""
    return {
        "key": provider.key,
        "domain": value.domain,
        "label_vi": provider.label_vi,
        "label_en": provider.label_en,
        "value": "" if value.value is None or not value.ok else repr(value.value),
        "unit": provider.unit,
        "computed_at": value.computed_at.isoformat() if value.computed_at else "",
        "source": value.source,
        "provider": provider.compute,
        "formula_vi": provider.formula_vi,
        "formula_en": provider.formula_en,
        "owner_vi": provider.owner_vi,
        "owner_en": provider.owner_en,
        "refresh_seconds": str(
            provider.refresh_seconds if provider.refresh_seconds is not None else default_refresh
        ),
    }


def to_csv(rows: Sequence[tuple[KpiProvider, KpiValue]], *, default_refresh: int) -> str:
    """Return the indicators as CSV: a header, then one row per indicator value."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for provider, value in rows:
        writer.writerow(csv_row(provider, value, default_refresh))
    return out.getvalue()


def _property(value: Any, **extra: Any) -> dict[str, Any]:
    return {"type": "Property", "value": value, **extra}


def entity(provider: KpiProvider, value: KpiValue, *, default_refresh: int) -> dict[str, Any]:
    """Return one indicator as an NGSI-LD entity of type KeyPerformanceIndicator, normalized form."""
    out: dict[str, Any] = {
        "id": ID_PREFIX + provider.key,
        "type": ENTITY_TYPE,
        "name": _property(provider.label_en),
        "alternateName": _property(provider.label_vi),
        "description": _property(f"{provider.label_vi} / {provider.label_en} ({provider.unit})"),
        "category": _property(["quantitative"]),
        "calculationMethod": _property("automatic"),
        "calculationFrequency": _property(_frequency(provider.refresh_seconds, default_refresh)),
        "dataProvider": _property(DATA_PROVIDER),
        "areaServed": _property(AREA_SERVED),
        "process": _property(provider.key),
        "source": _property(f"{value.domain}:{provider.compute}"),
    }
    if provider.formula_en or provider.formula_vi:
        out["calculationFormula"] = _property(provider.formula_en or provider.formula_vi)
    if provider.owner_en or provider.owner_vi:
        out["calculatedBy"] = _property(provider.owner_en or provider.owner_vi)
    if value.ok and value.value is not None:
        extra: dict[str, Any] = {}
        if value.computed_at is not None:
            extra["observedAt"] = value.computed_at.isoformat().replace("+00:00", "Z")
        if provider.unit in UNIT_CODES:
            extra["unitCode"] = UNIT_CODES[provider.unit]
        out["kpiValue"] = _property(value.value, **extra)
    if value.computed_at is not None:
        out["dateModified"] = _property(
            {"@type": "DateTime", "@value": value.computed_at.isoformat().replace("+00:00", "Z")}
        )
    out["@context"] = CONTEXT
    return out


def to_ngsi_ld(rows: Sequence[tuple[KpiProvider, KpiValue]], *, default_refresh: int) -> list[dict[str, Any]]:
    """Return the indicators as a list of NGSI-LD entities (application/ld+json, context in each)."""
    return [entity(provider, value, default_refresh=default_refresh) for provider, value in rows]
