"""Benchmark the vectorised due-date engine against a per-dossier loop over clock.due_at.

Run: .venv/bin/python bench/procedures_due_dates.py [--dossiers 100000] [--n 15] [--repeats 5] [--seed 2025]
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import numpy.typing as npt

from thanglong.core.calendar import WorkingCalendar
from thanglong.domains.procedures.dossiers.clock import due_at, due_dates_days


def random_receipts(count: int, seed: int) -> npt.NDArray[np.datetime64]:
    """Draw receipt instants uniformly over 2024-2027 (UTC, whole seconds), as dossiers would arrive."""
    rng = np.random.default_rng(seed)
    low = int(datetime(2024, 1, 1, tzinfo=UTC).timestamp())
    high = int(datetime(2028, 1, 1, tzinfo=UTC).timestamp())
    seconds: npt.NDArray[np.datetime64] = rng.integers(low, high, size=count).astype("datetime64[s]")
    return seconds


def median_seconds(fn: Callable[[], object], repeats: int) -> float:
    """Run fn `repeats` times and return the median wall time."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    """Measure both engines in the same run, check that they agree, and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    build_start = time.perf_counter()
    cal = WorkingCalendar()
    due_dates_days(random_receipts(1, args.seed), args.n, cal)  # builds the cached ordinal array
    build = time.perf_counter() - build_start
    received = random_receipts(args.dossiers, args.seed)
    as_datetimes = [d.replace(tzinfo=UTC) for d in received.astype(datetime)]

    def loop() -> list[datetime]:
        return [due_at(r, unit="working_days", amount=args.n, calendar=cal) for r in as_datetimes]

    vectorised = due_dates_days(received, args.n, cal)
    scalar = np.array([d.replace(tzinfo=None) for d in loop()], dtype="datetime64[s]")
    if not (vectorised == scalar).all():
        raise SystemExit(f"engines disagree on {(vectorised != scalar).sum()} of {args.dossiers} dossiers")

    vector_s = median_seconds(lambda: due_dates_days(received, args.n, cal), args.repeats)
    loop_s = median_seconds(loop, args.repeats)
    print(f"calendar build + working-day ordinal array (first use): {build * 1000:.1f} ms")
    print(f"due dates for {args.dossiers:,} dossiers, {args.n} working days, median of {args.repeats}:")
    print(f"  vectorised (numpy searchsorted): {vector_s * 1000:9.1f} ms  {args.dossiers / vector_s:,.0f}/s")
    print(f"  loop over clock.due_at:          {loop_s * 1000:9.1f} ms  {args.dossiers / loop_s:,.0f}/s")
    print(f"  speed-up: {loop_s / vector_s:.0f}x; target < 1 s: {'met' if vector_s < 1 else 'MISSED'}")


if __name__ == "__main__":
    main()
