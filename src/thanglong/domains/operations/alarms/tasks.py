"""Scheduled work of the alarms: every active rule evaluated once a minute."""

from __future__ import annotations

from typing import TYPE_CHECKING

from thanglong.domains.operations.alarms import services

if TYPE_CHECKING:
    from thanglong.core.platform import Platform


def evaluate_alarms(platform: Platform) -> None:
    """Evaluate every active alarm rule at the platform's time."""
    with platform.uow() as uow:
        services.evaluate(uow)
