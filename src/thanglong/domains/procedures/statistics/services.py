"""Statistics of Decision 766/QĐ-TTg per agency, per commune and per month, counted in SQL.

Each figure is one SUM(CASE ...) of a GROUP BY over the receiving agency, so no dossier is loaded.
Agencies and their communes belong to the identity domain: the grouping by commune maps each agency
to its `commune_code` after the query (no cross-domain join).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    and_,
    bindparam,
    case,
    exists,
    func,
    literal,
    literal_column,
    or_,
    select,
)

from thanglong.core.db import UtcDateTime
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.dossiers.states import DossierAction
from thanglong.domains.procedures.integrations.dvcqg.services import SENT
from thanglong.domains.procedures.models import (
    Attachment,
    Dossier,
    DossierRating,
    DossierStep,
    DvcqgSync,
    Procedure,
    ProcedureVersion,
)
from thanglong.domains.procedures.statistics import stats

RESULT_KIND = "result"
NO_COMMUNE = ""
SERIES_MONTHS = 6
PERIODS_PER_SCAN = 6


@dataclass(frozen=True)
class Row:
    """The counts and indicators of one agency or commune (or the total) in a period."""

    key: str
    name: str
    counts: stats.Counts
    indicators: list[stats.Indicator] = field(default_factory=list)

    @property
    def figures(self) -> dict[str, stats.Indicator]:
        """Return the indicators by key."""
        return stats.by_key(self.indicators)

    def to_dict(self) -> dict[str, Any]:
        """Return the row as JSON."""
        return {
            "key": self.key,
            "name": self.name,
            "counts": self.counts.to_dict(),
            "indicators": {i.key: _indicator(i) for i in self.indicators},
        }


@dataclass(frozen=True)
class Report:
    """The statistics of a period: total, per agency, per commune, and a monthly series."""

    period: stats.Period
    total: Row
    agencies: list[Row]
    communes: list[Row]
    series: list[Row]

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON."""
        return {
            "period": {
                "kind": self.period.kind,
                "key": self.period.key,
                "first_day": self.period.first_day.isoformat(),
                "last_day": self.period.last_day.isoformat(),
            },
            "total": self.total.to_dict(),
            "agencies": [r.to_dict() for r in self.agencies],
            "communes": [r.to_dict() for r in self.communes],
            "series": [r.to_dict() for r in self.series],
        }


def _indicator(item: stats.Indicator) -> dict[str, Any]:
    data: dict[str, Any] = {"group": item.group, "label": item.label_vi, "label_en": item.label_en}
    if item.share is not None:
        data.update(item.share.to_dict())
    else:
        data["value"] = item.value
    return data


def _row(key: str, name: str, counts: stats.Counts) -> Row:
    return Row(key, name, counts, stats.indicators(counts))


def _int(value: int) -> ColumnElement[int]:
    # A constant in the SQL text, not a bound parameter: a scan has 90 CASE columns, each with three.
    return literal_column(str(int(value)), Integer())


def _sum(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, _int(1)), else_=_int(0))), _int(0))


@dataclass(frozen=True)
class PeriodConditions:
    """The SQL conditions on a dossier that the figures of a period are counted from."""

    received: ColumnElement[bool]
    in_progress: ColumnElement[bool]
    running_late: ColumnElement[bool]
    # Only dossiers received before the end that were still open at the start can count.
    relevant: ColumnElement[bool]


def _conditions(
    start: ColumnElement[datetime], end: ColumnElement[datetime], moment: ColumnElement[datetime]
) -> PeriodConditions:
    d = Dossier
    # The statutory clock stands still while the dossier waits for the applicant.
    paused = and_(d.finished_at.is_(None), d.paused_at.is_not(None), d.paused_at < moment)
    clock_moment = case((paused, d.paused_at), else_=moment)
    return PeriodConditions(
        received=and_(d.received_at >= start, d.received_at < end),
        in_progress=and_(d.received_at < end, or_(d.finished_at.is_(None), d.finished_at >= end)),
        running_late=and_(d.due_at.is_not(None), clock_moment > d.due_at),
        relevant=and_(
            d.received_at.is_not(None),
            d.received_at < end,
            or_(d.finished_at.is_(None), d.finished_at >= start),
        ),
    )


def period_conditions(period: stats.Period, now: datetime) -> PeriodConditions:
    """Return when a dossier counts as received, in progress and running late in a period."""
    return _conditions(
        literal(period.start, UtcDateTime()),
        literal(period.end, UtcDateTime()),
        literal(min(now, period.end), UtcDateTime()),
    )


# The bounds of the i-th period of a scan are bound parameters, so a scan's statement is built once per
# number of periods and reused (building its 14 x 6 CASE columns cost more than running it).
def _start(i: int) -> ColumnElement[datetime]:
    return bindparam(f"start_{i}", type_=UtcDateTime())


def _end(i: int) -> ColumnElement[datetime]:
    return bindparam(f"end_{i}", type_=UtcDateTime())


def _moment(i: int) -> ColumnElement[datetime]:
    return bindparam(f"moment_{i}", type_=UtcDateTime())


def _figures(i: int) -> list[Any]:
    """Return the SUM columns of the i-th period: its relevant dossiers, then COUNT_FIELDS (stats.tally's)."""
    d = Dossier
    start, end = _start(i), _end(i)
    conditions = _conditions(start, end, _moment(i))
    received, in_progress, running_late = (
        conditions.received,
        conditions.in_progress,
        conditions.running_late,
    )
    online = and_(received, d.channel == "online")
    finished = and_(d.finished_at.is_not(None), d.finished_at >= start, d.finished_at < end)
    resolved = and_(finished, d.status.in_(stats.RESOLVED_STATUSES))
    on_time = or_(d.due_at.is_(None), d.finished_at <= d.due_at)
    with_result = and_(finished, d.status.in_(stats.RESULT_STATUSES))
    # Stored with the version (models.charges_fee of its fee schedule): no list of version ids here.
    fee_bearing = and_(received, ProcedureVersion.fee_bearing)
    paid_online = exists().where(
        DossierStep.dossier_id == d.id,
        DossierStep.action == DossierAction.RECORD_PAYMENT.value,
        # Only the payments domain's PaymentSucceeded makes the platform itself record a payment;
        # an officer recording a payment at the counter is recorded under the officer's name.
        DossierStep.actor == SYSTEM_ACTOR,
    )
    digitised = exists().where(Attachment.dossier_id == d.id, Attachment.kind == RESULT_KIND)
    published = exists().where(DvcqgSync.dossier_id == d.id, DvcqgSync.state == SENT)
    figures = [
        received,
        online,
        and_(online, Procedure.service_level == stats.FULL_PROCESS),
        and_(received, published),
        resolved,
        and_(resolved, on_time),
        and_(resolved, ~on_time),
        in_progress,
        and_(in_progress, ~running_late),
        and_(in_progress, running_late),
        fee_bearing,
        and_(fee_bearing, paid_online),
        with_result,
        and_(with_result, digitised),
    ]
    # Several periods share one scan: each figure counts only the dossiers relevant to its period, and
    # the first column counts those, so a period lists only the agencies it would list scanned alone.
    return [_sum(conditions.relevant)] + [_sum(and_(conditions.relevant, figure)) for figure in figures]


def _count_query(count: int, one_agency: bool) -> Select[Any]:
    """Build one GROUP BY receiving agency counting the figures of `count` periods in one scan."""
    d = Dossier
    columns = [column for i in range(count) for column in _figures(i)]
    query = (
        select(d.receiving_agency_id, *columns)
        .join(ProcedureVersion, ProcedureVersion.id == d.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .where(or_(*(_conditions(_start(i), _end(i), _moment(i)).relevant for i in range(count))))
        .group_by(d.receiving_agency_id)
    )
    if one_agency:
        query = query.where(d.receiving_agency_id == bindparam("agency_id"))
    return query


def _ratings_query(count: int, one_agency: bool) -> Select[Any]:
    """Build one GROUP BY receiving agency counting the ratings given in each of `count` periods."""
    rating_columns = []
    within = [
        and_(DossierRating.created_at >= _start(i), DossierRating.created_at < _end(i)) for i in range(count)
    ]
    for w in within:
        rating_columns += [
            _sum(w),
            func.coalesce(func.sum(case((w, DossierRating.score), else_=_int(0))), _int(0)),
            _sum(and_(w, DossierRating.score >= stats.SATISFIED_MIN_SCORE)),
        ]
    query = (
        select(Dossier.receiving_agency_id, *rating_columns)
        .join(Dossier, Dossier.id == DossierRating.dossier_id)
        .where(or_(*within))
        .group_by(Dossier.receiving_agency_id)
    )
    if one_agency:
        query = query.where(Dossier.receiving_agency_id == bindparam("agency_id"))
    return query


# (number of periods, one agency or all) -> the two statements of a scan; filled on first use.
_SCANS: dict[tuple[int, bool], tuple[Select[Any], Select[Any]]] = {}


def _scan(count: int, one_agency: bool) -> tuple[Select[Any], Select[Any]]:
    key = (count, one_agency)
    found = _SCANS.get(key)
    if found is None:
        found = _SCANS[key] = (_count_query(count, one_agency), _ratings_query(count, one_agency))
    return found


COUNT_FIELDS = (
    "received",
    "online",
    "full_process_online",
    "published",
    "resolved",
    "resolved_on_time",
    "resolved_late",
    "in_progress",
    "in_progress_on_time",
    "in_progress_late",
    "fee_bearing",
    "paid_online",
    "with_result",
    "digitised_results",
)


def counts_by_agency(
    uow: UnitOfWork,
    period: stats.Period,
    *,
    now: datetime,
    agency_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, stats.Counts]:
    """Count the figures of a period per receiving agency (two GROUP BY queries)."""
    return counts_by_agency_over(uow, [period], now=now, agency_id=agency_id)[0]


def counts_by_agency_over(
    uow: UnitOfWork,
    periods: list[stats.Period],
    *,
    now: datetime,
    agency_id: uuid.UUID | None = None,
) -> list[dict[uuid.UUID, stats.Counts]]:
    """Count the figures of several periods per receiving agency: two GROUP BY queries per 6 periods."""
    if not periods:
        return []
    if len(periods) > PERIODS_PER_SCAN:
        # A year's series in two scans keeps each statement's columns and parameters modest.
        return [
            counts
            for i in range(0, len(periods), PERIODS_PER_SCAN)
            for counts in counts_by_agency_over(
                uow, periods[i : i + PERIODS_PER_SCAN], now=now, agency_id=agency_id
            )
        ]
    params: dict[str, Any] = {}
    for i, period in enumerate(periods):
        params.update(
            {f"start_{i}": period.start, f"end_{i}": period.end, f"moment_{i}": min(now, period.end)}
        )
    if agency_id is not None:
        params["agency_id"] = agency_id
    count_query, ratings_query = _scan(len(periods), agency_id is not None)
    width = 1 + len(COUNT_FIELDS)
    values: list[dict[uuid.UUID, dict[str, int]]] = [{} for _ in periods]
    for agency, *numbers in uow.session.execute(count_query, params):
        for i in range(len(periods)):
            relevant, *chunk = numbers[i * width : (i + 1) * width]
            if relevant:
                values[i][agency] = {name: int(n) for name, n in zip(COUNT_FIELDS, chunk, strict=True)}
    for agency, *numbers in uow.session.execute(ratings_query, params):
        for i in range(len(periods)):
            n, score_sum, satisfied = numbers[i * 3 : (i + 1) * 3]
            if not n:
                continue
            entry = values[i].setdefault(agency, dict.fromkeys(COUNT_FIELDS, 0))
            entry.update(ratings=int(n), rating_sum=int(score_sum), satisfied=int(satisfied))
    return [{agency: stats.Counts(**entry) for agency, entry in v.items()} for v in values]


def _series_buckets(now: datetime, months: int, period: stats.Period | None) -> list[stats.Period]:
    return list(stats.months_in(period) if period is not None else stats.last_months(now, months))


def _series_rows(
    buckets: list[stats.Period], counted: dict[stats.Period, dict[uuid.UUID, stats.Counts]]
) -> list[Row]:
    return [_row(bucket.key, bucket.key, stats.total(counted[bucket].values())) for bucket in buckets]


def monthly_series(
    uow: UnitOfWork,
    *,
    now: datetime,
    months: int = SERIES_MONTHS,
    agency_id: uuid.UUID | None = None,
    period: stats.Period | None = None,
) -> list[Row]:
    """Return the totals of each month: the months of `period`, or the last `months` months."""
    buckets = _series_buckets(now, months, period)
    counted = counts_by_agency_over(uow, buckets, now=now, agency_id=agency_id)
    return _series_rows(buckets, dict(zip(buckets, counted, strict=True)))


def _agency_name(agency: identity.AgencyDTO | None, agency_id: uuid.UUID) -> str:
    if agency is None:
        return str(agency_id)
    return agency.short_name or agency.name


def _commune_name(code: str) -> str:
    if code == NO_COMMUNE:
        return "Chưa gắn xã/phường"
    from thanglong.core import geo  # noqa: PLC0415 - the commune table is read only when named

    try:
        return geo.get(code).name
    except Exception:  # an agency may carry a code of a unit that no longer exists
        return code


def build_report(
    uow: UnitOfWork,
    period: stats.Period,
    *,
    now: datetime,
    agency_id: uuid.UUID | None = None,
) -> Report:
    """Compute the statistics of a period (optionally of one agency) with its monthly series."""
    # The period and its monthly series in the same scans: a month's page counts the current month once,
    # as the series' last bucket.
    series_period = period if period.kind != "month" else None
    buckets = _series_buckets(now, SERIES_MONTHS, series_period)
    periods = list(dict.fromkeys([period, *buckets]))
    counted = dict(
        zip(periods, counts_by_agency_over(uow, periods, now=now, agency_id=agency_id), strict=True)
    )
    by_agency = counted[period]
    agencies = {a.id: a for a in identity.list_agencies(uow)}
    agency_rows = [
        _row(str(a_id), _agency_name(agencies.get(a_id), a_id), counts) for a_id, counts in by_agency.items()
    ]
    agency_rows.sort(key=lambda r: (-r.counts.received, r.name))
    by_commune: dict[str, stats.Counts] = {}
    for a_id, counts in by_agency.items():
        agency = agencies.get(a_id)
        code = (agency.commune_code if agency else None) or NO_COMMUNE
        by_commune[code] = by_commune.get(code, stats.Counts()) + counts
    commune_rows = [_row(code, _commune_name(code), counts) for code, counts in by_commune.items()]
    commune_rows.sort(key=lambda r: (r.key == NO_COMMUNE, -r.counts.received, r.name))
    series = _series_rows(buckets, counted)
    total = _row("total", "Tổng cộng", stats.total(by_agency.values()))
    return Report(period, total, agency_rows, commune_rows, series)


def _totals(uow: UnitOfWork, period: stats.Period) -> stats.Counts:
    now = uow.clock()
    return stats.total(counts_by_agency(uow, period, now=now).values())


def _ratio(value: float | None) -> float | None:
    # Nothing to divide is no data (core.kpi shows None as such): a zero would read as a missed target.
    return None if value is None else round(100 * value, 1)


def kpi_on_time_rate_this_month(uow: UnitOfWork) -> float | None:
    """Return the percentage of dossiers resolved on time this month."""
    counts = _totals(uow, stats.month_of(uow.clock()))
    return _ratio(stats.share(counts.resolved_on_time, counts.resolved).value)


def kpi_online_share(uow: UnitOfWork) -> float | None:
    """Return the percentage of this month's received dossiers that were filed online."""
    counts = _totals(uow, stats.month_of(uow.clock()))
    return _ratio(stats.share(counts.online, counts.received).value)


def kpi_full_process_share(uow: UnitOfWork) -> float | None:
    """Return the percentage of this month's online dossiers that were filed fully online."""
    counts = _totals(uow, stats.month_of(uow.clock()))
    return _ratio(stats.share(counts.full_process_online, counts.online).value)


def kpi_online_payment_share(uow: UnitOfWork) -> float | None:
    """Return the percentage of this month's fee-bearing dossiers paid online."""
    counts = _totals(uow, stats.month_of(uow.clock()))
    return _ratio(stats.share(counts.paid_online, counts.fee_bearing).value)


def kpi_average_satisfaction(uow: UnitOfWork) -> float | None:
    """Return the average satisfaction score (1 to 5) given this month (None without ratings)."""
    counts = _totals(uow, stats.month_of(uow.clock()))
    return None if counts.ratings == 0 else round(counts.rating_sum / counts.ratings, 2)


def kpi_received_today(uow: UnitOfWork) -> float:
    """Return the number of dossiers received today (Hanoi time)."""
    return float(_totals(uow, stats.day(uow.clock())).received)
