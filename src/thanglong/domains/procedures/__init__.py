"""Online public services: catalogue, dossiers, statutory clock, results, statistics."""

from thanglong.domains.procedures.manifest import MANIFEST

__all__ = ["MANIFEST"]
