"""Background jobs of the traffic domain: the incident detector's schedule."""

from __future__ import annotations

from typing import TYPE_CHECKING

from thanglong.domains.traffic.incidents import operations

if TYPE_CHECKING:
    from thanglong.core.platform import Platform


def detect_incidents(platform: Platform) -> None:
    """Run the incident detector at the platform's time and commit what it opened."""
    with platform.uow() as uow:
        operations.detect(uow)
        uow.commit()
