"""Settings of the Python runtime for the long-running processes (`serve`, `worker`); see docs/runtime.md."""

from __future__ import annotations

import gc

# CPython collects its youngest generation every 700 net allocations by default. The intake allocates a
# few dozen objects per reading (JSON, dicts, datetimes) and almost none of them form cycles, so the
# collector ran thousands of times a second for nothing: with (10,000, 10, 10) the device-readings
# handler takes in 40-50 % more readings per second (bench/operations_ingest.py, docs/benchmarks.md).
# Memory held by garbage cycles waits longer, bounded by the generation sizes (tens of megabytes at most).
GC_THRESHOLDS = (10_000, 10, 10)


def tune_gc() -> None:
    """Collect less often, and keep what start-up created out of later full collections."""
    gc.set_threshold(*GC_THRESHOLDS)
    # Modules, the app and the platform live as long as the process: the full collections need not
    # walk them again and again (Python's gc.freeze, meant for this).
    gc.freeze()
