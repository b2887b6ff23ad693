"""Fixtures of the traffic tests: a migrated database, and a small generated grid scenario (made once)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from thanglong.core import migrate
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.domains.traffic.network.build import Scenario, grid

DOMAINS = ["identity", "notify", "operations", "traffic"]


@pytest.fixture(scope="session")
def tl_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One database per test process, migrated with the traffic branch."""
    url = create_database(tmp_path_factory.mktemp("traffic-db"), "traffic")
    engine = make_engine(url)
    migrate.upgrade(engine, domains=DOMAINS)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def tl_engine(tl_database_url: str) -> Iterator[Engine]:
    """The engine of the traffic database: its own, since the kernel's session engine may exist already.

    pytest caches a session fixture for the whole process, so a kernel `tl_engine` made first for another
    folder's test would point the traffic tests at a database without the traffic tables.
    """
    engine = make_engine(tl_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def tl_settings(tmp_path: Path, tl_database_url: str) -> Settings:
    """Settings with traffic and its dependencies enabled."""
    return make_settings(tmp_path, tl_database_url, domains=DOMAINS)


@pytest.fixture(scope="session")
def small_grid(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Return a 3×3 signalised grid with two minutes of Hanoi-mix demand (fixed seed)."""
    return grid(tmp_path_factory.mktemp("grid"), size=3, seed=11, period_s=0.5, duration_s=120)
