"""Benchmark the e-form checks at filing: the schema alone (baseline) against schema plus plausibility.

Run: .venv/bin/python bench/procedures_plausibility.py [--forms 2000] [--repeats 5]

Every catalogue e-form is filled with the demo's sample data; each figure is the median of the repeats,
same run, same data. Both sides reuse their compiled validators and rules (the schema validator by the
schema's identity, the rules by a version key as at filing), so the figures compare the checks alone.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from thanglong.domains.procedures.catalogue import eform, plausibility
from thanglong.domains.procedures.catalogue.shipped import load_catalogue
from thanglong.domains.procedures.demo import sample_object

TODAY = date(2026, 12, 3)


def _time(run: Callable[[], object], repeats: int) -> float:
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    """Print forms per second with and without the plausibility checks."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--forms", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    specs = load_catalogue()
    cases: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
        (specs[i % len(specs)].code, specs[i % len(specs)].eform, sample_object(specs[i % len(specs)].eform))
        for i in range(args.forms)
    ]

    def schema_only() -> None:
        for _, schema, data in cases:
            eform.validate(schema, data)

    def with_plausibility() -> None:
        for code, schema, data in cases:
            plausibility.form_problems(schema, data, TODAY, key=code)

    def plausibility_only() -> None:
        for code, schema, data in cases:
            plausibility.check(schema, data, TODAY, key=code)

    schema_only()
    with_plausibility()  # compile and cache every form once, as the first filing of each does
    base = _time(schema_only, args.repeats)
    full = _time(with_plausibility, args.repeats)
    alone = _time(plausibility_only, args.repeats)
    rows = (("schema only (baseline)", base), ("schema + plausibility", full), ("plausibility alone", alone))
    for label, seconds in rows:
        print(f"{label:24s} {args.forms / seconds:10,.0f} forms/s {1000 * seconds / args.forms:8.3f} ms/form")


if __name__ == "__main__":
    main()
