"""Fixtures of the retention tests: a platform with operations and the domains it depends on."""

from __future__ import annotations

from pathlib import Path

import pytest

from thanglong.core.config import Settings
from thanglong.core.testing.plugin import make_settings

DOMAINS = ["identity", "notify", "operations"]


@pytest.fixture
def tl_settings(tmp_path: Path, tl_database_url: str) -> Settings:
    """Settings with the operations domain and its dependencies enabled."""
    return make_settings(tmp_path, tl_database_url, domains=DOMAINS)
