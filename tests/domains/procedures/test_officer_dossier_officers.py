"""The officer's dossier page offers the active officers and heads of the dossier's agencies, read as such."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import insert, update

from tests.domains.procedures.helpers import _user, make_world
from tests.domains.procedures.test_services_stats import _file
from thanglong.core.platform import Platform
from thanglong.domains.identity import api as identity
from thanglong.domains.identity.api import AGENCY_HEAD, CITIZEN, OFFICER
from thanglong.domains.identity.models import User
from thanglong.domains.procedures.web.pages import _officer_view


def test_the_page_offers_the_agencies_active_officers_whatever_the_number_of_users(
    platform: Platform,
) -> None:
    world = make_world(platform)
    retired = _user(platform, OFFICER, world.agency_id)
    citizen_there = _user(platform, CITIZEN, world.agency_id)
    with platform.uow() as uow:
        uow.session.execute(update(User).where(User.id == retired.id).values(is_active=False))
        # 2,000 accounts sorting before every officer (the page used to read the first 2,000 users).
        now = datetime.now(UTC)
        uow.session.execute(
            insert(User),
            [
                {"id": uuid.uuid4(), "username": f"a{i:05d}", "username_key": f"a{i:05d}", "created_at": now}
                for i in range(2000)
            ],
        )
        uow.commit()
    dossier_id = _file(platform, world, world.agency_id)
    with platform.uow() as uow:
        view = _officer_view(uow, world.officer, dossier_id)
        members = identity.list_agency_members(uow, [world.agency_id, world.other_agency_id], [OFFICER])
    offered = {u.id for u in view["officers"]}
    assert offered == {world.officer.id, world.officer2.id, world.head.id}
    assert retired.id not in offered and citizen_there.id not in offered
    assert [u.username for u in view["officers"]] == sorted(u.username for u in view["officers"])
    assert {u.id for u in members} == {world.officer.id, world.officer2.id, world.outsider.id}
    assert all(OFFICER in u.roles or AGENCY_HEAD in u.roles for u in view["officers"])
