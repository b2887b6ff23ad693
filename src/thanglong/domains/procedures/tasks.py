"""Scheduled work of the procedures domain: Form 04 (apology) drafting.

The DVCQG sync and VNPost orders are durable jobs (kinds procedures.dvcqg and procedures.vnpost, see the
manifest), run continuously by the worker; their handlers live beside their services.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from thanglong.domains.procedures.documents import services as services_documents

if TYPE_CHECKING:
    from thanglong.core.platform import Platform


def draft_apologies(platform: Platform) -> None:
    """Draft, sign and send Form 04 for the dossiers one working day before they would be late."""
    services_documents.draft_apologies(platform)
