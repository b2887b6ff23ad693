"""Benchmark the NGSI-LD temporal API on PostgreSQL: a month of hourly aggregates out of 10 M readings.

Run: THANGLONG_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres \\
     PYTHONPATH=$PWD/src .venv/bin/python bench/operations_temporal.py [--sensors 100] [--points 100000]
     [--batch 10000] [--repeats 15]

The bench creates its own database on that server (every domain migrated) and drops it at the end.

Load: --sensors AirQualityObserved entities are created through the NGSI-LD batch use case (which
registers one series per sensor's no2), then each sensor gets --points readings, one a minute, appended
with the kernel's batch append (core.timeseries.append: points and the three rollups), --batch points a
batch, each committed on its own; a rich progress bar shows it.

Query: the dashboard's question, one sensor's last 30 days as hourly avg, min and max
(options=aggregatedValues, aggrMethods=avg,min,max, aggrPeriodDuration=PT1H, timerel=between), timed
as a median over --repeats (after one warm-up) three ways in the same run: the floor (the same hourly
buckets straight from core.timeseries.frames), the temporal use case (entities/temporal.get_temporal
in a unit of work) and the HTTP endpoint (GET /ngsi-ld/v1/temporal/entities/{id} through the full app,
an officer's API key, JSON parsed by the client). The answers are compared with the floor's first.
The load average is printed before and after each phase: the machine may be shared.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from fastapi.testclient import TestClient
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from sqlalchemy import text

from thanglong.core import migrate
from thanglong.core.config import Settings
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_server_database, drop_server_database
from thanglong.core.timeseries import partitions
from thanglong.core.timeseries.append import Sample, append
from thanglong.core.timeseries.query import frames
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import OFFICER
from thanglong.domains.operations.entities import services
from thanglong.domains.operations.entities import temporal as use_cases
from thanglong.domains.operations.ngsi import temporal
from thanglong.domains.operations.series import series_name
from thanglong.web.app import create_app

ENTITY = "urn:ngsi-ld:AirQualityObserved:bench-{:03d}"
# The Smart Data Models environment context ships with the platform: no2 compacts to "no2".
CONTEXT = "https://raw.githubusercontent.com/smart-data-models/dataModel.Environment/master/context.jsonld"
LINK = f'<{CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'


def create_database(server_url: str) -> str:
    """Create a scratch database on the server; return its URL."""
    return create_server_database(server_url, f"tl_bench_temporal_{uuid.uuid4().hex[:10]}")


def drop_database(server_url: str, url: str) -> None:
    """Drop the scratch database."""
    drop_server_database(server_url, url)


def load() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def batches(sensors: int, points: int, batch: int, start: datetime) -> Iterator[list[Sample]]:
    """Yield batches of readings, one a minute per sensor, in time order (a daily cycle and noise)."""
    rng = np.random.default_rng(2026)
    names = [series_name(ENTITY.format(i), "no2") for i in range(sensors)]
    base = rng.uniform(10, 80, sensors)
    minutes_per_batch = max(1, batch // sensors)
    for first in range(0, points, minutes_per_batch):
        minutes = range(first, min(first + minutes_per_batch, points))
        noise = rng.normal(0, 2, (len(minutes), sensors))
        rows: list[Sample] = []
        for k, minute in enumerate(minutes):
            at = start + timedelta(minutes=minute)
            daily = 10 * math.sin(2 * math.pi * (minute % 1440) / 1440)
            values = np.round(base + daily + noise[k], 3).tolist()
            rows.extend(zip(names, [at] * sensors, values, strict=True))
        yield rows


def load_readings(platform: Platform, args: argparse.Namespace, start: datetime) -> float:
    """Create the sensors' entities and append every reading; return the seconds the appends took."""
    with platform.uow() as uow:
        bodies = [
            {"id": ENTITY.format(i), "type": "AirQualityObserved", "no2": {"type": "Property", "value": 0.0}}
            for i in range(args.sensors)
        ]
        services.batch_create(uow, actor="bench", bodies=bodies, context_of=lambda _b: CONTEXT)
    with platform.uow() as uow:
        # The creation's own reading (stamped now) goes: the history is the bench's readings only.
        uow.session.execute(
            text("TRUNCATE core_ts_point, core_ts_rollup_minute, core_ts_rollup_hour, core_ts_rollup_day")
        )
        uow.commit()
    total = args.sensors * args.points
    appended = 0
    seconds = 0.0
    columns = (
        TextColumn("append"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns) as progress:
        task = progress.add_task("append", total=total, rate="")
        for rows in batches(args.sensors, args.points, args.batch, start):
            started = time.perf_counter()
            with platform.uow() as uow:
                result = append(uow, rows)
                uow.commit()
            seconds += time.perf_counter() - started
            if result.inserted != len(rows):
                sys.exit(f"append stored {result.inserted} of {len(rows)} points")
            appended += len(rows)
            progress.update(task, advance=len(rows), rate=f"{appended / seconds:,.0f} points/s")
    return seconds


def median_ms(fn: Callable[[], object], repeats: int) -> tuple[float, list[float]]:
    """Return the median wall time of a call in milliseconds (one warm-up first) and every time."""
    fn()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        fn()
        times.append(1000 * (time.perf_counter() - started))
    return statistics.median(times), times


def same(answer: dict[str, Any], floor: tuple[Any, Any, Any], buckets: int) -> None:
    """Stop the bench unless an answer holds the floor's hourly avg, min and max."""
    avg, low, high = floor
    if not len(answer["avg"]) == len(avg) == buckets:
        sys.exit(f"expected {buckets} buckets, got {len(answer['avg'])} and {len(avg)} from the floor")
    np.testing.assert_allclose([row[0] for row in answer["avg"]], avg)
    np.testing.assert_array_equal([row[0] for row in answer["min"]], low)
    np.testing.assert_array_equal([row[0] for row in answer["max"]], high)


def bench_query(
    platform: Platform, args: argparse.Namespace, start: datetime, end: datetime
) -> list[tuple[str, float, list[float]]]:
    """Time one sensor's month of hourly avg, min and max three ways; return (label, median, times)."""
    entity = ENTITY.format(args.sensors // 2)
    name = series_name(entity, "no2")
    month_start = max(end - timedelta(days=30), start)
    buckets = int((end - month_start) / timedelta(hours=1))
    params = temporal.TemporalParams(
        temporal.TimeRange(month_start, end),
        mode=temporal.AGGREGATED,
        methods=("avg", "min", "max"),
        period=timedelta(hours=1),
    )

    def floor() -> Any:
        with platform.uow() as uow:
            frame = frames(uow.session, [name], month_start, end, "hour")[name]
            return frame.values("avg"), frame.min, frame.max

    def use_case() -> Any:
        with platform.uow() as uow:
            return use_cases.get_temporal(uow, entity, params, context=CONTEXT)

    with platform.uow() as uow:
        _dto, key = identity_api.create_api_key(uow, actor="bench", name="bench", role=OFFICER)
    query = {
        "timerel": "between",
        "timeAt": month_start.isoformat().replace("+00:00", "Z"),
        "endTimeAt": end.isoformat().replace("+00:00", "Z"),
        "options": "aggregatedValues",
        "aggrMethods": "avg,min,max",
        "aggrPeriodDuration": "PT1H",
    }
    headers = {"Authorization": f"Bearer {key}", "Link": LINK}
    with TestClient(create_app(platform=platform)) as client:

        def http() -> Any:
            path = f"/ngsi-ld/v1/temporal/entities/{entity}"
            response = client.get(path, params=query, headers=headers)
            if response.status_code != 200:
                sys.exit(f"HTTP {response.status_code}: {response.text[:300]}")
            return response.json()

        expected = floor()
        same(use_case().entities[0]["no2"], expected, buckets)
        same(http()["no2"], expected, buckets)
        print(f"answers equal: {buckets} hourly buckets of avg, min, max; load before timing {load()}")
        return [
            ("floor: core.timeseries.frames, hourly, 1 sensor, 30 days", *median_ms(floor, args.repeats)),
            ("temporal use case (get_temporal, aggregatedValues)", *median_ms(use_case, args.repeats)),
            ("HTTP GET /ngsi-ld/v1/temporal/entities/{id}", *median_ms(http, args.repeats)),
        ]


def main() -> None:
    """Load the readings, then time the dashboard query three ways."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database-url", default=os.environ.get("THANGLONG_TEST_DATABASE_URL"))
    parser.add_argument("--sensors", type=int, default=100)
    parser.add_argument("--points", type=int, default=100_000, help="readings per sensor, one a minute")
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    if not args.database_url or not args.database_url.startswith("postgresql"):
        sys.exit("a PostgreSQL server is needed: set THANGLONG_TEST_DATABASE_URL or pass --database-url")

    url = create_database(args.database_url)
    tmp = Path(tempfile.mkdtemp(prefix="tl-bench-temporal-"))
    settings = Settings(env="test", data_dir=tmp, database_url=url, timeseries_retention_days=0)
    platform = build_platform(settings)
    try:
        migrate.upgrade(platform.engine)
        end = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        start = end - timedelta(minutes=args.points)
        partitions.make_range(platform.engine, start.date(), end.date())
        total = args.sensors * args.points
        print(f"{args.sensors} sensors x {args.points:,} readings = {total:,}; {os.cpu_count()} CPUs")
        print(f"load average before the load: {load()}")
        seconds = load_readings(platform, args, start)
        print(
            f"appended {total:,} points in {seconds:.1f} s ({total / seconds:,.0f} points/s); load {load()}"
        )
        rows = bench_query(platform, args, start, end)
        print(f"load average after timing: {load()}")
        print(f"| query (median of {args.repeats}) | ms | min–max ms |")
        print("|---|---:|---:|")
        for label, ms, times in rows:
            print(f"| {label} | {ms:.1f} | {min(times):.1f}–{max(times):.1f} |")
    finally:
        platform.close()
        drop_database(args.database_url, url)


if __name__ == "__main__":
    main()
