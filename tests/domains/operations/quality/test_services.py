"""Quality use cases on the database: assess every series in one read, record, gate, learn baselines."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, select

from thanglong.core.manifest import SeriesDef
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.timeseries import query as timeseries_query
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.query import query
from thanglong.domains.operations import tasks
from thanglong.domains.operations.models import Device, QualityBaseline
from thanglong.domains.operations.quality import anomaly
from thanglong.domains.operations.quality import services as quality
from thanglong.domains.operations.series import series_name

NOW = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)
FAST = series_name("urn:ngsi-ld:AirQualityObserved:hk-01", "pm25")  # a device reports every 60 s
STALE = series_name("urn:ngsi-ld:AirQualityObserved:hk-02", "pm25")
FLAT = series_name("urn:ngsi-ld:WaterObserved:tl-03", "waterLevel")
BROKEN = series_name("urn:ngsi-ld:AirQualityObserved:hk-04", "pm25")  # negative readings
LABELLED = series_name("urn:ngsi-ld:NoiseLevelObserved:hk-05", "LAeq")  # labels: every 120 s, at most 80


@pytest.fixture
def clocked(platform: Platform) -> Platform:
    """The test platform with its clock stopped at NOW."""
    platform.clock = lambda: NOW
    return platform


def _series(platform: Platform, name: str, **labels: str) -> None:
    with platform.uow() as uow:
        registry.register(
            uow, "operations", SeriesDef(name, "1", "thử", "test", labels=tuple(sorted(labels.items())))
        )
        uow.commit()


def _points(platform: Platform, name: str, first: datetime, step: int, values: list[float]) -> None:
    with platform.uow() as uow:
        append(uow, [(name, first + timedelta(seconds=step * i), v) for i, v in enumerate(values)])
        uow.commit()


def _device(platform: Platform, entity_id: str, interval: int) -> None:
    with platform.uow() as uow:
        uow.session.add(
            Device(
                device_id=f"dev-{entity_id}-{interval}",
                device_type="AirQualityObserved",
                name="Cảm biến",
                entity_id=entity_id,
                reporting_interval_seconds=interval,
                created_at=NOW,
                updated_at=NOW,
            )
        )
        uow.commit()


@pytest.fixture
def fleet(clocked: Platform) -> Platform:
    """Five series, each showing one problem (or none), in the last hours before NOW."""
    _device(clocked, "urn:ngsi-ld:AirQualityObserved:hk-01", 60)
    _device(clocked, "urn:ngsi-ld:AirQualityObserved:hk-01", 120)  # the faster device sets what is expected
    for name in (FAST, STALE, FLAT, BROKEN):
        _series(clocked, name)
    _series(clocked, LABELLED, interval_seconds="120", valid_min="0", valid_max="80")
    _points(clocked, FAST, NOW - timedelta(seconds=59 * 60), 60, [30.0 + (i % 7) for i in range(60)])
    # Every five minutes until 40 minutes ago.
    _points(clocked, STALE, NOW - timedelta(hours=2), 300, [20.0 + i for i in range(17)])
    _points(clocked, FLAT, NOW - timedelta(seconds=23 * 300), 300, [150.0] * 24)
    _points(
        clocked, BROKEN, NOW - timedelta(seconds=11 * 300), 300, [-5.0] * 4 + [10.0 + i for i in range(8)]
    )
    _points(
        clocked, LABELLED, NOW - timedelta(seconds=29 * 120), 120, [60.0 + (i % 3) * 15 for i in range(30)]
    )
    return clocked


def _by_name(platform: Platform) -> dict[str, quality.SeriesQuality]:
    with platform.uow() as uow:
        return {item.name: item for item in quality.assess_all(uow, NOW)}


def test_assess_all_measures_every_operations_series(fleet: Platform) -> None:
    got = _by_name(fleet)
    assert set(got) == {FAST, STALE, FLAT, BROKEN, LABELLED}
    fast = got[FAST]
    assert (fast.interval_seconds, fast.window_seconds) == (60, 3600)
    assert (fast.quality.received, fast.quality.expected, fast.quality.usable) == (60, 60, True)
    stale = got[STALE]
    assert stale.interval_seconds == 300 and stale.window_seconds == 7200
    assert stale.quality.staleness_seconds == 40 * 60 and not stale.quality.usable
    flat = got[FLAT]
    assert flat.quality.flat_line and flat.quality.flat_seconds == 23 * 300 and not flat.quality.usable
    broken = got[BROKEN]
    assert (broken.valid_min, broken.valid_max) == (0.0, 1000.0)
    assert broken.quality.out_of_range == pytest.approx(4 / 12) and not broken.quality.usable
    labelled = got[LABELLED]
    assert (labelled.interval_seconds, labelled.valid_max) == (120, 80.0)
    assert labelled.quality.out_of_range == pytest.approx(10 / 30)


def test_assess_all_reads_the_same_number_of_statements_for_more_series(fleet: Platform) -> None:
    def statements() -> int:
        seen: list[str] = []

        def count(*args: Any) -> None:
            seen.append(args[2])

        event.listen(fleet.engine, "before_cursor_execute", count)
        try:
            with fleet.uow() as uow:
                quality.assess_all(uow, NOW)
        finally:
            event.remove(fleet.engine, "before_cursor_execute", count)
        return len(seen)

    five = statements()
    for n in range(6, 16):
        name = f"operations.urn:ngsi-ld:airqualityobserved:extra-{n}.pm25"
        _series(fleet, name)
        _points(fleet, name, NOW - timedelta(minutes=30), 300, [12.0] * 6)
    assert len(_by_name(fleet)) == 15
    assert statements() == five


def test_record_appends_each_metric_and_registers_series_once(fleet: Platform) -> None:
    with fleet.uow() as uow:
        first = quality.record(uow, NOW)
    assert (first.series, first.usable) == (5, 1)  # FAST only: the others each show a problem
    assert first.points == 5 * 6 and first.registered == 5 * 6
    later = NOW + timedelta(minutes=5)
    fleet.clock = lambda: later
    with fleet.uow() as uow:
        second = quality.record(uow, later)
    assert second.registered == 0 and second.points == 30
    with fleet.uow() as uow:
        usable = query(uow.session, quality.quality_series_name("usable", FAST), NOW, later + timedelta(1))
        stale = query(uow.session, quality.quality_series_name("staleness", STALE), NOW, later + timedelta(1))
        info = registry.get(uow.session, quality.quality_series_name("score", FLAT))
    assert [v for _, v in usable] == [1.0, 0.0]  # five minutes without a reading every minute
    assert [v for _, v in stale] == [2400.0, 2700.0]
    assert info.domain == "operations" and info.labels == {"metric": "score", "series": FLAT}


def test_usable_gates_on_the_recorded_verdict_then_live(fleet: Platform) -> None:
    with fleet.uow() as uow:
        assert quality.usable(uow, FAST, NOW) is True  # nothing recorded yet: assessed live
        assert quality.usable(uow, FLAT, NOW) is False
        assert quality.usable(uow, "operations.nothing.here", NOW) is None
    with fleet.uow() as uow:
        quality.record(uow, NOW)
    ten = NOW + timedelta(minutes=10)
    with fleet.uow() as uow:
        # Live, ten silent minutes make FAST stale; the verdict recorded at NOW still holds.
        assert quality.assess_all(uow, ten, names=[FAST])[0].quality.usable is False
        assert quality.usable(uow, FAST, ten) is True
        # Past three periods the recorded verdict is not trusted and the series is assessed again.
        assert quality.usable(uow, FAST, NOW + timedelta(minutes=16)) is False


def test_quality_series_names_stay_within_the_registry_rules() -> None:
    long_a = "operations." + "a" * 80 + "." + "b" * 80
    long_b = "operations." + "a" * 80 + "." + "b" * 79 + "c"
    names = {quality.quality_series_name("out_of_range", s) for s in (long_a, long_b)}
    assert len(names) == 2
    for name in names:
        assert len(name) <= 200 and re.fullmatch(r"[a-z0-9][a-z0-9_.:\-]{0,199}", name)
    assert quality.quality_series_name("score", FAST) == f"quality.score.{FAST}"


SEASONAL = series_name("urn:ngsi-ld:AirQualityObserved:hk-09", "pm25")


def _seasonal_history(platform: Platform, weeks: int) -> None:
    """Readings every 10 minutes: 10 × the Hanoi hour of the day, give or take 1."""
    first = NOW - timedelta(weeks=weeks)
    values = []
    for i in range(weeks * 7 * 144):
        hanoi_hour = ((first + timedelta(minutes=10 * i)).hour + 7) % 24
        values.append(10.0 * hanoi_hour + (i % 3) - 1)
    _points(platform, SEASONAL, first, 600, values)


def test_fit_stores_baselines_and_record_scores_the_last_reading(clocked: Platform) -> None:
    _series(clocked, SEASONAL)
    _series(clocked, STALE)
    _seasonal_history(clocked, 2)
    _points(clocked, STALE, NOW - timedelta(hours=1), 300, [5.0] * 3)  # too little to learn from
    with clocked.uow() as uow:
        report = quality.fit_baselines(uow, NOW)
    assert (report.fitted, report.skipped) == (1, 1)
    with clocked.uow() as uow:
        row = uow.session.scalars(select(QualityBaseline)).one()
        stored = (row.series_name, row.points)
        baseline = quality.baseline_for(uow, SEASONAL)
        audited = [
            record.after
            for record in uow.session.scalars(
                select(AuditRecord).where(AuditRecord.action == "operations.quality.baselines_fitted")
            )
        ]
    assert stored == (SEASONAL, 2 * 7 * 144)
    assert baseline is not None and set(baseline.source) == {"week"}
    # NOW is 12:00 in Hanoi: the hour of the week of Tuesday noon.
    assert baseline.centre[24 + 12] == pytest.approx(120.0, abs=1.0)
    assert len(audited) == 1 and audited[0] is not None and audited[0]["fitted"] == 1

    # A reading of 30 at noon is normal at 03:00 but not now; the recorded z-score says so.
    _points(clocked, SEASONAL, NOW, 600, [30.0])
    with clocked.uow() as uow:
        quality.record(uow, NOW)
    with clocked.uow() as uow:
        z = query(uow.session, quality.quality_series_name("zscore", SEASONAL), NOW, NOW + timedelta(1))
    assert z and z[0][1] < -anomaly.DEFAULT_K

    # Refitting replaces the row rather than adding one.
    with clocked.uow() as uow:
        assert quality.fit_baselines(uow, NOW + timedelta(days=1)).fitted == 1
    with clocked.uow() as uow:
        fitted_at = [row.fitted_at for row in uow.session.scalars(select(QualityBaseline))]
    assert len(fitted_at) == 1 and (
        fitted_at[0] if fitted_at[0].tzinfo else fitted_at[0].replace(tzinfo=UTC)
    ) == NOW + timedelta(days=1)


def test_scheduled_jobs_record_at_their_slot(fleet: Platform) -> None:
    tasks.record_quality(fleet, slot=NOW)
    tasks.refit_baselines(fleet, slot=NOW)
    with fleet.uow() as uow:
        got = query(uow.session, quality.quality_series_name("completeness", FAST), NOW, NOW + timedelta(1))
    assert got == [(NOW, 1.0)]


def test_nothing_to_assess_records_nothing(clocked: Platform) -> None:
    with clocked.uow() as uow:
        assert quality.assess_all(uow, NOW) == []
        report = quality.record(uow, NOW)
    assert report == quality.RecordReport(0, 0, 0, 0)


def test_a_group_over_the_point_limit_is_read_in_halves(
    fleet: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = _by_name(fleet)
    # With a limit of 60 points the five series (about 140 readings) cannot be read at once; each one can.
    real = timeseries_query.frames
    calls: list[int] = []

    def limited(*args: Any, **kw: Any) -> Any:
        calls.append(len(args[1]))
        return real(*args, **kw, limit=60)

    monkeypatch.setattr(quality, "frames", limited)
    after = _by_name(fleet)
    assert after == before
    assert calls[0] == 5 and len(calls) > 3 and max(calls[1:]) < 5
