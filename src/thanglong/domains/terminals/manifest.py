"""Registration of the terminals domain (not yet in the default list: enabled explicitly until complete)."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest

MANIFEST = DomainManifest(
    name="terminals",
    title_vi="Thiết bị thông tin hộ gia đình",
    title_en="Household information terminals",
    cli="thanglong.domains.terminals.cli:app",
    cli_name="terminals",
)
