"""Fixtures of the example domain: the platform with tasklist enabled by THANGLONG_DOMAINS' dotted path."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Connection

from tests.example_domain.tasklist.models import TasklistBase
from thanglong.core.config import Settings
from thanglong.core.testing.plugin import make_settings

TASKLIST = "tests.example_domain.tasklist"
DOMAINS = ["identity", TASKLIST]


@pytest.fixture
def tl_settings(tmp_path: Path, tl_database_url: str) -> Settings:
    """Settings enabling identity (sessions) and the out-of-tree tasklist domain only."""
    return make_settings(tmp_path, tl_database_url, domains=DOMAINS)


@pytest.fixture(autouse=True)
def tasklist_table(tl_connection: Connection) -> None:
    """Create tasklist_task inside the test's transaction (rolled back with it).

    Out-of-tree domains have no Alembic branch yet, so their tables are not in the migrated schema.
    """
    TasklistBase.metadata.create_all(tl_connection)
