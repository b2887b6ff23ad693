"""DomainManifest: what a domain registers with the platform, by import path (loaded lazily)."""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Literal

from thanglong.core.security import Permission, RoleDef


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
    # What open data and the scorecard publish beside the value (all optional, see docs/kernel.md):
    # how the figure is computed, who answers for it, and how often it changes at its source.
    formula_vi: str = ""
    formula_en: str = ""
    owner_vi: str = ""
    owner_en: str = ""
    # None: the figure is as fresh as the kernel's recording (every KPI_RECORD_EVERY_SECONDS).
    refresh_seconds: int | None = None


CatchUp = Literal["skip", "latest", "all"]


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """A job run at wall-clock slots in Hanoi time: a 5-field `cron`, or `every_seconds` from midnight.

    Exactly one of `cron` and `every_seconds` is set (checked at start-up). `catch_up` says what to do
    with slots missed while no worker ran: "skip" them, run the "latest" one, or run "all" of them
    (at most 100). `job` names a function (platform) -> Any; one that also has a `slot` parameter gets
    the slot's instant as a keyword (None for a run started by hand). See docs/schedules.md.
    """

    name: str
    job: str  # "module:function"
    cron: str | None = None
    every_seconds: int | None = None
    catch_up: CatchUp = "latest"


@dataclass(frozen=True)
class JobKind:
    """A kind of durable job (core.jobs): its handler and its retry policy."""

    kind: str
    handler: str  # "module:function" taking a core.jobs.JobContext
    max_attempts: int = 8
    backoff_base_seconds: float = 30.0
    backoff_cap_seconds: float = 3600.0
    # A claimed job whose worker died runs again after this (well above the handler's timeouts).
    lease_seconds: int = 300
    # True: a claimed batch runs in one transaction, a savepoint per job, one commit (fast, short work
    # such as publishing to the broker). False: each job commits on its own (slow calls to outside systems).
    batch_transaction: bool = False
    # "module:function" taking (uow, job, error, retry_at) and called in the transaction that records a
    # failure (retry_at None: the job is dead), so a domain's own row can show the same state.
    on_failure: str | None = None
    # True: claimed before every other kind (short jobs people are waiting on, such as the relay that
    # feeds the live pages), so that a backlog of slow or bulk work does not delay them (docs/jobs.md).
    urgent: bool = False


@dataclass(frozen=True)
class EventHandler:
    """A reaction to an event: in the emitting transaction, or after its commit as a durable job."""

    event: str  # "module:EventClass"
    handler: str  # "module:function" taking (uow, event)
    # False: runs inside the writer's transaction before it commits (same commit, same rollback).
    # True: enqueued as a job in the writer's transaction and run after commit, at least once.
    after_commit: bool = True
    max_attempts: int = 8
    # After-commit only: "module:function" taking (uow, event) and returning whether the handler has
    # anything to do, asked in the emitting transaction; False queues no job. For a reaction that most
    # events do not concern (no subscription watches the entity), so they cost no job each.
    when: str | None = None

    @property
    def name(self) -> str:
        """Return the stable name of the handler (its import path)."""
        return self.handler


@dataclass(frozen=True)
class LiveChannel:
    """A stream of a domain's external events that pages follow live (server-sent events).

    `filter` names a function (principal, payload) -> bool deciding, event by event, whether the
    principal may see it (row-level visibility); without one, holding `permission` is enough.
    """

    name: str
    permission: str
    events: tuple[str, ...]  # event names, e.g. "procedures.DossierSubmitted"
    filter: str | None = None  # "module:function"


@dataclass(frozen=True)
class Consumer:
    """An MQTT subscription whose messages a handler processes in a unit of work (see docs/consumers.md).

    `topic` is an MQTT topic filter; `group` names a shared subscription (one worker of the group gets
    each message) and None gives every worker every message; `schema` is a "module:PydanticModel" that
    the JSON payload must satisfy, or None to hand over the raw bytes; `handler` is a "module:function"
    taking (uow, message); `max_in_flight` bounds the unacknowledged messages held by one worker.
    With `batch` the handler takes (uow, messages) instead and gets every new message of a batch in one
    call (intake that writes a batch with a few statements); a failing batch is retried message by message.
    """

    name: str
    topic: str
    handler: str
    qos: int = 1
    group: str | None = None
    schema: str | None = None
    max_in_flight: int = 100
    batch: bool = False


@dataclass(frozen=True)
class SeriesDef:
    """A time series a domain records into `core.timeseries` (labels as (key, value) pairs)."""

    name: str
    unit: str
    description_vi: str
    description_en: str
    labels: tuple[tuple[str, str], ...] = ()
    retention_days: int | None = None  # shorter than the platform's retention, or None for the platform's
    # Hour rollups older than this are deleted (at least retention_days); None keeps them for ever.
    hour_retention_days: int | None = None


@dataclass(frozen=True)
class TemplateFilter:
    """A Jinja2 filter a domain adds to every page: `function` is a "module:function" (value, lang).

    The shell passes the page's language, so a domain shows its own data (names it stores in Vietnamese,
    for instance) in the reader's language without importing the web shell.
    """

    name: str
    function: str


@dataclass(frozen=True)
class DomainManifest:
    """Declarative registration of a domain.

    Every hook is a "module:attribute" string so that declaring a domain imports nothing heavy:
    `router` names a function (WebContext) -> APIRouter, `cli` a Typer app, `setup` a function
    (platform) -> None run once when the platform is built, `demo` a function (platform) -> None that
    loads demo data idempotently. Event handlers, job kinds and schedules are declared as data.
    """

    name: str
    title_vi: str
    title_en: str
    depends_on: tuple[str, ...] = ()
    router: str | None = None
    cli: str | None = None
    cli_name: str | None = None
    # "module:Class", a core.domain_settings.DomainSettings with env_prefix THANGLONG_<NAME>_: read and
    # checked when the platform is built; a bad value stops start-up naming the variable.
    settings: str | None = None
    setup: str | None = None  # "module:function" taking (platform), run once when it is built
    demo: str | None = None
    templates: str | None = None  # package holding a templates/ folder
    # Roles the domain brings (stable names, unique across the enabled domains; see docs/domains.md).
    roles: tuple[RoleDef, ...] = ()
    permissions: tuple[Permission, ...] = ()
    nav: tuple[NavItem, ...] = ()
    kpis: tuple[KpiProvider, ...] = ()
    schedules: tuple[Schedule, ...] = field(default_factory=tuple)
    jobs: tuple[JobKind, ...] = ()
    event_handlers: tuple[EventHandler, ...] = ()
    live_channels: tuple[LiveChannel, ...] = ()
    map_layers: tuple[MapLayer, ...] = ()
    consumers: tuple[Consumer, ...] = ()
    series: tuple[SeriesDef, ...] = ()
    static: str | None = None  # package holding a static/ folder, served at /static/<name>/
    translations: str | None = None  # package holding locale/<lang>/LC_MESSAGES/messages.po
    template_filters: tuple[TemplateFilter, ...] = ()
    # Package holding a migrations/ folder: the domain's own Alembic branch (see docs/migrations.md).
    migrations: str | None = None


def resolve(ref: str) -> Any:
    """Import "package.module:attribute" and return the attribute."""
    module_name, _, attr = ref.partition(":")
    module = importlib.import_module(module_name)
    return getattr(module, attr) if attr else module


DOMAINS_PACKAGE = "thanglong.domains"


def domain_package(entry: str) -> str:
    """Return a configured domain's package: a bare name is in thanglong.domains, a dotted path is itself."""
    return entry if "." in entry else f"{DOMAINS_PACKAGE}.{entry}"


def load_manifest(entry: str) -> DomainManifest:
    """Import a domain package (a bare name or a dotted module path) and return its MANIFEST."""
    package = domain_package(entry)
    expected = package.rpartition(".")[2]
    module = importlib.import_module(package)
    manifest = getattr(module, "MANIFEST", None)
    if not isinstance(manifest, DomainManifest):
        raise RuntimeError(f"domain {entry!r} has no MANIFEST")
    if manifest.name != expected:
        raise RuntimeError(
            f"domain package {package!r} declares the name {manifest.name!r}, not {expected!r}"
        )
    return manifest


def load_manifests(entries: list[str]) -> list[DomainManifest]:
    """Load manifests in the configured order, checking that dependencies come first."""
    seen: set[str] = set()
    out: list[DomainManifest] = []
    for entry in entries:
        manifest = load_manifest(entry)
        if manifest.name in seen:
            raise RuntimeError(f"domain {manifest.name!r} is listed twice")
        missing = [dep for dep in manifest.depends_on if dep not in seen]
        if missing:
            raise RuntimeError(
                f"domain {manifest.name!r} depends on {missing} which must be listed before it"
            )
        seen.add(manifest.name)
        out.append(manifest)
    return out


@dataclass(frozen=True)
class LegendEntry:
    """One line of a map layer's legend."""

    label_vi: str
    label_en: str
    color: str


@dataclass(frozen=True)
class LayerField:
    """A feature property shown in the layer's popup, labelled and formatted on the page."""

    property: str
    label_vi: str
    label_en: str
    format: str = "text"  # "text", "integer" or "decimal" (numbers in the reader's locale)
    unit_vi: str = ""
    unit_en: str = ""


@dataclass(frozen=True)
class Choropleth:
    """Fill colours by a numeric property: colors[i] below breaks[i], the last colour at or above."""

    property: str
    breaks: tuple[float, ...]
    colors: tuple[str, ...]


@dataclass(frozen=True)
class LayerStyle:
    """How Leaflet draws a layer: stroke, fill, and optionally a choropleth fill by property."""

    color: str = "#3388ff"
    weight: float = 2.0
    fill_color: str = "#3388ff"
    fill_opacity: float = 0.2
    radius: float = 6.0  # points
    choropleth: Choropleth | None = None


@dataclass(frozen=True)
class MapLayer:
    """A layer a domain offers on the one map page.

    `features` names a function (uow, bbox, language) returning a GeoJSON FeatureCollection (dict);
    bbox is (min_lon, min_lat, max_lon, max_lat) in WGS84 or None for everything. A feature may carry
    a `label` property (its name in the reader's language) for tooltips. `permission` None makes
    the layer public, anonymous readers included. `bbox` asks the page to query the visible area on
    every move; `refresh_seconds` above 0 reloads it periodically; below `min_zoom` it is not drawn.
    """

    name: str  # "<domain>.<layer>"
    title_vi: str
    title_en: str
    features: str
    geometry: str = "polygon"  # "point", "line" or "polygon"
    permission: str | None = None
    style: LayerStyle = LayerStyle()
    legend: tuple[LegendEntry, ...] = ()
    fields: tuple[LayerField, ...] = ()
    refresh_seconds: int = 0
    min_zoom: int = 0
    bbox: bool = False
    visible_by_default: bool = True
