"""Assemble the platform from settings: database, bus and the domains' manifests."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from thanglong.core import domain_settings as domain_settings_module
from thanglong.core.bus import AfterCommit, Event, MessageBus
from thanglong.core.clock import Clock, utcnow
from thanglong.core.config import Settings
from thanglong.core.db import make_engine, make_session_factory
from thanglong.core.domain_settings import DomainSettings
from thanglong.core.errors import ThangLongError
from thanglong.core.kernel import KERNEL
from thanglong.core.manifest import DomainManifest, JobKind, load_manifests, resolve
from thanglong.core.mqtt import MqttPublisher, client_url
from thanglong.core.roles import collect_permissions, collect_roles
from thanglong.core.schedule_rules import validate_schedules
from thanglong.core.security import Permission, RoleRegistry
from thanglong.core.uow import UnitOfWork

S = TypeVar("S", bound=DomainSettings)


@dataclass
class Platform:
    """Everything the web app, the CLI and the worker share, built once per process."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    bus: MessageBus
    manifests: list[DomainManifest]
    permissions: dict[str, Permission] = field(default_factory=dict)
    roles: RoleRegistry = field(default_factory=RoleRegistry)
    clock: Clock = utcnow
    job_kinds: dict[str, JobKind] = field(default_factory=dict)
    domain_settings: dict[str, DomainSettings] = field(default_factory=dict)
    _publisher: MqttPublisher | None = None

    def uow(self) -> UnitOfWork:
        """Open a new unit of work (use it in a with-block)."""
        return UnitOfWork(
            self.session_factory,
            self.bus,
            self.clock,
            self.settings,
            roles=self.roles,
            job_kinds=frozenset(self.job_kinds),
        )

    def manifest(self, name: str) -> DomainManifest:
        """Return the manifest of a loaded domain."""
        for m in self.manifests:
            if m.name == name:
                return m
        raise KeyError(name)

    def config(self, settings_class: type[S]) -> S:
        """Return the settings a domain declared, as read at start-up (by their class)."""
        for value in self.domain_settings.values():
            if isinstance(value, settings_class):
                return value
        raise KeyError(settings_class.__name__)

    def has_domain(self, name: str) -> bool:
        """Tell whether a domain is enabled."""
        return any(m.name == name for m in self.manifests)

    def publisher(self) -> MqttPublisher:
        """Return this process's connection for publishing to the broker (made on first use)."""
        if self._publisher is None:
            self._publisher = MqttPublisher(client_url(self.settings))
        return self._publisher

    def close(self) -> None:
        """Release the broker connection and the database connections."""
        if self._publisher is not None:
            self._publisher.close()
            self._publisher = None
        self.engine.dispose()


AFTER_COMMIT_RUNNER = "thanglong.core.handlers:run_after_commit"


def _register_handlers(bus: MessageBus, manifests: list[DomainManifest]) -> None:
    for manifest in manifests:
        for spec in manifest.event_handlers:
            event_type: Any = resolve(spec.event)
            if not (isinstance(event_type, type) and issubclass(event_type, Event)):
                raise RuntimeError(f"{manifest.name}: {spec.event} is not an event class")
            if spec.after_commit:
                when = resolve(spec.when) if spec.when is not None else None
                bus.subscribe_after_commit(event_type, AfterCommit(spec.handler, spec.max_attempts, when))
            elif spec.when is not None:
                raise RuntimeError(f"{manifest.name}: {spec.handler} has `when` but runs in the transaction")
            else:
                bus.subscribe(event_type, resolve(spec.handler))


def _job_kinds(bus: MessageBus, manifests: list[DomainManifest]) -> dict[str, JobKind]:
    kinds: dict[str, JobKind] = {}
    for manifest in manifests:
        for kind in manifest.jobs:
            if kind.kind in kinds:
                raise RuntimeError(f"job kind {kind.kind!r} declared twice")
            kinds[kind.kind] = kind
    for handler in bus.after_commit_kinds():
        kinds[handler.job_kind] = JobKind(
            handler.job_kind, AFTER_COMMIT_RUNNER, max_attempts=handler.max_attempts
        )
    return kinds


def build_platform(settings: Settings, *, engine: Engine | None = None, clock: Clock = utcnow) -> Platform:
    """Build the platform from settings (no work is done at import time)."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = engine or make_engine(settings.effective_database_url)
    manifests = [KERNEL, *load_manifests(settings.domains)]
    # A schedule that cannot run stops start-up here, naming itself, rather than failing in the worker.
    validate_schedules(manifests)
    # Roles and grants that do not fit together stop start-up here, naming the manifests involved.
    roles = collect_roles(manifests)
    permissions = collect_permissions(manifests, roles)
    domain_settings = {
        m.name: domain_settings_module.load(m.name, resolve(m.settings), env=settings.env)
        for m in manifests
        if m.settings
    }
    bus = MessageBus()
    _register_handlers(bus, manifests)
    platform = Platform(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        bus=bus,
        manifests=manifests,
        permissions=permissions,
        roles=roles,
        clock=clock,
        job_kinds=_job_kinds(bus, manifests),
        domain_settings=domain_settings,
    )
    for manifest in manifests:
        if manifest.setup:
            setup: Any = resolve(manifest.setup)
            setup(platform)
    return platform


EXIT_BAD_CONFIGURATION = 2


def build_platform_or_exit(settings: Settings) -> Platform:
    """Build the platform for a command or server; bad configuration exits with one line naming it."""
    try:
        return build_platform(settings)
    except ThangLongError as exc:
        # One line for the operator, in both languages; a traceback would only hide the variable's name.
        sys.stderr.write(f"lỗi / error: {exc.message_vi} / {exc.message_en}\n")
        raise SystemExit(EXIT_BAD_CONFIGURATION) from None


def load_demo_data(platform: Platform) -> list[str]:
    """Run every domain's idempotent demo loader; return the names of the domains loaded."""
    loaded = []
    for manifest in platform.manifests:
        if manifest.demo:
            loader: Any = resolve(manifest.demo)
            loader(platform)
            loaded.append(manifest.name)
    return loaded
