"""Sign-in throttling holds under parallel attempts (40 wrong passwords at once, limit 5)."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from threading import Barrier

import pytest
from sqlalchemy import func, select

from tests.domains.identity.helpers import PASSWORD, make_user
from thanglong.core.errors import TooManyRequests, Unauthenticated
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import committing_platform
from thanglong.domains.identity import services
from thanglong.domains.identity.models import LoginAttempt

PARALLEL = 40


@pytest.fixture
def real_platform(tmp_path: Path) -> Iterator[Platform]:
    """A platform on its own migrated database whose units of work really commit."""
    with committing_platform(tmp_path, "throttle", domains=["identity"]) as platform:
        yield platform


def test_parallel_failures_are_counted_before_they_are_evaluated(real_platform: Platform) -> None:
    platform = real_platform
    user = make_user(platform)
    limit = platform.settings.login_max_failures
    start = Barrier(PARALLEL)

    def attempt(i: int) -> str:
        start.wait()
        try:
            with platform.uow() as uow:
                services.authenticate(
                    uow,
                    username=user.username,
                    password=f"wrong-{i}",
                    ip=f"198.51.100.{i}",
                    max_failures=limit,
                    window_seconds=platform.settings.login_window_seconds,
                )
        except Unauthenticated:
            return "evaluated"
        except TooManyRequests:
            return "throttled"
        return "signed in"

    with ThreadPoolExecutor(PARALLEL) as pool:
        outcomes = list(pool.map(attempt, range(PARALLEL)))
    assert outcomes.count("signed in") == 0
    # Never more than the limit; under a burst possibly fewer (every attempt counts the others first).
    assert outcomes.count("evaluated") <= limit, outcomes
    assert outcomes.count("evaluated") + outcomes.count("throttled") == PARALLEL
    with platform.uow() as uow:
        recorded = uow.session.scalar(
            select(func.count())
            .select_from(LoginAttempt)
            .where(LoginAttempt.username == user.username.lower())
        )
    # Refused attempts take their records back: only the evaluated failures remain.
    assert recorded == outcomes.count("evaluated")
    evaluated = outcomes.count("evaluated")

    def sign_in() -> object:
        with platform.uow() as uow:
            return services.authenticate(
                uow,
                username=user.username,
                password=PASSWORD,
                ip="192.0.2.1",
                max_failures=limit,
                window_seconds=platform.settings.login_window_seconds,
            )

    if evaluated == limit:  # the recorded failures reached the limit: even the right password waits
        with pytest.raises(TooManyRequests):
            sign_in()
    else:  # no password was guessed beyond what was recorded: the owner still gets in
        assert sign_in() is not None
