"""Statistics counted in SQL: dossiers with known outcomes give exact figures per agency, commune, period."""

from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update

from tests.domains.procedures.helpers import VALID_FORM, World, _user, make_world
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.core.testing.plugin import run_jobs
from thanglong.domains.identity import agencies
from thanglong.domains.identity import demo as identity_demo
from thanglong.domains.identity.api import AGENCY_HEAD
from thanglong.domains.payments.events import PaymentSucceeded
from thanglong.domains.procedures import demo as services_demo
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import load_catalogue
from thanglong.domains.procedures.dossiers import citizen as services_citizen
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.payments import request_payment
from thanglong.domains.procedures.dossiers.states import DossierAction as A
from thanglong.domains.procedures.models import Attachment, Dossier, DossierRating, DossierStep, Procedure
from thanglong.domains.procedures.models import ProcedureVersion as Version
from thanglong.domains.procedures.statistics import services as services_stats
from thanglong.domains.procedures.statistics import stats


def _file(platform: Platform, world: World, agency_id: uuid.UUID) -> uuid.UUID:
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=agency_id,
            form_data=dict(VALID_FORM),
        )
    return dossier.id


def _act(platform: Platform, who: Principal, ref: uuid.UUID, *actions: A, **kw: Any) -> None:
    for action in actions:
        with platform.uow() as uow:
            services.act(uow, principal=who, ref=ref, action=action, **kw)


def _place(platform: Platform, dossier_id: uuid.UUID, **values: Any) -> None:
    """Move a dossier's moments into the period under test (the use cases stamp "now")."""
    with platform.uow() as uow:
        uow.session.execute(update(Dossier).where(Dossier.id == dossier_id).values(**values))
        uow.commit()


def _paid_online(platform: Platform, world: World, dossier_id: uuid.UUID) -> None:
    with platform.uow() as uow:
        _, payment = request_payment(uow, principal=world.officer, ref=dossier_id)
    with platform.uow() as uow:
        uow.emit(PaymentSucceeded(payment.id, payment.reference, payment.purpose, payment.amount_vnd))
        uow.commit()
    run_jobs(platform)


def _paid_at_counter(platform: Platform, world: World, dossier_id: uuid.UUID) -> None:
    with platform.uow() as uow:
        request_payment(uow, principal=world.officer, ref=dossier_id)
    _act(platform, world.officer, dossier_id, A.RECORD_PAYMENT)


def _resolve(platform: Platform, world: World, dossier_id: uuid.UUID, *, returned: bool) -> None:
    _act(platform, world.head, dossier_id, A.APPROVE)
    if returned:
        _act(platform, world.officer, dossier_id, A.RETURN_RESULT)


def _rate(platform: Platform, world: World, dossier_id: uuid.UUID, score: int, at: datetime) -> None:
    with platform.uow() as uow:
        services_citizen.rate_dossier(uow, principal=world.citizen, ref=dossier_id, score=score)
    with platform.uow() as uow:
        uow.session.execute(
            update(DossierRating).where(DossierRating.dossier_id == dossier_id).values(created_at=at)
        )
        uow.commit()


def _scenario(platform: Platform, world: World, period: stats.Period) -> dict[str, uuid.UUID]:
    """Six dossiers with known outcomes in `period` (a past month, so the figures are final)."""
    p0 = period.start + timedelta(hours=2)
    day = timedelta(days=1)
    ids = {name: _file(platform, world, world.agency_id) for name in ("a", "b", "c", "c2", "e")}
    ids["d"] = _file(platform, world, world.other_agency_id)
    for name in ("a", "b", "c", "c2", "e"):
        _act(platform, world.officer, ids[name], A.RECEIVE, A.ASSIGN, officer_id=world.officer.id)
    outsider_head = world.outsider  # officer of the other agency; the head signs there as administrator
    _act(platform, outsider_head, ids["d"], A.RECEIVE, A.ASSIGN, officer_id=outsider_head.id)
    _paid_online(platform, world, ids["a"])
    _paid_at_counter(platform, world, ids["b"])
    _resolve(platform, world, ids["a"], returned=True)
    _resolve(platform, world, ids["b"], returned=False)
    _resolve(platform, world, ids["e"], returned=True)
    # A person approves (and signs the result): the head of the other agency.
    other_head = _user(platform, AGENCY_HEAD, world.other_agency_id)
    with platform.uow() as uow:
        services.act(uow, principal=other_head, ref=ids["d"], action=A.APPROVE)
    _rate(platform, world, ids["a"], 5, p0 + 4 * day)
    _rate(platform, world, ids["e"], 2, p0 + 2 * day)
    _place(platform, ids["a"], received_at=p0 + day, due_at=p0 + 5 * day, finished_at=p0 + 3 * day)
    _place(
        platform,
        ids["b"],
        channel="counter",
        received_at=p0 + 2 * day,
        due_at=p0 + 6 * day,
        finished_at=p0 + 6 * day + timedelta(seconds=1),
    )
    _place(platform, ids["c"], received_at=p0 + 3 * day, due_at=p0 + 4 * day, finished_at=None)
    _place(platform, ids["c2"], received_at=p0 + 3 * day, due_at=period.end + 10 * day, finished_at=None)
    _place(platform, ids["e"], received_at=p0 - 2 * day, due_at=p0 + 3 * day, finished_at=p0 + day)
    _place(platform, ids["d"], received_at=p0 + day, due_at=p0 + 3 * day, finished_at=p0 + 3 * day)
    with platform.uow() as uow:
        # Whatever approval attached, only the dossier D has a signed electronic result here.
        uow.session.execute(delete(Attachment).where(Attachment.dossier_id.in_(ids.values())))
        uow.session.add(
            Attachment(
                dossier_id=ids["d"],
                sha256="0" * 64,
                size=1,
                media_type="application/pdf",
                filename="ket-qua.pdf",
                kind="result",
                uploaded_by=SYSTEM_ACTOR,
                created_at=p0 + 3 * day,
            )
        )
        uow.commit()
    return ids


def _past_month(platform: Platform) -> stats.Period:
    with platform.uow() as uow:
        now = uow.clock()
    this = stats.month_of(now)
    return stats.month_of(this.start - timedelta(days=1))


def test_exact_figures_per_agency_and_commune(platform: Platform) -> None:
    world = make_world(platform, fee=8000)
    period = _past_month(platform)
    ids = _scenario(platform, world, period)
    with platform.uow() as uow:
        agencies.update_agency(uow, actor=SYSTEM_ACTOR, agency_id=world.agency_id, commune_code="00070")
    with platform.uow() as uow:
        now = uow.clock()
        report = services_stats.build_report(uow, period, now=now)
    rows = {r.key: r for r in report.agencies}
    mine = rows[str(world.agency_id)].counts
    assert (mine.received, mine.online, mine.full_process_online) == (4, 3, 3)
    assert (mine.resolved, mine.resolved_on_time, mine.resolved_late) == (3, 2, 1)
    assert (mine.in_progress, mine.in_progress_on_time, mine.in_progress_late) == (2, 1, 1)
    assert (mine.fee_bearing, mine.paid_online) == (4, 1)
    assert (mine.with_result, mine.digitised_results) == (3, 0)
    assert (mine.ratings, mine.rating_sum, mine.satisfied) == (2, 7, 1)
    other = rows[str(world.other_agency_id)].counts
    assert (other.received, other.resolved, other.resolved_on_time) == (1, 1, 1)
    assert (other.with_result, other.digitised_results, other.paid_online) == (1, 1, 0)
    figures = rows[str(world.agency_id)].figures
    assert figures["on_time_rate"].share == stats.Share(2, 3)
    assert figures["online_payment_share"].share == stats.Share(1, 4)
    assert figures["average_score"].value == 3.5
    assert report.total.counts == mine + other
    communes = {r.key: r for r in report.communes}
    assert communes["00070"].counts == mine and communes["00070"].name == "Phường Hoàn Kiếm"
    assert communes[services_stats.NO_COMMUNE].counts == other
    # The same dossiers counted by the pure engine give the same figures as the SQL.
    assert _tallied(platform, ids, world.agency_id, period, now) == mine


def _tallied(
    platform: Platform, ids: dict[str, uuid.UUID], agency_id: uuid.UUID, period: stats.Period, now: datetime
) -> stats.Counts:
    with platform.uow() as uow:
        session = uow.session
        found = session.execute(
            select(Dossier, Procedure.service_level, Version.fees)
            .join(Version, Version.id == Dossier.procedure_version_id)
            .join(Procedure, Procedure.id == Version.procedure_id)
            .where(Dossier.id.in_(ids.values()), Dossier.receiving_agency_id == agency_id)
        ).all()
        rows = []
        for d, level, fees in found:
            steps = session.scalars(select(DossierStep).where(DossierStep.dossier_id == d.id)).all()
            kinds = session.scalars(select(Attachment.kind).where(Attachment.dossier_id == d.id)).all()
            rows.append(
                stats.DossierRow(
                    status=d.status,
                    channel=d.channel,
                    service_level=level,
                    received_at=d.received_at,
                    due_at=d.due_at,
                    finished_at=d.finished_at,
                    paused_at=d.paused_at,
                    fee_bearing=sum(f["amount_vnd"] for f in fees) > 0,
                    paid_online=any(s.action == "record_payment" and s.actor == SYSTEM_ACTOR for s in steps),
                    has_result_document="result" in kinds,
                )
            )
        scores = session.scalars(
            select(DossierRating.score)
            .join(Dossier, Dossier.id == DossierRating.dossier_id)
            .where(Dossier.receiving_agency_id == agency_id)
            .where(DossierRating.created_at >= period.start, DossierRating.created_at < period.end)
        ).all()
    return stats.tally(rows, period, now=now, scores=scores)


def test_agency_filter_series_and_json(platform: Platform) -> None:
    world = make_world(platform, fee=8000)
    period = _past_month(platform)
    _scenario(platform, world, period)
    with platform.uow() as uow:
        now = uow.clock()
        report = services_stats.build_report(uow, period, now=now, agency_id=world.other_agency_id)
        series = services_stats.monthly_series(uow, now=now, agency_id=world.agency_id, months=3)
        empty = services_stats.build_report(uow, stats.month(2001, 1), now=now)
    assert [r.key for r in report.agencies] == [str(world.other_agency_id)]
    assert report.total.counts.received == 1
    assert [r.key for r in series] == [m.key for m in stats.last_months(now, 3)]
    by_month = {r.key: r.counts for r in series}
    assert by_month[period.key].received == 4 and by_month[period.key].resolved_late == 1
    data = report.to_dict()
    assert data["period"]["key"] == period.key
    assert data["total"]["indicators"]["on_time_rate"]["percent"] == 100.0
    assert data["total"]["indicators"]["online_payment_share"]["value"] == 0.0
    assert empty.agencies == [] and empty.total.counts == stats.Counts()
    assert empty.to_dict()["total"]["indicators"]["on_time_rate"]["value"] is None


def test_kpis_count_today(platform: Platform) -> None:
    world = make_world(platform)
    with platform.uow() as uow:
        before = services_stats.kpi_received_today(uow)
    dossier = _file(platform, world, world.agency_id)
    _act(platform, world.officer, dossier, A.RECEIVE)
    with platform.uow() as uow:
        assert services_stats.kpi_received_today(uow) == before + 1
        online = services_stats.kpi_online_share(uow)
        assert online is not None and 0.0 < online <= 100.0
        # Nothing resolved, paid or rated yet: no data, not a zero that would read as a missed target.
        assert services_stats.kpi_on_time_rate_this_month(uow) is None
        assert services_stats.kpi_online_payment_share(uow) is None
        assert services_stats.kpi_average_satisfaction(uow) is None


def test_demo_history_is_quick_idempotent_and_drawable(platform: Platform) -> None:
    identity_demo.load_demo(platform)
    with platform.uow() as uow:
        load_specs(uow, load_catalogue(), actor=SYSTEM_ACTOR)
    started = time.perf_counter()
    added = services_demo.load_history(platform)
    elapsed = time.perf_counter() - started
    assert added == services_demo.HISTORY_SIZE
    assert elapsed < 3.0
    assert services_demo.load_history(platform) == 0
    with platform.uow() as uow:
        now = uow.clock()
        count = uow.session.scalar(
            select(func.count()).select_from(Dossier).where(Dossier.note == services_demo.HISTORY_NOTE)
        )
        series = services_stats.monthly_series(uow, now=now)
    assert count == services_demo.HISTORY_SIZE
    past = [row.counts for row in series[:-1]]
    assert all(c.received > 0 and c.resolved_on_time > 0 for c in past)
    assert sum(c.resolved_late for c in past) > 0 and sum(c.paid_online for c in past) > 0
    assert sum(c.ratings for c in past) > 0 and sum(c.digitised_results for c in past) > 0
    assert 0 < sum(c.online for c in past) < sum(c.received for c in past)
