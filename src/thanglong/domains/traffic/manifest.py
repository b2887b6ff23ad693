"""Registration of the traffic domain (not yet in the default list: enabled explicitly until complete)."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest

MANIFEST = DomainManifest(
    name="traffic",
    title_vi="Điều hành giao thông thông minh",
    title_en="Smart traffic operations",
    depends_on=("identity", "operations"),
    router="thanglong.domains.traffic.web.routes:build_router",
    cli="thanglong.domains.traffic.cli:app",
    cli_name="traffic",
    templates="thanglong.domains.traffic",
    migrations="thanglong.domains.traffic",
)
