"""Who sees which dossier event live: an officer follows the dossiers of his own agency."""

from __future__ import annotations

from typing import Any

from thanglong.core.security import Principal

QUEUE_CHANNEL = "procedures.queue"


def officer_sees(principal: Principal, payload: dict[str, Any]) -> bool:
    """Tell whether a dossier event belongs in the principal's work queue (the queue's own rule)."""
    # services.work_queue lists every agency's dossiers to staff without an agency (administrators).
    if principal.agency_id is None:
        return True
    agency = str(principal.agency_id)
    return agency in (payload.get("receiving_agency_id"), payload.get("competent_agency_id"))
