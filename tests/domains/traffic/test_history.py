"""Archived counts go straight to the segments' series: the same states as the live path, refusals named."""

from __future__ import annotations

import gzip
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import typer
from sqlalchemy import func, select
from typer.testing import CliRunner

from thanglong.cli.main import build_cli
from thanglong.core.audit import AuditRecord
from thanglong.core.cliutil import open_platform
from thanglong.core.clock import to_hanoi
from thanglong.core.platform import Platform
from thanglong.core.timeseries.query import latest, query
from thanglong.domains.operations import api as operations
from thanglong.domains.traffic import demo
from thanglong.domains.traffic.roads.models import RoadSegment
from thanglong.domains.traffic.state import history, recording, series
from thanglong.domains.traffic.state.recording import CONTEXT
from thanglong.domains.traffic.state.services import Rejection

from .helpers import ACTOR, DOWN, UP, corridor, entity_id, reading, send

NOW = datetime(2026, 12, 7, 11, 0, tzinfo=UTC)  # 18:00 in Hà Nội
STEP = timedelta(minutes=5)
runner = CliRunner()


def day(start: datetime, intervals: int) -> list[dict[str, object]]:
    """Both segments' lanes over `intervals` intervals, a different load in each."""
    rows: list[dict[str, object]] = []
    for i in range(intervals):
        at = start + i * STEP
        for segment in (UP, DOWN):
            for lane in (1, 2):
                vehicles = 40 + 7 * i + 3 * lane + (5 if segment == UP else 0)
                rows.append(reading(segment, lane, at, vehicles, 0.05 + 0.01 * i, 38.0 - 1.5 * i))
    return rows


def stored(platform: Platform, code: str, start: datetime, end: datetime) -> dict[str, list[float]]:
    with platform.uow() as uow:
        return {
            m.key: [v for _, v in query(uow.session, series.series_name(code, m), start, end, "raw")]
            for m in series.MEASURES
        }


def test_the_import_records_what_the_live_intake_would_have(platform: Platform) -> None:
    corridor(platform)
    platform.clock = lambda: NOW
    start = NOW - 6 * STEP
    entities = day(start, 6)
    with platform.uow() as uow:
        report = history.import_history(uow, entities[:-4], actor=ACTOR)
    assert report.entities == 20 and report.refused == 0 and report.states == 10
    assert report.first == start and report.last == start + 4 * STEP
    assert report.points_inserted == 10 * len(series.MEASURES) and report.points_duplicate == 0
    imported = stored(platform, UP, start, NOW)
    assert len(imported["flow"]) == 5
    # The detector entities were not touched: their current value is not the archive's.
    with platform.uow() as uow:
        assert operations.entity_values(uow, [entity_id(UP, 1)], context=CONTEXT) == {}
    # Send the fifth interval through the intake: the live path computes the same state the import stored.
    send(platform, entities[16:20])
    with platform.uow() as uow:
        segment = uow.session.scalar(select(RoadSegment).where(RoadSegment.code == UP))
        assert segment is not None
        live = recording.record_segment_state(uow, segment.id)
    assert live is not None and not isinstance(live, Rejection)
    assert live.start == start + 4 * STEP
    expected = dict(series.points(UP, live))
    for measure in series.MEASURES:
        value = expected[series.series_name(UP, measure)]
        assert value is not None and imported[measure.key][4] == pytest.approx(value)
    # The last interval, live: the series now hold six intervals, none written twice.
    send(platform, entities[20:])
    assert len(stored(platform, UP, start, NOW)["flow"]) == 6


def test_a_second_import_stores_nothing_new(platform: Platform) -> None:
    corridor(platform)
    platform.clock = lambda: NOW
    entities = day(NOW - 3 * STEP, 3)
    with platform.uow() as uow:
        first = history.import_history(uow, entities, actor=ACTOR)
    with platform.uow() as uow:
        again = history.import_history(uow, entities, actor=ACTOR)
    assert first.points_inserted == 6 * len(series.MEASURES)
    assert again.points_inserted == 0 and again.points_duplicate == first.points_inserted
    with platform.uow() as uow:
        audits = uow.session.scalar(
            select(func.count())
            .select_from(AuditRecord)
            .where(AuditRecord.action == "traffic.history.import")
        )
    assert audits == 2


def test_incomplete_future_and_unbound_entities_are_refused_with_their_reasons(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    corridor(platform)
    platform.clock = lambda: NOW
    # A tiny flush size makes incomplete intervals wait across batches and still be recorded when
    # their missing lanes come later in the file.
    monkeypatch.setattr(history, "FLUSH_EVERY", 3)
    start = NOW - 4 * STEP
    entities = day(start, 3)
    late_lane = entities.pop(0)  # UP lane 1 of the first interval arrives at the end
    missing = entities.pop(3)  # UP lane 1 of the second interval never arrives
    assert missing["id"] == entity_id(UP, 1)
    entities.append(late_lane)
    entities.append(reading(DOWN, 1, NOW + STEP, 30, 0.1, 30.0))  # the future
    entities.append(
        {**reading(DOWN, 2, start, 30, 0.1, 30.0), "id": "urn:ngsi-ld:TrafficFlowObserved:nobody"}
    )
    entities.append(reading(DOWN, 2, start + STEP, -4, 0.1, 30.0))  # a negative count
    with platform.uow() as uow:
        report = history.import_history(uow, entities, actor=ACTOR)
    codes = sorted(r.code for r in report.rejections)
    assert "traffic.history.incomplete" in codes and "traffic.history.future" in codes
    assert "traffic.history.unbound" in codes
    assert report.incomplete == 1, report.rejections
    assert all(r.message_vi and r.message_en for r in report.rejections)
    up = stored(platform, UP, start, NOW)["flow"]
    down = stored(platform, DOWN, start, NOW)["flow"]
    assert len(up) == 2  # the first interval (its late lane joined it) and the third
    # DOWN's second interval: the negative count was refused, the duplicate lane 2 was the valid one.
    assert len(down) == 3


@pytest.fixture
def cli_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[typer.Typer, Platform]:
    """The command line and the platform it opens, on a fresh data directory (default domains)."""
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("COLUMNS", "200")
    return build_cli(), open_platform()


def test_the_command_refuses_a_broken_file_before_storing_and_imports_a_good_one(
    tmp_path: Path, cli_platform: tuple[typer.Typer, Platform]
) -> None:
    cli, platform = cli_platform
    corridor(platform)
    start = datetime.now(UTC).replace(second=0, microsecond=0) - timedelta(hours=2)
    start -= timedelta(minutes=start.minute % 5)
    lines = [json.dumps(e) for e in day(start, 4)]
    broken = tmp_path / "broken.jsonl"
    broken.write_text("\n".join([*lines[:5], "{not json", *lines[5:]]) + "\n", encoding="utf-8")
    refused = runner.invoke(cli, ["traffic", "import-history", str(broken)])
    assert refused.exit_code == 2 and "line 6 is not JSON" in refused.output
    with platform.uow() as uow:
        assert latest(uow.session, [series.series_name(UP, series.FLOW)]) == {}
    absent = runner.invoke(cli, ["traffic", "import-history", str(tmp_path / "none.jsonl")])
    assert absent.exit_code == 2 and "no such file" in absent.output
    good = tmp_path / "counts.jsonl.gz"
    with gzip.open(good, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n\n")
    done = runner.invoke(cli, ["traffic", "import-history", str(good), "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    assert data["entities"] == 16 and data["states"] == 8 and data["refused"] == 0
    assert data["points_inserted"] == 8 * len(series.MEASURES)
    with platform.uow() as uow:
        flows = query(uow.session, series.series_name(UP, series.FLOW), start, start + 4 * STEP)
    assert len(flows) == 4
    # Refusals make the exit code 1, with the reason printed.
    future = tmp_path / "future.jsonl"
    future.write_text(json.dumps(reading(UP, 1, start + timedelta(days=1), 5, 0.1, 30.0)) + "\n")
    late = runner.invoke(cli, ["traffic", "import-history", str(future)])
    assert late.exit_code == 1 and "after now" in late.output


def test_two_days_of_the_demo_streets_written_then_imported(
    tmp_path: Path, cli_platform: tuple[typer.Typer, Platform]
) -> None:
    cli, platform = cli_platform
    with platform.uow() as uow:
        demo.register_network(uow)
        uow.commit()
    out = tmp_path / "archive.jsonl.gz"
    for bad, reason in (
        (["--end", "2026-12-01T00:02:00+07:00"], "5-minute boundary"),
        (["--end", "2026-12-01T00:00:00"], "time zone"),
        (["--days", "0"], "1 to 366"),
    ):
        refused = runner.invoke(cli, ["traffic", "demo-counts", "--out", str(out), *bad])
        assert refused.exit_code == 2 and reason in refused.output, refused.output
    end = demo.archive_end(datetime.now(UTC))
    made = runner.invoke(cli, ["traffic", "demo-counts", "--out", str(out), "--days", "2"])
    assert made.exit_code == 0, made.output
    streams = sum(s.lanes for s in demo.segments()) * len(demo.STREAMS)
    assert f"{2 * demo.INTERVALS * streams} " in made.output
    done = runner.invoke(cli, ["traffic", "import-history", str(out), "--json"])
    assert done.exit_code == 0, done.output
    data = json.loads(done.stdout)
    segments = len(demo.segments())
    assert data["refused"] == 0 and data["states"] == 2 * demo.INTERVALS * segments
    assert data["last"] == (end - demo.INTERVAL).isoformat()
    with platform.uow() as uow:
        flows = query(
            uow.session, series.series_name(demo.busiest_segment(), series.FLOW), end - timedelta(days=2), end
        )
    assert len(flows) == 2 * demo.INTERVALS
    # The evening peak is busier than the night on the archived days too.
    by_hour = {to_hanoi(t).hour: v for t, v in flows}
    assert by_hour[18] > 3 * by_hour[3]
