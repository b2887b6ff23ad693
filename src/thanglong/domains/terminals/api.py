"""What other domains may use of terminals: CAP 1.2 validation and the household registry."""

from __future__ import annotations

from thanglong.domains.terminals.cap.problems import Problem, Report
from thanglong.domains.terminals.cap.services import PROFILES, validate_message
from thanglong.domains.terminals.fleet.dto import HouseholdDTO, TerminalDTO
from thanglong.domains.terminals.fleet.services import count_by_commune

__all__ = [
    "PROFILES",
    "HouseholdDTO",
    "Problem",
    "Report",
    "TerminalDTO",
    "count_by_commune",
    "validate_message",
]
