"""Assemble the platform from settings: database, bus and the domains' manifests."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from thanglong.core.bus import MessageBus
from thanglong.core.clock import Clock, utcnow
from thanglong.core.config import Settings
from thanglong.core.db import make_engine, make_session_factory
from thanglong.core.manifest import DomainManifest, load_manifests, resolve
from thanglong.core.schedule_rules import validate_schedules
from thanglong.core.security import Permission
from thanglong.core.uow import UnitOfWork


@dataclass
class Platform:
    """Everything the web app, the CLI and the worker share, built once per process."""

    settings: Settings
    engine: Engine
    session_factory: sessionmaker[Session]
    bus: MessageBus
    manifests: list[DomainManifest]
    permissions: dict[str, Permission] = field(default_factory=dict)
    clock: Clock = utcnow

    def uow(self) -> UnitOfWork:
        """Open a new unit of work (use it in a with-block)."""
        return UnitOfWork(self.session_factory, self.bus, self.clock, self.settings)

    def manifest(self, name: str) -> DomainManifest:
        """Return the manifest of a loaded domain."""
        for m in self.manifests:
            if m.name == name:
                return m
        raise KeyError(name)

    def has_domain(self, name: str) -> bool:
        """Tell whether a domain is enabled."""
        return any(m.name == name for m in self.manifests)

    def close(self) -> None:
        """Release the database connections."""
        self.engine.dispose()


def build_platform(settings: Settings, *, engine: Engine | None = None, clock: Clock = utcnow) -> Platform:
    """Build the platform from settings (no work is done at import time)."""
    if settings.database_url is None:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = engine or make_engine(settings.effective_database_url)
    manifests = load_manifests(settings.domains)
    # A schedule that cannot run stops start-up here, naming itself, rather than failing in the worker.
    validate_schedules(manifests)
    permissions: dict[str, Permission] = {}
    for manifest in manifests:
        for perm in manifest.permissions:
            if perm.name in permissions:
                raise RuntimeError(f"permission {perm.name!r} declared twice")
            permissions[perm.name] = perm
    platform = Platform(
        settings=settings,
        engine=engine,
        session_factory=make_session_factory(engine),
        bus=MessageBus(),
        manifests=manifests,
        permissions=permissions,
        clock=clock,
    )
    for manifest in manifests:
        if manifest.handlers:
            register: Any = resolve(manifest.handlers)
            register(platform)
    return platform


def load_demo_data(platform: Platform) -> list[str]:
    """Run every domain's idempotent demo loader; return the names of the domains loaded."""
    loaded = []
    for manifest in platform.manifests:
        if manifest.demo:
            loader: Any = resolve(manifest.demo)
            loader(platform)
            loaded.append(manifest.name)
    return loaded
