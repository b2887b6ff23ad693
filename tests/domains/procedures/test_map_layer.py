"""The dossiers-by-commune map layer: open and overdue counts per commune this month, in one GROUP BY."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import shapely
from sqlalchemy import event, update

from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from thanglong.core import geo
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import agencies
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.models import Dossier
from thanglong.domains.procedures.statistics import map_layer as services_map
from thanglong.domains.procedures.statistics import stats

HOAN_KIEM, CUA_NAM, SOC_SON = "00070", "00082", "00376"


def _file(platform: Platform, world: World, agency_id: uuid.UUID, **moments: Any) -> uuid.UUID:
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=agency_id,
            form_data=dict(VALID_FORM),
        )
    with platform.uow() as uow:
        uow.session.execute(update(Dossier).where(Dossier.id == dossier.id).values(**moments))
        uow.commit()
    return dossier.id


def _scenario(platform: Platform, world: World) -> None:
    """Hoàn Kiếm: 2 open (1 overdue) and 1 finished this month, 1 open from last month; Cửa Nam: 1 overdue."""
    with platform.uow() as uow:
        now = uow.clock()
        agencies.update_agency(uow, actor=SYSTEM_ACTOR, agency_id=world.agency_id, commune_code=HOAN_KIEM)
    with platform.uow() as uow:
        agencies.update_agency(uow, actor=SYSTEM_ACTOR, agency_id=world.other_agency_id, commune_code=CUA_NAM)
    month = stats.month_of(now)
    # Moments inside this month and before now, whatever day the test runs.
    early = month.start + (now - month.start) / 4
    middle = month.start + (now - month.start) / 2
    later = now + (month.end - now) / 2
    hk, cn = world.agency_id, world.other_agency_id
    _file(platform, world, hk, status="processing", received_at=early, due_at=later, finished_at=None)
    _file(platform, world, hk, status="processing", received_at=early, due_at=middle, finished_at=None)
    _file(platform, world, hk, status="returned", received_at=early, due_at=later, finished_at=middle)
    before = month.start - (now - month.start) - (later - now)
    _file(platform, world, hk, status="processing", received_at=before, due_at=later, finished_at=None)
    _file(platform, world, cn, status="processing", received_at=middle, due_at=middle, finished_at=None)
    # Received last month and finished then: it counts nowhere this month.
    _file(platform, world, cn, status="returned", received_at=before, due_at=before, finished_at=before)


@contextmanager
def statements(platform: Platform) -> Iterator[list[str]]:
    """Record the SQL statements run on the test's connection."""
    seen: list[str] = []
    connection: Any = platform.session_factory.kw["bind"]

    def record(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _by_code(collection: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["id"]: f["properties"] for f in collection["features"]}


def test_counts_per_commune_this_month(platform: Platform) -> None:
    world = make_world(platform)
    _scenario(platform, world)
    with platform.uow() as uow:
        collection = services_map.dossiers_by_commune(uow, None, "vi")
        month = stats.month_of(uow.clock()).key
    found = _by_code(collection)
    assert len(found) == 126, "every commune is drawn, those without dossiers at zero"
    assert {k: found[HOAN_KIEM][k] for k in ("open", "overdue", "received")} == {
        "open": 3,
        "overdue": 1,
        "received": 3,
    }
    assert {k: found[CUA_NAM][k] for k in ("open", "overdue", "received")} == {
        "open": 1,
        "overdue": 1,
        "received": 1,
    }
    assert found[SOC_SON]["open"] == found[SOC_SON]["overdue"] == 0
    assert found[HOAN_KIEM]["label"] == "Phường Hoàn Kiếm" and found[HOAN_KIEM]["month"] == month
    assert {f["geometry"]["type"] for f in collection["features"]} == {"MultiPolygon"}


def test_one_group_by_whatever_the_number_of_communes(platform: Platform) -> None:
    world = make_world(platform)
    _scenario(platform, world)
    ward = geo.get(HOAN_KIEM).geometry
    box = tuple(float(v) for v in ward.bounds)
    with statements(platform) as seen, platform.uow() as uow:
        collection = services_map.dossiers_by_commune(uow, box, "en")  # type: ignore[arg-type]
    queries = [s for s in seen if s.lstrip().upper().startswith("SELECT")]
    assert len([s for s in queries if "GROUP BY" in s.upper()]) == 1, queries
    assert len(queries) <= 3, "agencies, (SQLite: the boundaries for the STRtree), then the counts"
    found = _by_code(collection)
    expected = {c.code for c in geo.communes() if c.geometry.intersects(shapely.box(*box))}
    assert set(found) == expected and SOC_SON not in found
    assert found[HOAN_KIEM]["open"] == 3 and found[HOAN_KIEM]["label"] == "Hoan Kiem Ward"


def test_without_commune_agencies_every_commune_counts_zero(platform: Platform) -> None:
    with platform.uow() as uow:
        for agency in agencies.list_agencies(uow):
            if agency.commune_code:
                agencies.update_agency(uow, actor=SYSTEM_ACTOR, agency_id=agency.id, commune_code="")
        uow.commit()
    with platform.uow() as uow:
        found = _by_code(services_map.dossiers_by_commune(uow, None, "vi"))
    assert len(found) == 126 and {p["open"] for p in found.values()} == {0}


def test_month_key_follows_hanoi_time(platform: Platform) -> None:
    # 17:30 UTC on 31 January is already 1 February in Hanoi.
    platform.clock = lambda: datetime.fromisoformat("2026-01-31T17:30:00+00:00")
    with platform.uow() as uow:
        collection = services_map.dossiers_by_commune(uow, (105.84, 21.02, 105.86, 21.04), "vi")
    assert {f["properties"]["month"] for f in collection["features"]} == {"2026-02"}
