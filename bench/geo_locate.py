"""Benchmark point-in-commune lookups: thanglong.core.geo.locate against a naive loop over all polygons.

Run: .venv/bin/python bench/geo_locate.py [--points 20000] [--repeats 5] [--seed 2025]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence

import shapely

from thanglong.core import geo

Point = tuple[float, float]


def random_points(count: int, seed: int) -> list[Point]:
    """Draw uniform points in Hanoi's bounding box (about half fall outside the city)."""
    rng = random.Random(seed)
    minx, miny, maxx, maxy = geo.bounds()
    return [(rng.uniform(minx, maxx), rng.uniform(miny, maxy)) for _ in range(count)]


def naive_locator() -> Callable[[float, float], str | None]:
    """Build the baseline: test every commune polygon in turn with an unprepared contains."""
    # Fresh copies, so nothing prepared by the engine speeds the baseline up.
    polygons = [(c.code, shapely.from_wkb(shapely.to_wkb(c.geometry))) for c in geo.communes()]

    def locate(lon: float, lat: float) -> str | None:
        point = shapely.Point(lon, lat)
        for code, polygon in polygons:
            if polygon.contains(point):
                return code
        return None

    return locate


def strtree_locator() -> Callable[[float, float], str | None]:
    """Build the textbook index: an STRtree query per point, then prepared covers on the hits."""
    codes = [c.code for c in geo.communes()]
    polygons = shapely.from_wkb(shapely.to_wkb([c.geometry for c in geo.communes()]))
    shapely.prepare(polygons)
    tree = shapely.STRtree(polygons)

    def locate(lon: float, lat: float) -> str | None:
        point = shapely.Point(lon, lat)
        for i in tree.query(point):
            if polygons[i].covers(point):
                return codes[i]
        return None

    return locate


def engine_locate(lon: float, lat: float) -> str | None:
    """Locate with the engine and return the code, like the baseline."""
    found = geo.locate(lon, lat)
    return found.code if found else None


def rates(
    locators: dict[str, Callable[[float, float], str | None]], points: Sequence[Point], repeats: int
) -> dict[str, float]:
    """Return each locator's median lookups per second, interleaving them so they share the load."""
    seen: dict[str, list[float]] = {name: [] for name in locators}
    for _ in range(repeats):
        for name, locate in locators.items():
            start = time.perf_counter()
            for lon, lat in points:
                locate(lon, lat)
            seen[name].append(len(points) / (time.perf_counter() - start))
    return {name: statistics.median(values) for name, values in seen.items()}


def main() -> None:
    """Measure both locators on the same points and print the figures and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--points", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    points = random_points(args.points, args.seed)
    naive = naive_locator()
    geo.locate(*points[0])  # load the data and build the index outside the timed runs
    engine_codes = [engine_locate(*p) for p in points]
    naive_codes = [naive(*p) for p in points]
    inside = sum(code is not None for code in engine_codes)
    # The two may differ only on points in the thin slivers where simplified boundaries overlap.
    differ = sum(a != b for a, b in zip(engine_codes, naive_codes, strict=True))

    measured = rates(
        {"engine": engine_locate, "strtree": strtree_locator(), "naive": naive}, points, args.repeats
    )
    engine_rate, strtree_rate, naive_rate = measured["engine"], measured["strtree"], measured["naive"]
    print(f"points: {len(points):,} in Hanoi's bbox ({inside:,} inside a commune), repeats: {args.repeats}")
    print(f"engine (grid from STRtree, prepared polygons): {engine_rate:>10,.0f} lookups/s (median)")
    print(f"STRtree query per point, prepared covers:      {strtree_rate:>10,.0f} lookups/s (median)")
    print(f"naive loop over 126 polygons (baseline):       {naive_rate:>10,.0f} lookups/s (median)")
    print(f"speed-up over baseline: {engine_rate / naive_rate:.1f}x; answers differing: {differ}")


if __name__ == "__main__":
    main()
