"""Shared fixtures: the kernel's plugin plus web clients."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from thanglong.core.platform import Platform
from thanglong.web.app import create_app

pytest_plugins = ["thanglong.core.testing.plugin"]


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    """A test client of the full app on the test platform (cookies kept between calls)."""
    app = create_app(platform=platform)
    with TestClient(app, base_url="http://testserver") as c:
        yield c
