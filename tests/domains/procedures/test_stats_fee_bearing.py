"""Whether a procedure version charges a fee is stored with it; the statistics page's statements."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from sqlalchemy import select

from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.helpers import make_world, spec
from tests.domains.procedures.test_page_queries import counting
from thanglong.core import migrate
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.testing.plugin import committing_platform
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.models import Procedure, ProcedureVersion, charges_fee
from thanglong.domains.procedures.statistics import services as services_stats
from thanglong.domains.procedures.statistics import stats


def test_the_flag_follows_the_fee_schedule() -> None:
    version = ProcedureVersion(fees=[{"name": "Lệ phí", "amount_vnd": 8000}])
    assert version.fee_bearing is True
    version.fees = [{"name": "Lệ phí", "amount_vnd": 0}]
    assert version.fee_bearing is False
    assert charges_fee(None) is False and charges_fee([{"amount_vnd": "5000"}]) is True


def _flags(platform: Platform) -> dict[str, tuple[bool, bool]]:
    """Return, per procedure code, (stored flag, what the fee schedule says)."""
    with platform.session_factory() as session:
        rows = session.execute(
            select(Procedure.code, ProcedureVersion.fee_bearing, ProcedureVersion.fees).join(
                Procedure, Procedure.id == ProcedureVersion.procedure_id
            )
        )
        return {code: (flag, charges_fee(fees)) for code, flag, fees in rows}


def test_a_new_fee_schedule_moves_the_flag(platform: Platform) -> None:
    free = spec(fee=0)
    with platform.uow() as uow:
        load_specs(uow, [free], actor=SYSTEM_ACTOR)
    assert _flags(platform)[free.code] == (False, False)
    with platform.uow() as uow:  # the same version, now with a fee
        load_specs(uow, [dataclasses.replace(spec(fee=12000), code=free.code)], actor=SYSTEM_ACTOR)
    assert _flags(platform)[free.code] == (True, True)


def test_the_migration_fills_the_flag_of_existing_versions(tmp_path: Path) -> None:
    with committing_platform(tmp_path, "fee_bearing_migration", domains=DOMAINS) as platform:
        paid, free = spec(fee=8000), spec(fee=0, effective_from=date(2021, 1, 1))
        with platform.uow() as uow:
            load_specs(uow, [paid, free], actor=SYSTEM_ACTOR)
        migrate.downgrade(platform.engine, "procedures_0080")
        assert migrate.state(platform.engine).branch("procedures").current == ("procedures_0080",)
        migrate.upgrade(platform.engine)
        flags = _flags(platform)
    assert flags[paid.code] == (True, True)
    assert flags[free.code] == (False, False)


def test_a_month_report_counts_the_month_with_its_series(platform: Platform) -> None:
    world = make_world(platform, fee=8000)
    with platform.uow() as uow:
        now = uow.clock()
        with counting(platform) as seen:
            report = services_stats.build_report(uow, stats.month_of(now), now=now)
            again = services_stats.build_report(uow, stats.month_of(now), now=now, agency_id=world.agency_id)
    # One scan of the figures and one of the ratings for the month and the 5 months before it, then the
    # agencies: no statement reading the fee schedules, no second scan for the month itself.
    selects = [s for s in seen if s.startswith("SELECT")]
    assert len(selects) == 6, selects
    assert [r.key for r in report.series] == [m.key for m in stats.last_months(now, 6)]
    assert report.total == again.total
