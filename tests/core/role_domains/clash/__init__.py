"""A domain that declares a role identity already declares."""

from __future__ import annotations

from thanglong.core.manifest import DomainManifest
from thanglong.core.security import RoleDef

MANIFEST = DomainManifest(
    name="clash",
    title_vi="Trùng vai trò",
    title_en="Clashing role",
    depends_on=("identity",),
    roles=(RoleDef("officer", "Cán bộ giao thông", "Traffic officer"),),
)
