"""Vehicle classes and passenger-car-unit (PCU) factors: the one place the factors live.

The defaults are the conversion factors to passenger cars ("hệ số quy đổi ra xe con") of TCVN 4054:2005
(Đường ô tô — Yêu cầu thiết kế), table 2, flat and rolling terrain. Urban streets have their own table in
TCXDVN 104:2007 (now TCVN 13592:2022); a city that adopts it passes its own factors (`PcuFactors(...)`),
nothing else changes. docs/traffic-state.md says why and how the factors are used.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from thanglong.core.errors import InvalidInput

BICYCLE = "bicycle"
MOTORCYCLE = "motorcycle"
CAR = "car"
TRUCK = "truck"
BUS = "bus"
HEAVY_TRUCK = "heavy_truck"
ARTICULATED = "articulated"
UNCLASSIFIED = "unclassified"

# Vehicle classes, with their Vietnamese names as the standard writes them.
CLASSES: Mapping[str, str] = MappingProxyType(
    {
        BICYCLE: "xe đạp",
        MOTORCYCLE: "xe máy",
        CAR: "xe con",
        TRUCK: "xe tải 2 trục, xe buýt dưới 25 chỗ",
        BUS: "xe buýt lớn",
        HEAVY_TRUCK: "xe tải 3 trục trở lên",
        ARTICULATED: "xe kéo moóc, xe buýt kéo moóc",
        UNCLASSIFIED: "chưa phân loại",
    }
)

TCVN_4054_2005: Mapping[str, float] = MappingProxyType(
    {
        BICYCLE: 0.2,
        MOTORCYCLE: 0.3,
        CAR: 1.0,
        TRUCK: 2.0,
        BUS: 2.5,
        HEAVY_TRUCK: 2.5,
        ARTICULATED: 4.0,
    }
)


@dataclass(frozen=True)
class PcuFactors:
    """PCU factor per vehicle class; an unclassified vehicle counts `unclassified` PCU.

    An unclassified count is a count whose mix is unknown. For flows it counts `unclassified` PCU per
    vehicle (1.0, a car, unless configured: counts from loops that cannot tell classes apart are usually
    calibrated in car units). For the plausibility check the smallest factor is used instead, so that a
    stream of motorcycles counted by a classless loop is never rejected as impossible.
    """

    factors: Mapping[str, float] = field(default_factory=lambda: TCVN_4054_2005)
    unclassified: float = 1.0

    def __post_init__(self) -> None:
        """Refuse unknown classes and factors that are not positive."""
        for name, value in self.factors.items():
            if name not in CLASSES or name == UNCLASSIFIED:
                raise InvalidInput(
                    "traffic.pcu_unknown_class",
                    f"Loại xe '{name}' không có trong danh mục.",
                    f"Unknown vehicle class '{name}'.",
                )
            if not value > 0:
                raise InvalidInput(
                    "traffic.pcu_factor",
                    f"Hệ số quy đổi của '{name}' phải dương.",
                    f"The PCU factor of '{name}' must be positive.",
                )
        if not self.unclassified > 0:
            raise InvalidInput(
                "traffic.pcu_factor",
                "Hệ số quy đổi của xe chưa phân loại phải dương.",
                "The PCU factor of unclassified vehicles must be positive.",
            )

    def factor(self, vehicle_class: str) -> float:
        """Return the PCU factor of a class (the configured unclassified factor for unclassified)."""
        if vehicle_class == UNCLASSIFIED:
            return self.unclassified
        return self.factors[vehicle_class]

    def smallest(self) -> float:
        """Return the smallest factor: the fewest PCU a vehicle of unknown class can be."""
        return min(self.factors.values())

    def pcu(self, counts: Mapping[str, int]) -> float:
        """Convert counts per class to passenger car units."""
        return sum(self.factor(name) * n for name, n in counts.items())

    def pcu_lower_bound(self, counts: Mapping[str, int]) -> float:
        """Convert counts to PCU counting unclassified vehicles at the smallest factor."""
        return sum(
            (self.smallest() if name == UNCLASSIFIED else self.factor(name)) * n for name, n in counts.items()
        )


DEFAULT_FACTORS = PcuFactors()
