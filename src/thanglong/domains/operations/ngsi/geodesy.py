"""Distances on the WGS84 ellipsoid without pyproj: Vincenty's inverse formula and local scales."""

from __future__ import annotations

import math

SEMI_MAJOR = 6_378_137.0
FLATTENING = 1 / 298.257223563
SEMI_MINOR = SEMI_MAJOR * (1 - FLATTENING)
_E2 = FLATTENING * (2 - FLATTENING)
# Beyond this latitude a box in degrees of longitude no longer bounds a distance: take every longitude.
MAX_LATITUDE_DEGREES = 89.0
_MAX_ITERATIONS = 200
_TOLERANCE = 1e-12


def metres_per_degree(latitude: float) -> tuple[float, float]:
    """Return metres per degree of latitude and of longitude at a latitude (radii of curvature M and N)."""
    phi = math.radians(latitude)
    sin2 = math.sin(phi) ** 2
    meridian = SEMI_MAJOR * (1 - _E2) / (1 - _E2 * sin2) ** 1.5
    normal = SEMI_MAJOR / math.sqrt(1 - _E2 * sin2)
    return math.radians(1) * meridian, math.radians(1) * normal * math.cos(phi)


def geodesic_distance(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Return the distance in metres between two lon/lat points on WGS84 (Vincenty 1975, inverse).

    Vincenty's iteration is accurate to well under a millimetre; for nearly antipodal points, where it
    may not converge, the mean-radius great-circle distance (error under 0.5 %) is returned instead.
    """
    if lon1 == lon2 and lat1 == lat2:
        return 0.0
    u1 = math.atan((1 - FLATTENING) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - FLATTENING) * math.tan(math.radians(lat2)))
    difference = math.radians(lon2 - lon1)
    sin_u1, cos_u1, sin_u2, cos_u2 = math.sin(u1), math.cos(u1), math.sin(u2), math.cos(u2)
    lam = difference
    for _ in range(_MAX_ITERATIONS):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha**2
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha else 0.0
        c = FLATTENING / 16 * cos2_alpha * (4 + FLATTENING * (4 - 3 * cos2_alpha))
        previous = lam
        lam = difference + (1 - c) * FLATTENING * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm**2))
        )
        if abs(lam - previous) < _TOLERANCE:
            u_squared = cos2_alpha * (SEMI_MAJOR**2 - SEMI_MINOR**2) / SEMI_MINOR**2
            a = 1 + u_squared / 16384 * (4096 + u_squared * (-768 + u_squared * (320 - 175 * u_squared)))
            b = u_squared / 1024 * (256 + u_squared * (-128 + u_squared * (74 - 47 * u_squared)))
            delta_sigma = (
                b
                * sin_sigma
                * (
                    cos_2sm
                    + b
                    / 4
                    * (
                        cos_sigma * (-1 + 2 * cos_2sm**2)
                        - b / 6 * cos_2sm * (-3 + 4 * sin_sigma**2) * (-3 + 4 * cos_2sm**2)
                    )
                )
            )
            return SEMI_MINOR * a * (sigma - delta_sigma)
    return _great_circle(lon1, lat1, lon2, lat2)


def _great_circle(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    radius = (2 * SEMI_MAJOR + SEMI_MINOR) / 3
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    half = (
        math.sin((phi2 - phi1) / 2) ** 2
        + math.cos(phi1) * math.cos(phi2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * radius * math.asin(min(1.0, math.sqrt(half)))
