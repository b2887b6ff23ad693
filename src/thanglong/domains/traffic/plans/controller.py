"""The field controller adapter: upload a timing plan, activate it, read it back (NTCIP 1202 style).

NTCIP 1202 lets a central system write a controller's timing patterns (phase and split tables), select
the pattern it runs (system pattern control) and read back the pattern in effect (coordination pattern
status). `FieldController` is that much, by intersection; an adapter speaking a real controller's
protocol implements it. `SimulatedController` is the one used by tests and the demo: it keeps patterns
in memory, checks what it is sent and can be told to fail, as a field controller does.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


class ControllerError(Exception):
    """The controller refused a command or could not be reached."""


@dataclass(frozen=True)
class ReadBack:
    """What the controller says it runs: the active pattern number and that pattern's contents."""

    tls_id: str
    pattern: int
    plan: Mapping[str, Any]
    mode: str  # "plan": running the selected pattern; "fallback": its stored fixed-time plan

    def to_json(self) -> dict[str, Any]:
        """Return the stored shape."""
        return {"tls_id": self.tls_id, "pattern": self.pattern, "plan": dict(self.plan), "mode": self.mode}


class FieldController(Protocol):
    """What the platform asks of a signal controller to change its plan."""

    name: str

    def upload(self, tls_id: str, pattern: int, plan: Mapping[str, Any]) -> None:
        """Write a timing plan into a pattern slot (not yet running)."""
        ...

    def activate(self, tls_id: str, pattern: int) -> None:
        """Select the pattern the intersection runs."""
        ...

    def read_back(self, tls_id: str) -> ReadBack:
        """Return the pattern in effect and its contents."""
        ...

    def fall_back(self, tls_id: str) -> None:
        """Return the intersection to its stored fixed-time plan (pattern 0)."""
        ...


@dataclass
class _Site:
    patterns: dict[int, dict[str, Any]] = field(default_factory=dict)
    active: int = 0
    mode: str = "plan"


@dataclass
class SimulatedController:
    """An in-memory controller: pattern 0 holds the stored fixed-time plan; failures can be injected."""

    name: str = "simulated"
    sites: dict[str, _Site] = field(default_factory=dict)
    # Operations that raise ControllerError (upload, activate, read_back): a broken or unreachable unit.
    failing: set[str] = field(default_factory=set)
    # Read back something other than what was activated (a controller that ignored the command).
    ignore_activate: bool = False

    def install(self, tls_id: str, stored: Mapping[str, Any]) -> None:
        """Install an intersection with its stored fixed-time plan as pattern 0, running it."""
        self.sites[tls_id] = _Site({0: copy.deepcopy(dict(stored))})

    def _site(self, tls_id: str, operation: str) -> _Site:
        if operation in self.failing:
            raise ControllerError(f"{tls_id}: no answer to {operation} (timeout)")
        site = self.sites.get(tls_id)
        if site is None:
            raise ControllerError(f"{tls_id}: no controller at this intersection")
        return site

    def upload(self, tls_id: str, pattern: int, plan: Mapping[str, Any]) -> None:
        """Store the plan in a pattern slot 1–255 (slot 0 is the stored fixed-time plan)."""
        site = self._site(tls_id, "upload")
        if not 1 <= pattern <= 255:
            raise ControllerError(f"{tls_id}: pattern {pattern} out of range 1-255")
        if plan.get("kind") not in ("fixed", "max-pressure", "actuated"):
            raise ControllerError(f"{tls_id}: unsupported plan kind {plan.get('kind')!r}")
        site.patterns[pattern] = copy.deepcopy(dict(plan))

    def activate(self, tls_id: str, pattern: int) -> None:
        """Run an uploaded pattern."""
        site = self._site(tls_id, "activate")
        if pattern not in site.patterns:
            raise ControllerError(f"{tls_id}: pattern {pattern} was never uploaded")
        if not self.ignore_activate:
            site.active, site.mode = pattern, "plan"

    def read_back(self, tls_id: str) -> ReadBack:
        """Return the pattern in effect."""
        site = self._site(tls_id, "read_back")
        return ReadBack(tls_id, site.active, copy.deepcopy(site.patterns[site.active]), site.mode)

    def fall_back(self, tls_id: str) -> None:
        """Run the stored fixed-time plan (pattern 0); this path works even when others fail."""
        site = self.sites.get(tls_id)
        if site is not None:
            site.active, site.mode = 0, "fallback"


@functools.cache
def simulated() -> SimulatedController:
    """Return this process's simulated controller (made on first use: nothing at import time)."""
    return SimulatedController()
