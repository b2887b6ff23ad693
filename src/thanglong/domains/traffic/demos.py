"""The traffic domain's demo hook: the streets and their day of counts, then the signal plans on them.

`demo` (segments, counts, incident) and `plans.demo` (the same network's junctions, bound to those
segments) are loaded in that order; `plans.demo` reads `demo`, so the hook that calls both lives here and
the two stay one-way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from thanglong.domains.traffic import demo
from thanglong.domains.traffic.plans import demo as plans_demo

if TYPE_CHECKING:
    from thanglong.core.platform import Platform


def load_demo(platform: Platform) -> None:
    """Load the traffic demo, then its signal plans (each idempotent)."""
    demo.load_demo(platform)
    with platform.uow() as uow:
        plans_demo.load_plans(uow, platform.settings.data_dir, demo.DEMO_ACTOR)
