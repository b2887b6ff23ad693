"""The controller adapter interface: how the platform drives a signal controller, real or simulated.

Modelled on what NTCIP 1202 (actuated signal controllers) lets a central system do: read detectors,
command the signal indications of an intersection for a while (a central override), and hand control
back to the controller's own stored time-of-day plan. A real controller gets an adapter speaking its
protocol; the simulated one is SUMO's, through libsumo or TraCI (the same API).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from thanglong.domains.traffic.signals.controller import Sensors


class SignalAdapter(Protocol):
    """Operations the platform needs of a signal controller."""

    def sensors(self, tls_id: str) -> Sensors:
        """Return the detector readings of an intersection (valid for the current time step)."""
        ...

    def show(self, tls_id: str, state: str) -> None:
        """Command the signal indications (one character per link, SUMO notation)."""
        ...

    def restore_plan(self, tls_id: str) -> None:
        """Hand the intersection back to its stored fixed-time plan."""
        ...


class _SumoSensors:
    """Halting queues and loop gaps read from SUMO, cached for one time step."""

    def __init__(self, api: Any, loops: Mapping[str, str]) -> None:
        self._api = api
        self._loops = loops
        self._queues: dict[str, float] = {}
        self._gaps: dict[str, float] = {}

    def clear(self) -> None:
        self._queues.clear()
        self._gaps.clear()

    def queue(self, lane: str) -> float:
        """Return the lane's halting vehicles (speed below 0.1 m/s) in the last step."""
        value = self._queues.get(lane)
        if value is None:
            value = self._queues[lane] = float(self._api.lane.getLastStepHaltingNumber(lane))
        return value

    def occupied(self, lane: str) -> bool:
        """Tell whether any vehicle is on a lane (used for the lanes inside a junction)."""
        return int(self._api.lane.getLastStepVehicleNumber(lane)) > 0

    def gap(self, lane: str) -> float:
        """Return the seconds since the lane's loop last detected a vehicle (large when it has none)."""
        value = self._gaps.get(lane)
        if value is None:
            loop = self._loops.get(lane)
            raw = float(self._api.inductionloop.getTimeSinceDetection(loop)) if loop else 1e9
            value = self._gaps[lane] = raw
        return value


class SumoAdapter:
    """The simulated signal controller: SUMO's traffic lights through libsumo or TraCI."""

    def __init__(self, api: Any, loops: Mapping[str, str], stored: Mapping[str, str]) -> None:
        self._api = api
        self._sensors = _SumoSensors(api, loops)
        self._stored = dict(stored)
        self._shown: dict[str, str] = {}

    def new_step(self) -> None:
        """Forget the previous step's readings."""
        self._sensors.clear()

    def sensors(self, tls_id: str) -> _SumoSensors:
        """Return the readings (shared by every intersection; lanes are unique network-wide)."""
        return self._sensors

    def show(self, tls_id: str, state: str) -> None:
        """Set the signal string when it changes (SUMO keeps it until told otherwise)."""
        if self._shown.get(tls_id) != state:
            self._api.trafficlight.setRedYellowGreenState(tls_id, state)
            self._shown[tls_id] = state

    def restore_plan(self, tls_id: str) -> None:
        """Switch back to the stored programme."""
        self._api.trafficlight.setProgram(tls_id, self._stored[tls_id])
        self._shown.pop(tls_id, None)
