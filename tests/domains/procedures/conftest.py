"""Fixtures of the procedures tests: a platform with the procedures domain and its dependencies."""

from __future__ import annotations

from pathlib import Path

import pytest

from thanglong.core.config import Settings
from thanglong.core.testing.plugin import make_settings

DOMAINS = ["identity", "notify", "payments", "procedures"]


@pytest.fixture
def tl_settings(tmp_path: Path, tl_database_url: str) -> Settings:
    """Settings with the procedures domain enabled."""
    return make_settings(tmp_path, tl_database_url, domains=DOMAINS)
