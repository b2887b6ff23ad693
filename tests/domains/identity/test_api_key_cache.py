"""API keys cached per process: no database read per request, revocation seen within the bound."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, update

from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import api, credentials
from thanglong.domains.identity.api import OFFICER
from thanglong.domains.identity.models import ApiKey

ME = "/api/v1/identity/me"


class StepTime:
    """The cache's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.t = 10_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def cache_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[StepTime]:
    clock = StepTime()
    monkeypatch.setattr(credentials.API_KEYS, "now", clock)
    credentials.API_KEYS.clear()
    yield clock
    credentials.API_KEYS.clear()


def _issue(platform: Platform) -> tuple[str, str]:
    with platform.uow() as uow:
        dto, key = api.create_api_key(uow, actor=SYSTEM_ACTOR, name="Cổng DVCQG", role=OFFICER)
    return dto.prefix, key


def _key_reads(platform: Platform) -> list[str]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "identity_api_key" in statement and statement.lstrip().startswith("SELECT"):
            seen.append(statement)

    event.listen(platform.engine, "before_cursor_execute", listen)
    return seen


def test_a_key_in_use_is_not_read_again_within_the_bound(
    client: TestClient, platform: Platform, cache_time: StepTime
) -> None:
    _, key = _issue(platform)
    headers = {"authorization": f"Bearer {key}"}
    reads = _key_reads(platform)
    assert client.get(ME, headers=headers).status_code == 200
    assert len(reads) == 1
    for _ in range(3):
        assert client.get(ME, headers=headers).json()["kind"] == "api_key"
    assert len(reads) == 1, "a key resolved moments ago is trusted without reading it again"
    cache_time.t += credentials.API_KEY_CACHE_SECONDS
    assert client.get(ME, headers=headers).status_code == 200
    assert len(reads) == 2


def test_a_revocation_here_takes_effect_at_once(
    client: TestClient, platform: Platform, cache_time: StepTime
) -> None:
    prefix, key = _issue(platform)
    headers = {"authorization": f"Bearer {key}"}
    assert client.get(ME, headers=headers).status_code == 200
    assert api.cached_api_key(key) is not None
    with platform.uow() as uow:
        credentials.revoke_api_key(uow, actor=SYSTEM_ACTOR, prefix=prefix)
    assert api.cached_api_key(key) is None
    assert client.get(ME, headers=headers).status_code == 401


def test_a_revocation_by_another_process_takes_effect_within_the_bound(
    client: TestClient, platform: Platform, cache_time: StepTime
) -> None:
    prefix, key = _issue(platform)
    headers = {"authorization": f"Bearer {key}"}
    assert client.get(ME, headers=headers).status_code == 200
    # Another app process revokes the key: the row changes, this process's cache is not told.
    with platform.uow() as uow:
        uow.session.execute(update(ApiKey).where(ApiKey.prefix == prefix).values(revoked_at=uow.clock()))
        uow.commit()
    cache_time.t += credentials.API_KEY_CACHE_SECONDS - 0.01
    assert client.get(ME, headers=headers).status_code == 200, "still trusted inside the documented bound"
    cache_time.t += 0.01
    assert client.get(ME, headers=headers).status_code == 401
    assert api.cached_api_key(key) is None


def test_only_well_formed_resolved_keys_are_cached(platform: Platform, cache_time: StepTime) -> None:
    _, key = _issue(platform)
    assert api.cached_api_key(key) is None
    assert api.resolve_api_key(platform, key + "x") is None
    assert api.cached_api_key(key + "x") is None
    assert api.resolve_api_key(platform, key) is not None
    assert api.cached_api_key(key) is not None
    assert api.cached_api_key("not-a-key") is None
