"""`thanglong procedures search` in a new process costs well under a second (issue 8: it took 2 s).

The bound is on the process's CPU time (user + system, from the kernel's accounting of the child),
median of five runs. The command is single-threaded and waits for nothing, so on an idle machine its
wall time is its CPU time (0.40 s wall measured idle, docs/benchmarks.md); on the shared two-core CI
machine other jobs stretch the wall time several times over (2.8 s wall for 0.55 s CPU at a load of
8), so a wall-time bound would measure the neighbours. Both figures are printed.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 5
# The old path (every sub-app, SQLAlchemy, FastAPI, pydantic-settings) cost 1.6-2.1 s of CPU.
BOUND_SECONDS = 1.0


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def test_cold_search_median_cost_is_under_the_bound(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("THANGLONG_")}
    env["THANGLONG_DATA_DIR"] = str(tmp_path)
    command = [sys.executable, "-m", "thanglong.cli", "procedures", "search", "khai sinh", "--json"]
    # One run first so that every later run reads the files from the page cache, as a second call does.
    subprocess.run(command, env=env, capture_output=True, check=True, timeout=120)
    walls, cpus = [], []
    for _ in range(RUNS):
        cpu, start = _cpu(), time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=True, timeout=120)
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
        assert '"1.001193"' in done.stdout
    wall, cost = statistics.median(walls), statistics.median(cpus)
    load = os.getloadavg()[0]
    print(f"procedures search, new process: median CPU {cost:.3f} s, wall {wall:.3f} s (load {load:.1f})")
    assert cost < BOUND_SECONDS, f"median CPU {cost:.3f} s over {RUNS} runs: {cpus} (wall {walls})"
