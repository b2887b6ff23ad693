"""Benchmark WorkingCalendar.add_working_days against a naive day-by-day loop over the same calendar.

Run: .venv/bin/python bench/calendar_add_working_days.py [--calls 100000] [--n 15] [--repeats 5] [--seed 2025]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta

from thanglong.core.calendar import WorkingCalendar


def random_days(count: int, seed: int) -> list[date]:
    """Draw submission days uniformly over 2024-2027, as dossiers would arrive."""
    rng = random.Random(seed)
    first = date(2024, 1, 1).toordinal()
    return [date.fromordinal(first + rng.randrange(4 * 365)) for _ in range(count)]


def naive_add(cal: WorkingCalendar) -> Callable[[date, int], date]:
    """Build the baseline: step one day at a time, asking whether each day is a working day."""

    def add(day: date, n: int) -> date:
        while not cal.is_working_day(day) and n == 0:
            day += timedelta(days=1)
        while n:
            day += timedelta(days=1)
            if cal.is_working_day(day):
                n -= 1
        return day

    return add


def median_seconds(fn: Callable[[date, int], date], days: Sequence[date], n: int, repeats: int) -> float:
    """Run fn over every day `repeats` times and return the median wall time."""
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        for day in days:
            fn(day, n)
        timings.append(time.perf_counter() - start)
    return statistics.median(timings)


def main() -> None:
    """Measure, check that both methods agree, and print the rates."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=100_000)
    parser.add_argument("--n", type=int, default=15)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2025)
    args = parser.parse_args()

    build_start = time.perf_counter()
    cal = WorkingCalendar()
    build = time.perf_counter() - build_start
    days = random_days(args.calls, args.seed)
    baseline = naive_add(cal)
    sample = days[:2000]
    mismatches = sum(cal.add_working_days(d, args.n) != baseline(d, args.n) for d in sample)
    if mismatches:
        raise SystemExit(f"engine and baseline disagree on {mismatches} of {len(sample)} days")

    engine_s = median_seconds(cal.add_working_days, days, args.n, args.repeats)
    naive_s = median_seconds(baseline, days, args.n, args.repeats)
    print(f"calendar build (first use, 1900-2100): {build * 1000:.1f} ms")
    print(f"add_working_days(d, {args.n}) x {args.calls:,}, median of {args.repeats}:")
    print(
        f"  engine (bisect over working-day ordinals): {engine_s:.3f} s  {args.calls / engine_s:,.0f} calls/s"
    )
    print(
        f"  naive day-by-day loop:                     {naive_s:.3f} s  {args.calls / naive_s:,.0f} calls/s"
    )
    print(f"  speed-up: {naive_s / engine_s:.1f}x")


if __name__ == "__main__":
    main()
