"""Fixtures of the scorecard tests: a platform with demo-like procedures data."""

from __future__ import annotations

import pytest

from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import demo as identity_demo
from thanglong.domains.procedures import demo as procedures_demo
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import load_catalogue


@pytest.fixture
def demo_platform(platform: Platform) -> Platform:
    """Return the platform with the demo agencies, the catalogue and the demo dossier history."""
    identity_demo.load_demo(platform)
    with platform.uow() as uow:
        load_specs(uow, load_catalogue(), actor=SYSTEM_ACTOR)
    procedures_demo.load_history(platform)
    return platform
