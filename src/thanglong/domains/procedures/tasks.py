"""Background jobs of the procedures domain: the DVCQG sync and Form 04 (apology) drafting."""

from __future__ import annotations

from typing import TYPE_CHECKING

from thanglong.domains.procedures import services_documents, services_dvcqg

if TYPE_CHECKING:
    from thanglong.core.platform import Platform


def push_dvcqg(platform: Platform) -> None:
    """Send the due dossier status changes to the national portal (DVCQG); nothing when it is off."""
    services_dvcqg.push_pending(platform)


def draft_apologies(platform: Platform) -> None:
    """Draft, sign and send Form 04 for the dossiers one working day before they would be late."""
    services_documents.draft_apologies(platform)
