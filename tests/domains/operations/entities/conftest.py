"""Fixtures of the NGSI-LD tests: API keys by role, a client, request helpers."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from thanglong.core.platform import Platform
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import CITIZEN, OFFICER, OPERATOR

EXAMPLES = Path(__file__).parent / "examples"
LINK_REL = 'rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
ENVIRONMENT = (
    "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld"
)


def bearer(platform: Platform, role: str, name: str) -> dict[str, str]:
    with platform.uow() as uow:
        _dto, key = identity_api.create_api_key(uow, actor="test", name=name, role=role)
    return {"Authorization": f"Bearer {key}"}


@pytest.fixture
def operator(platform: Platform) -> dict[str, str]:
    """Headers of an operator's API key (may write)."""
    return bearer(platform, OPERATOR, "ngsi-operator")


@pytest.fixture
def officer(platform: Platform) -> dict[str, str]:
    """Headers of an officer's API key (may read only)."""
    return bearer(platform, OFFICER, "ngsi-officer")


@pytest.fixture
def citizen(platform: Platform) -> dict[str, str]:
    """Headers of a citizen's API key (may do neither)."""
    return bearer(platform, CITIZEN, "ngsi-citizen")


def link(url: str) -> str:
    """Return a Link header naming a @context."""
    return f"<{url}>; {LINK_REL}"


def example(name: str) -> dict[str, Any]:
    """Return one of the Smart Data Models examples shipped with the tests."""
    data: dict[str, Any] = json.loads((EXAMPLES / name).read_text("utf-8"))
    return data
