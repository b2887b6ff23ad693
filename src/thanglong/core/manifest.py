"""DomainManifest: what a domain registers with the platform, by import path (loaded lazily)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any

from thanglong.core.security import Permission


@dataclass(frozen=True)
class NavItem:
    """An entry of the navigation bar."""

    path: str
    label_vi: str
    label_en: str
    permission: str | None = None


@dataclass(frozen=True)
class KpiProvider:
    """A key figure a domain exposes to the operations centre."""

    key: str
    label_vi: str
    label_en: str
    unit: str
    compute: str  # "module:function" taking (uow) and returning a float


@dataclass(frozen=True)
class Schedule:
    """A periodic background job."""

    name: str
    every_seconds: int
    job: str  # "module:function" taking (platform)


@dataclass(frozen=True)
class SeriesDef:
    """A time series a domain records into `core.timeseries` (labels as (key, value) pairs)."""

    name: str
    unit: str
    description_vi: str
    description_en: str
    labels: tuple[tuple[str, str], ...] = ()
    retention_days: int | None = None  # shorter than the platform's retention, or None for the platform's


@dataclass(frozen=True)
class DomainManifest:
    """Declarative registration of a domain.

    Every hook is a "module:attribute" string so that declaring a domain imports nothing heavy:
    `router` names a function (WebContext) -> APIRouter, `cli` a Typer app, `handlers` a function
    (platform) -> None that subscribes to the bus, `demo` a function (platform) -> None that loads demo
    data idempotently.
    """

    name: str
    title_vi: str
    title_en: str
    depends_on: tuple[str, ...] = ()
    router: str | None = None
    cli: str | None = None
    cli_name: str | None = None
    handlers: str | None = None
    demo: str | None = None
    templates: str | None = None  # package holding a templates/ folder
    permissions: tuple[Permission, ...] = ()
    nav: tuple[NavItem, ...] = ()
    kpis: tuple[KpiProvider, ...] = ()
    schedules: tuple[Schedule, ...] = field(default_factory=tuple)
    series: tuple[SeriesDef, ...] = ()


def resolve(ref: str) -> Any:
    """Import "package.module:attribute" and return the attribute."""
    module_name, _, attr = ref.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


def load_manifest(name: str) -> DomainManifest:
    """Import a domain package and return its MANIFEST."""
    module = importlib.import_module(f"thanglong.domains.{name}")
    manifest = getattr(module, "MANIFEST", None)
    if not isinstance(manifest, DomainManifest):
        raise RuntimeError(f"domain {name!r} has no MANIFEST")
    if manifest.name != name:
        raise RuntimeError(f"domain package {name!r} declares the name {manifest.name!r}")
    return manifest


def load_manifests(names: list[str]) -> list[DomainManifest]:
    """Load manifests in the configured order, checking that dependencies come first."""
    seen: set[str] = set()
    out: list[DomainManifest] = []
    for name in names:
        manifest = load_manifest(name)
        missing = [dep for dep in manifest.depends_on if dep not in seen]
        if missing:
            raise RuntimeError(f"domain {name!r} depends on {missing} which must be listed before it")
        seen.add(name)
        out.append(manifest)
    return out
