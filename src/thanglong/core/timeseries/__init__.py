"""Time series: series registry, batched idempotent appends, partitions and retention, rollups, queries."""
