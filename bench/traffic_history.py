"""Benchmark the import of archived detector counts against the live intake, with the in-memory floor.

Run: PYTHONPATH=$PWD/src .venv/bin/python bench/traffic_history.py [--days 1] [--live-intervals 12]
     [--repeats 3]
     (with THANGLONG_TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/postgres for PostgreSQL;
     SQLite in a temporary directory otherwise)

The bench creates its own database (identity, notify, operations, traffic migrated), registers the demo's 19
street segments of the Văn Miếu network (42 lanes, a motorcycle and a car camera stream per lane) and
measures, on the demo's own counts (`traffic.demo.archive_entities`), entities per second of:

1. the floor: the same entities bound to their detectors and turned into segment states in memory
   (`bound_entity`, `sdm.from_entity`, `states_from_readings`), no database;
2. the history import (`state.history.import_history`): --days days of counts, each repeat on its own
   days, so nothing is a duplicate;
3. the baseline, the live intake: --live-intervals intervals through `operations.upsert_entities` with
   the recorder computing the states, one interval per batch as cameras send them (what the demo did
   for its whole day before the history import existed).

Repeats are interleaved; the figures are medians. The bench checks what it stored: every interval of every
segment has its flow point, nothing refused; it exits non-zero otherwise.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.core.timeseries.models import Point, Series
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic import demo
from thanglong.domains.traffic.roads.models import Detector, RoadSegment
from thanglong.domains.traffic.state import history, sdm
from thanglong.domains.traffic.state.measures import Segment
from thanglong.domains.traffic.state.recording import CONTEXT
from thanglong.domains.traffic.state.services import bound_entity, states_from_readings

DOMAINS = ["identity", "notify", "operations", "traffic"]


def load() -> str:
    """Return the 1, 5 and 15 minute load averages."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def floor(
    entities: list[dict[str, Any]], binding: dict[str, tuple[str, int, str | None]], engines: Any
) -> float:
    """Bind, parse and compute in memory, as the import does; return the seconds taken."""
    started = time.perf_counter()
    readings = [sdm.from_entity(bound_entity(raw, *binding[raw["id"]])) for raw in entities]
    report = states_from_readings(readings, engines)
    elapsed = time.perf_counter() - started
    if report.rejected:
        sys.exit(f"floor: {len(report.rejected)} rejected: {report.rejected[:2]}")
    return elapsed


def register(platform: Platform) -> tuple[dict[str, tuple[str, int, str | None]], dict[str, Segment]]:
    """Register the demo network; return each stream's (segment, lane, vehicle type) and the engines."""
    with platform.uow() as uow:
        demo.register_network(uow)
        uow.commit()
        rows = uow.session.execute(
            select(Detector.entity_id, RoadSegment.code, Detector.lane, Detector.vehicle_type).join(
                RoadSegment, RoadSegment.id == Detector.segment_id
            )
        ).all()
        engines = {
            s.code: Segment(s.code, s.lanes, s.free_flow_kmh, s.capacity_pcu_per_lane_hour)
            for s in uow.session.scalars(select(RoadSegment))
        }
    return {entity: (code, lane, kind) for entity, code, lane, kind in rows}, engines


def intake(platform: Platform, live: list[dict[str, Any]], per_interval: int) -> float:
    """Send the entities through the live intake one interval per batch; return the seconds taken."""
    started = time.perf_counter()
    with platform.uow() as uow:
        for k in range(len(live) // per_interval):
            batch = live[k * per_interval : (k + 1) * per_interval]
            result = operations.upsert_entities(uow, actor="cli:bench", entities=batch, context=CONTEXT)
            if result.errors:
                sys.exit(f"intake: {result.errors[:2]}")
            uow.dispatch()
        uow.commit()
    return time.perf_counter() - started


def main() -> int:
    """Run the three measures --repeats times, interleaved, and print the medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--days", type=int, default=1)
    parser.add_argument("--live-intervals", type=int, default=12)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="tl-bench-history-"))
    url = create_database(tmp, "history")
    engine = make_engine(url)
    try:
        migrate.upgrade(engine, domains=DOMAINS)
        platform = build_platform(make_settings(tmp, url, domains=DOMAINS), engine=engine)
        binding, engines = register(platform)
        segments = len(engines)
        per_interval = len(binding)
        now = datetime.now(UTC)
        latest = demo.archive_end(now)
        print(
            f"{url.split('://', 1)[0]}: {segments} segments, {per_interval} streams; "
            f"history {args.days} day(s) = "
            f"{args.days * demo.INTERVALS * per_interval} entities, live {args.live_intervals} intervals = "
            f"{args.live_intervals * per_interval} entities; load {load()}",
            flush=True,
        )
        rates: dict[str, list[float]] = {"floor": [], "import": [], "intake": []}
        span = timedelta(days=args.days) + args.live_intervals * demo.INTERVAL
        for repeat in range(args.repeats):
            end = latest - repeat * (span + timedelta(days=1))
            archived = list(
                demo.archive_entities(end - args.live_intervals * demo.INTERVAL, args.days * demo.INTERVALS)
            )
            rates["floor"].append(len(archived) / floor(archived, binding, engines))
            started = time.perf_counter()
            with platform.uow() as uow:
                report = history.import_history(uow, archived, actor="cli:bench")
            rates["import"].append(len(archived) / (time.perf_counter() - started))
            if report.refused or report.states != args.days * demo.INTERVALS * segments:
                print(f"import: {report.to_dict()}", file=sys.stderr)
                return 1
            live = list(demo.archive_entities(end, args.live_intervals))
            rates["intake"].append(len(live) / intake(platform, live, per_interval))
            print(
                f"repeat {repeat + 1}: floor {rates['floor'][-1]:,.0f}/s, "
                f"import {rates['import'][-1]:,.0f}/s, intake {rates['intake'][-1]:,.0f}/s (load {load()})",
                flush=True,
            )
        with platform.uow() as uow:
            stored = uow.session.scalar(
                select(func.count())
                .select_from(Point)
                .join(Series, Series.id == Point.series_id)
                .where(Series.name.like("traffic.%.flow"))
            )
        expected = args.repeats * (args.days * demo.INTERVALS + args.live_intervals) * segments
        if stored != expected:
            print(f"flow points stored {stored}, expected {expected}", file=sys.stderr)
            return 1
        med = {k: statistics.median(v) for k, v in rates.items()}
        print(f"flow points stored: {stored} of {expected} expected")
        print(
            f"median entities/s: floor (in memory) {med['floor']:,.0f}; history import {med['import']:,.0f} "
            f"({med['import'] / med['floor']:.2f}× the floor); live intake {med['intake']:,.0f} "
            f"(the import is {med['import'] / med['intake']:.1f}× the intake)"
        )
        return 0
    finally:
        engine.dispose()
        drop_database(url)


if __name__ == "__main__":
    raise SystemExit(main())
