"""Benchmark catalogue search() against a plain substring scan over the same catalogue, same queries.

Run: .venv/bin/python bench/procedures_search.py [--queries 100] [--repeats 5] [--seed 2026] [--cold-runs 7]

Queries are everyday phrasings from the catalogue's keywords, half of them with diacritics removed.
The query-embedding cache is cleared before every run, so "cold" figures include one e5 inference per
query; "warm" repeats the same queries with the cache filled, as a busy portal would see them.

Cold start: `thanglong procedures search "khai sinh"` in a new process (median wall and CPU time of
--cold-runs), beside the interpreter alone and `thanglong --help`, which loads every command's module
as every command did before the CLI loaded them lazily.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence

from thanglong.domains.procedures.catalogue import search as engine
from thanglong.domains.procedures.catalogue.search import fold
from thanglong.domains.procedures.catalogue.shipped import ProcedureSpec, load_catalogue


def make_queries(specs: Sequence[ProcedureSpec], count: int, seed: int) -> list[str]:
    """Pick keyword phrasings at random, removing diacritics from every other one."""
    pool = [keyword for spec in specs for keyword in spec.keywords]
    rng = random.Random(seed)
    picked = [rng.choice(pool) for _ in range(count)]
    return [fold(q) if i % 2 else q for i, q in enumerate(picked)]


def substring_baseline(specs: Sequence[ProcedureSpec]) -> Callable[[str], list[str]]:
    """Build the baseline: codes whose folded name or keywords contain the folded query."""
    haystacks = [(spec.code, fold(" | ".join([spec.name, *spec.keywords]))) for spec in specs]

    def find(query: str) -> list[str]:
        needle = fold(query)
        return [code for code, text in haystacks if needle in text][:10]

    return find


def median_qps(fn: Callable[[str], object], queries: Sequence[str], repeats: int, *, cold: bool) -> float:
    """Return the median queries per second over repeats."""
    rates = []
    for _ in range(repeats):
        if cold:
            engine._cached_query_text.cache_clear()
        start = time.perf_counter()
        for query in queries:
            fn(query)
        rates.append(len(queries) / (time.perf_counter() - start))
    return statistics.median(rates)


def _child_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cold_start(command: Sequence[str], runs: int) -> tuple[float, float]:
    """Return the median (wall, CPU) seconds of running a command in a new process, after one warm-up."""
    env = {k: v for k, v in os.environ.items() if k != "THANGLONG_DOMAINS"}
    subprocess.run(command, env=env, capture_output=True, check=True)
    walls, cpus = [], []
    for _ in range(runs):
        cpu, start = _child_cpu(), time.perf_counter()
        subprocess.run(command, env=env, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
        cpus.append(_child_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def main() -> None:
    """Print queries per second of search() (cold, warm, lexical only) beside the substring baseline."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--cold-runs", type=int, default=7)
    args = parser.parse_args()

    cli = [sys.executable, "-m", "thanglong.cli"]
    print(f"cold start, new process, median of {args.cold_runs} (load {os.getloadavg()[0]:.1f}):")
    for label, command in (
        ("python -c pass (interpreter floor)", [sys.executable, "-c", "pass"]),
        ("thanglong --help (loads every command)", [*cli, "--help"]),
        ("thanglong procedures search", [*cli, "procedures", "search", "khai sinh", "--json"]),
    ):
        wall, cpu = cold_start(command, args.cold_runs)
        print(f"  {label:<40} wall {wall:6.3f} s   CPU {cpu:6.3f} s")

    specs = load_catalogue()
    queries = make_queries(specs, args.queries, args.seed)
    start = time.perf_counter()
    index = engine.get_index()
    build = time.perf_counter() - start
    lexical_only = engine.SearchIndex(specs)
    baseline = substring_baseline(specs)

    baseline_hits = sum(1 for q in queries if baseline(q))
    print(f"catalogue: {len(specs)} procedures, {len(queries)} queries, median of {args.repeats} runs")
    print(f"index build (first use, semantic={index.semantic}): {build:.2f} s")
    rows = [
        ("substring scan (baseline)", median_qps(baseline, queries, args.repeats, cold=False)),
        (
            "search(), lexical only",
            median_qps(lambda q: lexical_only.search(q, 10), queries, args.repeats, cold=False),
        ),
        (
            "search(), fused, cold embeddings",
            median_qps(lambda q: index.search(q, 10), queries, args.repeats, cold=True),
        ),
        (
            "search(), fused, warm cache",
            median_qps(lambda q: index.search(q, 10), queries, args.repeats, cold=False),
        ),
    ]
    for label, qps in rows:
        print(f"{label:<36} {qps:>10.0f} queries/s   {1000 / qps:8.3f} ms/query")
    print(f"baseline answered {baseline_hits}/{len(queries)} queries at all (exact phrase only)")


if __name__ == "__main__":
    main()
