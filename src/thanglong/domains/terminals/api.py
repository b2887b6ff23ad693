"""What other domains may use of terminals: CAP 1.2 validation (bytes in, a report out)."""

from __future__ import annotations

from thanglong.domains.terminals.cap.problems import Problem, Report
from thanglong.domains.terminals.cap.services import PROFILES, validate_message

__all__ = ["PROFILES", "Problem", "Report", "validate_message"]
