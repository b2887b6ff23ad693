"""A domain that grants a permission to a role no enabled domain declares."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest
from thanglong.core.security import Permission

MANIFEST = DomainManifest(
    name="stray",
    title_vi="Vai trò lạc",
    title_en="Stray role",
    permissions=(Permission("stray.plans.write", "Sửa phương án", "Edit plans", frozenset({"duty_head"})),),
)
