"""Migration procedures_0004: sync rows and shipments still waiting get their jobs, in order."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import select, update

from tests.domains.procedures.conftest import DOMAINS
from tests.domains.procedures.fake_dvcqg import TOKEN, FakePortal, running_portal
from tests.domains.procedures.fake_vnpost import TOKEN as VNPOST_TOKEN
from tests.domains.procedures.fake_vnpost import running_carrier
from tests.domains.procedures.helpers import make_world
from tests.domains.procedures.test_dvcqg_sync import accepted_statuses, rows, take_through
from tests.domains.procedures.test_postal import GOOD_FORM, _returned_by_post
from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.models import Job
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings
from thanglong.domains.procedures.config import ProcedureSettings
from thanglong.domains.procedures.integrations.dvcqg import services as services_dvcqg
from thanglong.domains.procedures.integrations.vnpost import services as services_postal
from thanglong.domains.procedures.models import DvcqgSync


@pytest.fixture
def committing(tmp_path: Path) -> Iterator[tuple[Platform, str]]:
    """A platform on its own migrated database whose units of work really commit."""
    url = create_database(tmp_path, "jobs_migration")
    engine = make_engine(url)
    migrate.upgrade(engine)
    platform = build_platform(make_settings(tmp_path, url, domains=DOMAINS), engine=engine)
    yield platform, url
    platform.close()
    drop_database(url)


@pytest.fixture
def portal() -> Iterator[FakePortal]:
    with running_portal() as fake:
        yield fake


def _jobs(platform: Platform, kind: str) -> list[Job]:
    with platform.session_factory() as session:
        return list(session.scalars(select(Job).where(Job.kind == kind).order_by(Job.id)))


def test_waiting_rows_get_their_jobs_back_in_order(
    committing: tuple[Platform, str], portal: FakePortal, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("THANGLONG_PROCEDURES_VNPOST_URL", raising=False)
    platform, _ = committing
    world = make_world(platform)
    code = take_through(platform, world)
    shipment_dossier = _returned_by_post(platform, world, GOOD_FORM)
    # The portal already holds the receipt; one more attempt was made on the next status.
    first, second, _ = rows(platform, code)
    with platform.uow() as uow:
        uow.session.execute(update(DvcqgSync).where(DvcqgSync.id == first.id).values(state="sent"))
        uow.session.execute(update(DvcqgSync).where(DvcqgSync.id == second.id).values(attempts=1))
        uow.commit()

    migrate.downgrade(platform.engine, "procedures_0003")
    assert migrate.state(platform.engine).branch("procedures").current == ("procedures_0003",)
    assert _jobs(platform, services_dvcqg.JOB_KIND) == []
    assert _jobs(platform, services_postal.JOB_KIND) == []
    migrate.upgrade(platform.engine)

    key = services_dvcqg.ordering_key(code)
    carried = [j for j in _jobs(platform, services_dvcqg.JOB_KIND) if j.ordering_key == key]
    assert [j.payload["sync_id"] for j in carried] == [str(r.id) for r in rows(platform, code)[1:]]
    assert [(j.status, j.attempts) for j in carried] == [("queued", 1), ("queued", 0)]
    [order] = _jobs(platform, services_postal.JOB_KIND)
    with platform.uow() as uow:
        shipment = services_postal.get_shipment(uow, shipment_dossier)
    assert shipment is not None and order.payload == {"shipment_id": str(shipment.id)}

    settings = ProcedureSettings(dvcqg_url=portal.url, dvcqg_token=SecretStr(TOKEN))
    assert services_dvcqg.push_pending(platform, settings=settings).sent == 2 + 4, "and the postal one's"
    assert accepted_statuses(portal, code) == [4, 9]
    with running_carrier() as carrier:
        postal = ProcedureSettings(vnpost_url=carrier.url, vnpost_token=SecretStr(VNPOST_TOKEN))
        assert services_postal.push_pending(platform, settings=postal).sent == 1
