"""Background jobs of the terminals domain: the fleet monitor, rollout waves, command publishing."""

from __future__ import annotations

from typing import TYPE_CHECKING

from thanglong.domains.terminals.fleet import monitor

if TYPE_CHECKING:
    from thanglong.core.platform import Platform


def monitor_fleet(platform: Platform) -> None:
    """Mark silent terminals offline, record the communes' online figures, raise or clear alarms."""
    with platform.uow() as uow:
        monitor.run(uow)
