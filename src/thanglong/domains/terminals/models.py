"""Tables of the terminals domain, one module per capability, gathered here for Alembic and the mappers."""

from __future__ import annotations

from thanglong.domains.terminals.fleet.models import Command, FleetCounter, Household, Rollout, Terminal

__all__ = ["Command", "FleetCounter", "Household", "Rollout", "Terminal"]
