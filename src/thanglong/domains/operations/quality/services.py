"""Use cases of data quality: assess and record every operations series, gate on it, learn baselines.

Quality is kept as kernel time series, `quality.<metric>.<series>` (see `quality_series_name`), recorded
every five minutes by the `operations.quality` schedule; baselines are rows of
`operations_quality_baseline`, refitted nightly. See docs/operations-quality.md.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select

from thanglong.core import audit
from thanglong.core.errors import InvalidInput
from thanglong.core.manifest import SeriesDef
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import append
from thanglong.core.timeseries.frame import Frame
from thanglong.core.timeseries.models import RollupHour
from thanglong.core.timeseries.models import Series as SeriesRow
from thanglong.core.timeseries.query import MAX_POINTS, frames
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.models import Device, QualityBaseline
from thanglong.domains.operations.quality import anomaly
from thanglong.domains.operations.quality.engine import Quality, assess

# The same shortening as the series names, so that a device's entity finds its series.
from thanglong.domains.operations.series import PREFIX, _part

DOMAIN = "operations"
QUALITY_PREFIX = "quality"
# A series without a device or an `interval_seconds` label is expected every five minutes.
DEFAULT_INTERVAL_SECONDS = 300
# The window is an hour, or 24 expected intervals for slower sensors (so a flat line can show in it).
WINDOW_SECONDS = 3600
WINDOW_INTERVALS = 24
# The schedule's period; a recorded verdict older than three periods is not trusted (computed live).
RECORD_PERIOD_SECONDS = 300
VERDICT_MAX_AGE = timedelta(seconds=3 * RECORD_PERIOD_SECONDS)
# Baselines learn from eight weeks and need at least one week of readings.
TRAIN_DAYS = 56
MIN_TRAIN_SPAN = timedelta(days=7)
MIN_TRAIN_POINTS = 168
NAME_LIMIT = 200

METRICS: dict[str, tuple[str, str, str]] = {
    "completeness": ("1", "Tỷ lệ số đo nhận được", "Share of expected readings received"),
    "staleness": ("s", "Số giây từ số đo cuối", "Seconds since the last reading"),
    "flat": ("s", "Thời gian dài nhất không đổi", "Longest run without change"),
    "out_of_range": ("1", "Tỷ lệ số đo ngoài khoảng hợp lệ", "Share of readings out of range"),
    "score": ("1", "Điểm chất lượng dữ liệu (0–1)", "Data quality score (0–1)"),
    "usable": ("1", "Dữ liệu dùng được (1) hay không (0)", "Data usable (1) or not (0)"),
    "zscore": ("1", "Độ lệch của số đo cuối so với mùa vụ", "Last reading's seasonal z-score"),
}

# Physically possible values of common Smart Data Model attributes (by compacted name, lower case),
# used when a series carries no `valid_min` / `valid_max` labels. Wide on purpose: they catch broken
# sensors and unit mistakes, not pollution events.
VALID_RANGES: dict[str, tuple[float | None, float | None]] = {
    "pm1": (0.0, 1000.0),
    "pm25": (0.0, 1000.0),
    "pm10": (0.0, 2000.0),
    "no2": (0.0, 2000.0),
    "so2": (0.0, 2000.0),
    "o3": (0.0, 1000.0),
    "co": (0.0, 100000.0),
    "aqi": (0.0, 500.0),
    "temperature": (-20.0, 60.0),
    "relativehumidity": (0.0, 100.0),
    "precipitation": (0.0, 500.0),
    "windspeed": (0.0, 75.0),
    "laeq": (0.0, 150.0),
    "intensity": (0.0, None),
    "occupancy": (0.0, 1.0),
    "averagevehiclespeed": (0.0, 200.0),
    "waterlevel": (None, None),
}


@dataclass(frozen=True)
class SeriesQuality:
    """The quality of one operations series at an instant, with what it was measured against."""

    name: str
    interval_seconds: int
    window_seconds: int
    valid_min: float | None
    valid_max: float | None
    quality: Quality
    zscore: float | None  # the last reading's seasonal z-score, when a baseline exists


@dataclass(frozen=True)
class RecordReport:
    """What one recording pass did."""

    series: int
    usable: int
    points: int
    registered: int


@dataclass(frozen=True)
class FitReport:
    """What one fitting pass did."""

    fitted: int
    skipped: int


def quality_series_name(metric: str, series: str) -> str:
    """Return the series that keeps one quality metric of one series (at most 200 characters, unique)."""
    name = f"{QUALITY_PREFIX}.{metric}.{series}"
    if len(name) <= NAME_LIMIT:
        return name
    # As operations.series shortens long ids: a readable head and a digest of the whole name. The
    # registry accepts [a-z0-9_.:-] only, so the digest follows a hyphen.
    digest = hashlib.sha256(series.encode("utf-8")).hexdigest()[:12]
    head = f"{QUALITY_PREFIX}.{metric}."
    return f"{head}{series[: NAME_LIMIT - len(head) - 13]}-{digest}"


def _window(interval: int) -> int:
    return max(WINDOW_SECONDS, WINDOW_INTERVALS * interval)


def _seconds(at: npt.NDArray[np.datetime64]) -> npt.NDArray[np.float64]:
    out: npt.NDArray[np.float64] = at.astype("datetime64[us]").astype(np.int64) / 1e6
    return out


def _epoch(moment: datetime) -> float:
    return moment.timestamp()


def _number(value: object) -> float | None:
    try:
        return None if value is None else float(str(value))
    except ValueError:
        return None


def _valid_range(name: str, labels: dict[str, object]) -> tuple[float | None, float | None]:
    attribute = name.rsplit(".", 1)[-1].lower()
    low, high = VALID_RANGES.get(attribute, (None, None))
    if "valid_min" in labels:
        low = _number(labels["valid_min"])
    if "valid_max" in labels:
        high = _number(labels["valid_max"])
    return low, high


def _entity_part(name: str) -> str:
    return name[len(PREFIX) + 1 :].rsplit(".", 1)[0]


@dataclass(frozen=True)
class _Target:
    name: str
    interval: int
    window: int
    valid_min: float | None
    valid_max: float | None


def _targets(uow: UnitOfWork, names: Sequence[str] | None = None) -> list[_Target]:
    """Read the operations series (one query) and the devices' intervals (one query)."""
    stmt = select(SeriesRow.name, SeriesRow.labels).where(SeriesRow.name.startswith(f"{PREFIX}."))
    if names is not None:
        stmt = stmt.where(SeriesRow.name.in_(list(names)))
    rows = uow.session.execute(stmt.order_by(SeriesRow.name)).all()
    intervals: dict[str, int] = {}
    devices = uow.session.execute(
        select(Device.entity_id, Device.reporting_interval_seconds).where(
            Device.active.is_(True), Device.entity_id.is_not(None)
        )
    )
    for entity_id, interval in devices:
        # The same piece series_name puts in the series' names (lower case, a digest when it had to change).
        part = _part(str(entity_id))
        # Several devices may feed one entity: the fastest sets what is expected.
        if interval and interval > 0:
            intervals[part] = min(interval, intervals.get(part, interval))
    out = []
    for name, stored_labels in rows:
        labels = dict(stored_labels or {})
        interval = intervals.get(_entity_part(name), DEFAULT_INTERVAL_SECONDS)
        labelled = _number(labels.get("interval_seconds"))
        if labelled is not None and labelled > 0:
            interval = int(labelled)
        out.append(_Target(name, interval, _window(interval), *_valid_range(name, labels)))
    return out


def _chunks(targets: Sequence[_Target], budget: int) -> Iterable[list[_Target]]:
    """Group series so that each group's expected readings stay within one query's limit."""
    group: list[_Target] = []
    total = 0
    for target in targets:
        # Twice the expected count: a device may report faster than it was registered for.
        need = 2 * (target.window // target.interval + 1)
        if group and total + need > budget:
            yield group
            group, total = [], 0
        group.append(target)
        total += need
    if group:
        yield group


def _baselines(uow: UnitOfWork, names: Sequence[str]) -> dict[str, anomaly.Baseline]:
    rows = uow.session.execute(
        select(QualityBaseline.series_name, QualityBaseline.baseline).where(
            QualityBaseline.series_name.in_(list(names))
        )
    )
    out = {}
    for name, data in rows:
        try:
            out[name] = anomaly.Baseline.from_json(data)
        except (KeyError, TypeError, ValueError):
            continue  # a damaged or older baseline is ignored until the nightly refit replaces it
    return out


def _assess_frame(
    target: _Target, frame: Frame, now: datetime, baseline: anomaly.Baseline | None
) -> SeriesQuality:
    at = _seconds(frame.start)
    values = frame.sum  # raw frames hold one point per bucket: the sum is the value
    quality = assess(
        at,
        values,
        now=_epoch(now),
        window_seconds=target.window,
        interval_seconds=target.interval,
        valid_min=target.valid_min,
        valid_max=target.valid_max,
    )
    zscore = None
    if baseline is not None and len(frame):
        last = frame.start[-1:]
        zscore = float(anomaly.score(baseline, last, values[-1:])[0])
    return SeriesQuality(
        target.name, target.interval, target.window, target.valid_min, target.valid_max, quality, zscore
    )


def assess_all(uow: UnitOfWork, now: datetime, *, names: Sequence[str] | None = None) -> list[SeriesQuality]:
    """Assess every operations series (or the given ones) over the window that ends at `now`."""
    targets = _targets(uow, names)
    if not targets:
        return []
    found = _baselines(uow, [t.name for t in targets])
    end = now + timedelta(microseconds=1)  # the window is (now − window, now]; frames are [start, end)
    out = []
    for group in _chunks(targets, MAX_POINTS):
        for target, frame in _read_windows(uow, group, now, end):
            out.append(_assess_frame(target, frame, now, found.get(target.name)))
    return out


def _read_windows(
    uow: UnitOfWork, group: list[_Target], now: datetime, end: datetime
) -> list[tuple[_Target, Frame]]:
    """Read a group's windows in one query; halve the group if its devices sent far more than expected."""
    start = now - timedelta(seconds=max(t.window for t in group))
    try:
        got = frames(uow.session, [t.name for t in group], start, end, "raw")
    except InvalidInput as error:
        if error.code != "too_many_points" or len(group) == 1:
            raise
        half = len(group) // 2
        return _read_windows(uow, group[:half], now, end) + _read_windows(uow, group[half:], now, end)
    return [(target, got.get(target.name, Frame.empty())) for target in group]


def _metric_values(item: SeriesQuality) -> dict[str, float]:
    q = item.quality
    values = {
        "completeness": q.completeness,
        "staleness": q.staleness_seconds,
        "flat": q.flat_seconds,
        "out_of_range": q.out_of_range,
        "score": q.score,
        "usable": 1.0 if q.usable else 0.0,
    }
    if item.zscore is not None and np.isfinite(item.zscore):
        values["zscore"] = item.zscore
    return values


def _register_missing(uow: UnitOfWork, wanted: dict[str, tuple[str, str]]) -> int:
    """Register the quality series not registered yet (one query to find them); return how many."""
    existing = set(uow.session.scalars(select(SeriesRow.name).where(SeriesRow.name.in_(list(wanted)))).all())
    made = 0
    for name in sorted(wanted.keys() - existing):
        metric, series = wanted[name]
        unit, vi, en = METRICS[metric]
        registry.register(
            uow,
            DOMAIN,
            SeriesDef(
                name,
                unit,
                f"{vi}: {series}",
                f"{en}: {series}",
                labels=(("metric", metric), ("series", series)),
            ),
        )
        made += 1
    return made


def record(uow: UnitOfWork, now: datetime | None = None) -> RecordReport:
    """Assess every operations series at `now` and append each metric as a point of its quality series."""
    moment = now if now is not None else uow.clock()
    assessed = assess_all(uow, moment)
    points: list[tuple[str, datetime, float]] = []
    wanted: dict[str, tuple[str, str]] = {}
    for item in assessed:
        for metric, value in _metric_values(item).items():
            name = quality_series_name(metric, item.name)
            wanted[name] = (metric, item.name)
            points.append((name, moment, value))
    registered = _register_missing(uow, wanted) if wanted else 0
    if points:
        append(uow, points)
    uow.commit()
    return RecordReport(len(assessed), sum(item.quality.usable for item in assessed), len(points), registered)


def usable(uow: UnitOfWork, series_name: str, at: datetime) -> bool | None:
    """Tell whether a series' data can be trusted at `at`, for alarms and KPIs to gate on.

    The verdict recorded within the last three schedule periods is used; without one the series is
    assessed now. None: the series is not a registered operations series (nothing to say).
    """
    recorded = usable_many(uow, [series_name], at)
    if series_name in recorded:
        return recorded[series_name]
    live = assess_all(uow, at, names=[series_name])
    return live[0].quality.usable if live else None


def usable_many(uow: UnitOfWork, series_names: Sequence[str], at: datetime) -> dict[str, bool]:
    """Return the recorded verdict of each series that has one within the last three periods.

    The alarm evaluation's gate, in two statements whatever the number of series. A series without a
    recent recorded verdict is left out (no verdict: the gate stays open): the alarms do not assess
    quality themselves, the quality schedule does, and a missing verdict must not silence an alarm.
    """
    if not series_names:
        return {}
    verdict_of = {quality_series_name("usable", name): name for name in series_names}
    known = list(uow.session.scalars(select(SeriesRow.name).where(SeriesRow.name.in_(list(verdict_of)))))
    if not known:
        return {}
    recorded = frames(uow.session, known, at - VERDICT_MAX_AGE, at + timedelta(microseconds=1))
    out: dict[str, bool] = {}
    for verdict_name, frame in recorded.items():
        if len(frame):
            out[verdict_of[verdict_name]] = bool(frame.sum[-1] >= 0.5)
    return out


def _training_counts(
    uow: UnitOfWork, targets: Sequence[_Target], start: datetime, end: datetime
) -> dict[str, int]:
    """Count each series' readings over the training range from the hour rollup (one query)."""
    ids = {
        sid: name
        for name, sid in uow.session.execute(
            select(SeriesRow.name, SeriesRow.id).where(SeriesRow.name.in_([t.name for t in targets]))
        )
    }
    rows = uow.session.execute(
        select(RollupHour.series_id, func.sum(RollupHour.count))
        .where(RollupHour.series_id.in_(list(ids)), RollupHour.bucket >= start, RollupHour.bucket < end)
        .group_by(RollupHour.series_id)
    )
    return {ids[sid]: int(total or 0) for sid, total in rows}


def _fit_groups(counts: dict[str, int]) -> Iterable[tuple[list[str], str]]:
    """Group series for training reads within the point limit; one too dense alone is read by minute."""
    group: list[str] = []
    total = 0
    for name, count in sorted(counts.items()):
        if count > MAX_POINTS:
            yield [name], "minute"
            continue
        if group and total + count > MAX_POINTS:
            yield group, "raw"
            group, total = [], 0
        group.append(name)
        total += count
    if group:
        yield group, "raw"


def fit_baselines(uow: UnitOfWork, now: datetime | None = None, *, days: int = TRAIN_DAYS) -> FitReport:
    """Learn each operations series' seasonal baseline from the last `days` days and store it; audited."""
    moment = now if now is not None else uow.clock()
    start = moment - timedelta(days=days)
    targets = _targets(uow)
    counts = _training_counts(uow, targets, start, moment)
    stored = {
        row.series_name: row
        for row in uow.session.scalars(
            select(QualityBaseline).where(QualityBaseline.series_name.in_([t.name for t in targets]))
        )
    }
    fitted: list[str] = []
    for names, bucket in _fit_groups({n: c for n, c in counts.items() if c >= MIN_TRAIN_POINTS}):
        got = frames(uow.session, names, start, moment, bucket)
        for name in names:
            frame = got.get(name, Frame.empty())
            span = (frame.start[-1] - frame.start[0]) if len(frame) else np.timedelta64(0, "us")
            if len(frame) < MIN_TRAIN_POINTS or span < np.timedelta64(MIN_TRAIN_SPAN):
                continue
            baseline = anomaly.fit(frame.start, frame.values("avg"))
            first, last = frame.starts()[0], frame.starts()[-1]
            row = stored.get(name)
            if row is None:
                row = QualityBaseline(series_name=name)
                uow.session.add(row)
            row.baseline = baseline.to_json()
            row.points = baseline.points
            row.trained_from, row.trained_to, row.fitted_at = first, last, moment
            fitted.append(name)
    skipped = len(targets) - len(fitted)
    if fitted:
        audit.record(
            uow,
            actor=SYSTEM_ACTOR,
            action="operations.quality.baselines_fitted",
            object_type="operations_quality_baseline",
            object_id="all",
            after={"fitted": len(fitted), "skipped": skipped, "days": days},
        )
    uow.commit()
    return FitReport(len(fitted), skipped)


def baseline_for(uow: UnitOfWork, series_name: str) -> anomaly.Baseline | None:
    """Return the stored baseline of a series, if any."""
    return _baselines(uow, [series_name]).get(series_name)
