"""Fixtures of the example domain: a database migrated for identity and the out-of-tree tasklist domain."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from thanglong.core import migrate
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.testing.plugin import create_database, drop_database, make_settings

TASKLIST = "tests.example_domain.tasklist"
DOMAINS = ["identity", TASKLIST]


@pytest.fixture(scope="session")
def tl_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database of its own, migrated with THANGLONG_DOMAINS' list: the kernel, identity and tasklist.

    tasklist_task comes from the domain's own branch (tasklist/migrations/), found through its manifest.
    """
    url = create_database(tmp_path_factory.mktemp("db"), "tasklist")
    engine = make_engine(url)
    migrate.upgrade(engine, domains=DOMAINS)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def tl_engine(tl_database_url: str) -> Iterator[Engine]:
    """The engine of the example domain's database (overridden with the URL, or the shared one is cached)."""
    engine = make_engine(tl_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def tl_settings(tmp_path: Path, tl_database_url: str) -> Settings:
    """Settings enabling identity (sessions) and the out-of-tree tasklist domain only."""
    return make_settings(tmp_path, tl_database_url, domains=DOMAINS)
