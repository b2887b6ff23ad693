"""The utilities whose bills households pay from their terminals (stable codes, shown names)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from thanglong.core.errors import InvalidInput


class Kind(StrEnum):
    """What a utility sells (stored values)."""

    ELECTRICITY = "electricity"
    WATER = "water"


@dataclass(frozen=True, slots=True)
class Utility:
    """A utility company: its stable code, its name and the unit its consumption is billed in."""

    code: str
    name: str
    kind: Kind

    @property
    def unit(self) -> str:
        """Return the unit of consumption on its bills."""
        return "kWh" if self.kind is Kind.ELECTRICITY else "m³"


# Hanoi's household electricity comes from one distributor; water from several companies by area.
UTILITIES: dict[str, Utility] = {
    u.code: u
    for u in (
        Utility("evn", "Tổng công ty Điện lực TP Hà Nội (EVNHANOI)", Kind.ELECTRICITY),
        Utility("nshn", "Công ty Nước sạch Hà Nội (Hawacom)", Kind.WATER),
        Utility("viwaco", "Công ty CP Nước sạch Vinaconex (Viwaco)", Kind.WATER),
        Utility("nsd", "Công ty CP Nước sạch Hà Đông", Kind.WATER),
        Utility("songda", "Công ty CP Nước sạch Sông Đà", Kind.WATER),
    )
}


def get(code: str) -> Utility:
    """Return a utility by its code, refusing an unknown one."""
    found = UTILITIES.get(code.strip().lower())
    if found is None:
        known = ", ".join(UTILITIES)
        raise InvalidInput(
            "unknown_utility",
            f"Không có đơn vị cung cấp mã {code!r}; có: {known}.",
            f"No utility has the code {code!r}; known: {known}.",
        )
    return found
