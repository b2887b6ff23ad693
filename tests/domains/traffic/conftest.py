"""Shared fixtures of the traffic tests: a small generated grid scenario (made once per session)."""

from __future__ import annotations

import pytest

from thanglong.domains.traffic.network.build import Scenario, grid


@pytest.fixture(scope="session")
def small_grid(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    """Return a 3×3 signalised grid with two minutes of Hanoi-mix demand (fixed seed)."""
    return grid(tmp_path_factory.mktemp("grid"), size=3, seed=11, period_s=0.5, duration_s=120)
