"""Benchmark core.timeseries on PostgreSQL: batched appends beside COPY, hourly buckets beside GROUP BY.

Run: THANGLONG_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
     .venv/bin/python bench/timeseries.py [--database-url URL] [--sensors 100] [--days 30] [--batch 10000]
     [--append-points 1000000] [--repeats 5] [--writers 1] [--part append|query|both]

The bench creates its own database on that server and drops it at the end.

Append: the first --append-points points of the data set (every sensor reports once a minute; a batch
is --batch points, committed on its own) go through timeseries.append (points, the three rollups, the
duplicate check); the rollups are then checked once against GROUP BY on the points, and a tenth of the
batches is sent again (every point a duplicate). Beside it, in the same run, the same rows are inserted
with INSERT ... ON CONFLICT DO NOTHING (points only, no rollups), and COPYed (binary, from Python rows)
into core_ts_point itself (same partitions, primary key and BRIN index: no duplicate check, no rollups),
into a plain table without indexes and into an unlogged one. Partitions exist beforehand, as the
maintenance schedule makes them. Median over repeats, tables emptied between repeats. Timing starts with
the rows in memory and ends at the commit. With --writers N, N threads append at once, each for its own
share of the sensors (as consumers sharded by sensor would). The load average before and after each
repeat is printed (the figures depend on what else runs), and the CPU time the append took in this
process and in the database's backends (when the server runs on this machine).

Query: the whole data set (sensors x days x 1,440 points, 4.32 M by default) is loaded through append,
then bucketed by hour over the 30 days for one sensor and for all of them, beside the same answer from
GROUP BY date_trunc('hour', at) on the points table; the answers are compared first. Median of repeats.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import psycopg
from sqlalchemy import text
from sqlalchemy.engine import make_url

from thanglong.core import migrate
from thanglong.core.config import Settings
from thanglong.core.manifest import SeriesDef
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_server_database, drop_server_database
from thanglong.core.timeseries import partitions, pgpack, registry
from thanglong.core.timeseries.append import Sample, append
from thanglong.core.timeseries.buckets import ORIGIN
from thanglong.core.timeseries.frame import Frame
from thanglong.core.timeseries.query import frames

SERIES_PREFIX = "bench.sensor."
TABLES = ("core_ts_point", "core_ts_rollup_minute", "core_ts_rollup_hour", "core_ts_rollup_day")


def create_database(server_url: str) -> str:
    """Create a scratch database on the server; return its URL."""
    return create_server_database(server_url, f"tl_bench_ts_{uuid.uuid4().hex[:10]}")


def drop_database(server_url: str, url: str) -> None:
    """Drop the scratch database."""
    drop_server_database(server_url, url)


def libpq_url(url: str) -> str:
    """Return the URL without SQLAlchemy's driver suffix, for psycopg."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class DataSet:
    """Sensors reporting once a minute from a start instant, in batches in time order per writer."""

    def __init__(self, sensors: int, start: datetime, seed: int) -> None:
        self.sensors = sensors
        self.start = start
        self.names = [f"{SERIES_PREFIX}{i:03d}" for i in range(sensors)]
        rng = random.Random(seed)
        self.base = [rng.uniform(10, 80) for _ in range(sensors)]
        self.rng = rng

    def batches(self, points: int, batch: int, writers: int = 1, skip: int = 0) -> list[list[list[Sample]]]:
        """Return each writer's batches (its share of the sensors) of `points` points after `skip` minutes."""
        total_minutes = skip + math.ceil(points / self.sensors)
        out: list[list[list[Sample]]] = []
        for writer in range(writers):
            mine = list(zip(self.names, self.base, strict=True))[writer::writers]
            per_batch = max(1, batch // len(mine))
            batches: list[list[Sample]] = []
            for first in range(skip, total_minutes, per_batch):
                rows: list[Sample] = []
                for minute in range(first, min(first + per_batch, total_minutes)):
                    at = self.start + timedelta(minutes=minute)
                    daily = 10 * math.sin(2 * math.pi * (minute % 1440) / 1440)
                    rows.extend(
                        (name, at, round(base + daily + self.rng.gauss(0, 2), 3)) for name, base in mine
                    )
                batches.append(rows)
            out.append(batches)
        return out


def in_parallel(work: Callable[[int], object], writers: int) -> float:
    """Run work(writer) in one thread per writer; return the wall time until all are done."""
    started = time.perf_counter()
    with ThreadPoolExecutor(writers) as pool:
        for future in [pool.submit(work, writer) for writer in range(writers)]:
            future.result()
    return time.perf_counter() - started


def truncate(platform: Platform) -> None:
    """Empty the time-series tables (the registry stays)."""
    with platform.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {', '.join(TABLES)}"))


def append_all(platform: Platform, batches: list[list[Sample]], *, duplicates: bool = False) -> None:
    """Append every batch, each in its own unit of work (all new points, or all already stored)."""
    for rows in batches:
        with platform.uow() as uow:
            result = append(uow, rows)
            uow.commit()
        expected = 0 if duplicates else len(rows)
        if result.inserted != expected:
            raise RuntimeError(f"append stored {result.inserted} of {len(rows)} points, not {expected}")


POINTS_ONLY = (
    "INSERT INTO core_ts_point (series_id, at, value) "
    "SELECT * FROM unnest(%(sids)b::integer[], %(ats)b::timestamptz[], %(vals)b::float8[]) "
    "ON CONFLICT DO NOTHING"
)


def insert_points_only(url: str, batches: list[list[tuple[int, datetime, float]]]) -> None:
    """Insert every batch into the points table alone, idempotently, without rollups: what they cost."""
    with psycopg.connect(libpq_url(url)) as conn:
        for rows in batches:
            sids, ats, vals = (list(column) for column in zip(*rows, strict=True))
            conn.execute(POINTS_ONLY, {"sids": sids, "ats": ats, "vals": vals})
            conn.commit()


def copy_all(url: str, table: str, batches: list[list[tuple[int, datetime, float]]]) -> None:
    """COPY every batch (binary), each in its own transaction, into a table."""
    with psycopg.connect(libpq_url(url)) as conn:
        for rows in batches:
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {table} (series_id, at, value) FROM STDIN (FORMAT BINARY)") as copy,
            ):
                copy.set_types(["int4", "timestamptz", "float8"])
                for row in rows:
                    copy.write_row(row)
            conn.commit()


def backend_cpu_seconds(url: str) -> float | None:
    """Return the CPU time used so far by the database's client backends (None if not readable here)."""
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        pids = [
            row[0]
            for row in conn.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
        ]
    total = 0.0
    try:
        for pid in pids:
            # Fields 14 and 15 of /proc/PID/stat: user and system time in clock ticks.
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError):
        return None  # a remote server, or another user's processes
    return total


def check_rollups(url: str) -> int:
    """Compare the three rollups with GROUP BY on the stored points; return the points checked."""
    with psycopg.connect(libpq_url(url)) as conn:
        for width, table in (
            (60, "core_ts_rollup_minute"),
            (3600, "core_ts_rollup_hour"),
            (86400, "core_ts_rollup_day"),
        ):
            bad = conn.execute(
                f"""SELECT count(*) FROM (
                    SELECT series_id, date_bin(interval '{width} seconds', at, %(origin)s) AS bucket,
                           count(*) AS c, sum(value) AS s, min(value) AS lo, max(value) AS hi
                    FROM core_ts_point GROUP BY 1, 2) AS p
                FULL JOIN {table} AS r USING (series_id, bucket)
                WHERE r.count IS DISTINCT FROM p.c OR r.min IS DISTINCT FROM p.lo
                   OR r.max IS DISTINCT FROM p.hi OR abs(r.sum - p.s) > 1e-9 * greatest(1, abs(p.s))""",  # noqa: S608
                {"origin": ORIGIN},
            ).fetchone()
            if bad is None or bad[0]:
                raise RuntimeError(f"{bad} buckets of {table} differ from a recomputation from the points")
        row = conn.execute("SELECT count(*) FROM core_ts_point").fetchone()
    return int(row[0]) if row else 0


def bench_append(platform: Platform, url: str, data_set: DataSet, args: argparse.Namespace) -> None:
    """Print points per second appended, beside COPY of the same rows into the same table and others."""
    data = data_set.batches(args.append_points, args.batch, args.writers)
    points = sum(len(rows) for batches in data for rows in batches)
    with platform.uow() as uow:
        ids = registry.ids_for(uow, data_set.names)
    copy_rows = [
        [[(ids[name], at, value) for name, at, value in rows] for rows in batches] for batches in data
    ]
    resend = [batches[: max(1, len(batches) // 10)] for batches in data]
    resent = sum(len(rows) for batches in resend for rows in batches)
    with platform.engine.begin() as conn:
        conn.execute(text("CREATE TABLE bench_plain (series_id int NOT NULL, at timestamptz, value float8)"))
        conn.execute(text("CREATE UNLOGGED TABLE bench_unlogged (LIKE bench_plain)"))
    keys = ("append", "resend", "points_only", "copy_same", "copy_plain", "copy_unlogged")
    rates: dict[str, list[float]] = {key: [] for key in keys}
    loads: list[str] = []
    cpu: list[tuple[float, float | None]] = []
    checked = 0
    for repeat in range(args.repeats):
        load_before = os.getloadavg()[0]
        truncate(platform)
        with platform.engine.begin() as conn:
            conn.execute(text("TRUNCATE bench_plain, bench_unlogged"))
        client, server = time.process_time(), backend_cpu_seconds(url)
        rates["append"].append(points / in_parallel(lambda w: append_all(platform, data[w]), args.writers))
        server_after = backend_cpu_seconds(url)
        cpu.append(
            (
                time.process_time() - client,
                None if server is None or server_after is None else server_after - server,
            )
        )
        if repeat == 0:
            checked = check_rollups(url)
        seconds = in_parallel(lambda w: append_all(platform, resend[w], duplicates=True), args.writers)
        rates["resend"].append(resent / seconds)
        truncate(platform)
        seconds = in_parallel(lambda w: insert_points_only(url, copy_rows[w]), args.writers)
        rates["points_only"].append(points / seconds)
        truncate(platform)
        for key, table in (
            ("same", "core_ts_point"),
            ("plain", "bench_plain"),
            ("unlogged", "bench_unlogged"),
        ):
            seconds = in_parallel(
                lambda w, table=table: copy_all(url, table, copy_rows[w]),  # type: ignore[misc]
                args.writers,
            )
            rates[f"copy_{key}"].append(points / seconds)
        loads.append(f"{load_before:.1f} -> {os.getloadavg()[0]:.1f}")
    median = {key: statistics.median(values) for key, values in rates.items()}
    labels = {
        "append": "timeseries.append (points + 3 rollups, idempotent)",
        "resend": "timeseries.append of batches already stored (re-sent)",
        "points_only": "INSERT ... ON CONFLICT DO NOTHING, points only",
        "copy_same": "COPY binary into core_ts_point itself (baseline)",
        "copy_plain": "COPY binary into a plain table, no index (baseline)",
        "copy_unlogged": "COPY binary into an unlogged table, no index",
    }
    print(
        f"\nappend: {points:,} points, {args.writers} writer(s), batches of {len(data[0][0]):,} points "
        f"(each committed), median of {args.repeats}; rollups of {checked:,} points checked against "
        "GROUP BY on the points"
    )
    print(f"{'method':<58} {'points/s':>12}")
    for key in keys:
        print(f"{labels[key]:<58} {median[key]:>12,.0f}")
    print(
        f"append / COPY into core_ts_point: {median['append'] / median['copy_same']:.0%}; "
        f"append / COPY plain: {median['append'] / median['copy_plain']:.0%}"
    )
    client_ms = statistics.median(c for c, _ in cpu) * 1000 * 10_000 / points
    servers = [s for _, s in cpu if s is not None]
    if servers:
        server_ms = statistics.median(servers) * 1000 * 10_000 / points
        print(
            f"CPU per 10,000 points appended: client {client_ms:.1f} ms, database {server_ms:.1f} ms "
            f"(one writer on otherwise idle cores: about {10_000 / (client_ms + server_ms) * 1000:,.0f} /s)"
        )
    else:
        print(f"CPU per 10,000 points appended: client {client_ms:.1f} ms (database not measured: not local)")
    print("load average (1 min) before -> after each repeat: " + "; ".join(loads))
    print("every repeat (points/s): " + "; ".join(f"{k} {[round(v) for v in vs]}" for k, vs in rates.items()))


def median_ms(fn: Callable[[], object], repeats: int) -> float:
    """Return the median wall time of a call in milliseconds (one warm-up call first)."""
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times)


def group_by_raw(
    conn: psycopg.Connection[Any], ids: list[int], start: datetime, end: datetime
) -> dict[int, Any]:
    """Return each series' hourly (hour, count, sum, min, max) straight from the points (the baseline).

    Fetched packed for numpy like timeseries.frames, so that the two differ only in the database's work.
    """
    rows = (
        "SELECT series_id, date_trunc('hour', at), count(*), sum(value), min(value), max(value) "
        "FROM core_ts_point WHERE series_id = ANY(%(ids)s) AND at >= %(start)s AND at < %(end)s GROUP BY 1, 2"
    )
    with conn.cursor(binary=True) as cursor:
        packed = cursor.execute(pgpack.pack_sql(rows), {"ids": ids, "start": start, "end": end}).fetchall()
    return {sid: pgpack.unpack(data) for sid, data in packed}


def bench_query(platform: Platform, url: str, data_set: DataSet, args: argparse.Namespace) -> None:
    """Print the time to bucket the whole data set by hour, beside GROUP BY on the raw points."""
    total = args.sensors * args.days * 1440
    truncate(platform)
    seconds = 0.0
    for day in range(args.days):
        # A day at a time, so that the data set never sits in memory whole.
        data = data_set.batches(args.sensors * 1440, args.batch, args.writers, skip=day * 1440)
        seconds += in_parallel(lambda w, data=data: append_all(platform, data[w]), args.writers)  # type: ignore[misc]
    print(f"\nquery: loaded {total:,} points through append in {seconds:.1f} s ({total / seconds:,.0f}/s)")
    with psycopg.connect(libpq_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    start, end = data_set.start, data_set.start + timedelta(days=args.days)
    with platform.uow() as uow:
        ids = registry.ids_for(uow, data_set.names)
    one = [data_set.names[0]]

    def ours(names: list[str]) -> Callable[[], dict[str, Frame]]:
        def run() -> dict[str, Frame]:
            with platform.uow() as uow:
                return frames(uow.session, names, start, end, "hour")

        return run

    baseline = psycopg.connect(libpq_url(url), autocommit=True)
    # The answers first: the same hours with the same counts and averages.
    answer = ours(data_set.names)()
    reference = group_by_raw(baseline, list(ids.values()), start, end)
    for name, found in answer.items():
        hours_raw, counts, sums, _, _ = reference[ids[name]]
        if not (
            np.array_equal(found.start, hours_raw)
            and np.array_equal(found.count, counts)
            and np.allclose(found.values("avg"), sums / counts, rtol=1e-9)
        ):
            raise RuntimeError(f"hourly buckets of {name} differ from GROUP BY on the points")
    hours = sum(len(found) for found in answer.values())
    rows = [
        ("frames(), 1 sensor (hour rollup)", median_ms(ours(one), args.repeats)),
        (
            "GROUP BY date_trunc on the points, 1 sensor (baseline)",
            median_ms(lambda: group_by_raw(baseline, [ids[one[0]]], start, end), args.repeats),
        ),
        (f"frames(), {args.sensors} sensors (hour rollup)", median_ms(ours(data_set.names), args.repeats)),
        (
            f"GROUP BY date_trunc on the points, {args.sensors} sensors (baseline)",
            median_ms(lambda: group_by_raw(baseline, list(ids.values()), start, end), args.repeats),
        ),
    ]
    baseline.close()
    print(f"{args.days} days by hour: {hours:,} buckets from {total:,} points, median of {args.repeats}")
    print(f"{'method':<62} {'ms':>9}")
    for label, ms in rows:
        print(f"{label:<62} {ms:>9.1f}")


def main() -> None:
    """Run the append and query benchmarks on a scratch PostgreSQL database."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("THANGLONG_TEST_DATABASE_URL"))
    parser.add_argument("--sensors", type=int, default=100)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--append-points", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--writers", type=int, default=1, help="threads appending (and COPYing) at once")
    parser.add_argument("--part", choices=("append", "query", "both"), default="both")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        sys.exit("a PostgreSQL server is needed: set THANGLONG_TEST_DATABASE_URL or pass --database-url")

    url = create_database(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="tl-bench-ts-"))
    settings = Settings(
        env="test",
        data_dir=tmp,
        database_url=url,
        domains=[],
        timeseries_retention_days=0,
    )
    platform = build_platform(settings)
    try:
        migrate.upgrade(platform.engine)
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start = end - timedelta(days=args.days)
        partitions.make_range(platform.engine, start.date(), end.date())
        with platform.uow() as uow:
            for i in range(args.sensors):
                registry.register(
                    uow,
                    "bench",
                    SeriesDef(f"{SERIES_PREFIX}{i:03d}", "µg/m³", f"Cảm biến {i}", f"Sensor {i}"),
                )
            uow.commit()
        with psycopg.connect(libpq_url(url)) as conn:
            version = conn.execute("SHOW server_version").fetchone()
        print(f"PostgreSQL {version[0] if version else '?'}; {os.cpu_count()} CPUs")
        if args.part in ("append", "both"):
            bench_append(platform, url, DataSet(args.sensors, start, args.seed), args)
        if args.part in ("query", "both"):
            bench_query(platform, url, DataSet(args.sensors, start, args.seed), args)
    finally:
        platform.close()
        drop_database(args.database_url, url)


if __name__ == "__main__":
    main()
