"""The main pages run the same number of SQL statements whatever the number of rows they list."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager

from fastapi.testclient import TestClient
from sqlalchemy import event

from tests.domains.procedures.helpers import VALID_FORM, World, _user, make_world, spec
from tests.domains.procedures.test_pages import _login
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.domains.identity.api import ADMINISTRATOR, AGENCY_HEAD, OFFICER
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.dossiers import services


@contextmanager
def counting(platform: Platform) -> Iterator[list[str]]:
    """Collect the SQL statements the platform's engine runs inside the block."""
    seen: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(platform.engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(platform.engine, "before_cursor_execute", record)


def _grow(platform: Platform, world: World, n: int) -> None:
    """Add n procedures, n dossiers (of the citizen, at the officer's agency, half received), n officers."""
    specs = [dataclasses.replace(spec(), sector="Hộ tịch" if i % 2 else "Chứng thực") for i in range(n)]
    with platform.uow() as uow:
        load_specs(uow, specs, actor=SYSTEM_ACTOR)
    for i in range(n):
        with platform.uow() as uow:
            dossier = services.submit_dossier(
                uow,
                principal=world.citizen,
                procedure_code=specs[i].code,
                receiving_agency_id=world.agency_id,
                form_data=VALID_FORM,
            )
        if i % 2:
            with platform.uow() as uow:
                services.act(uow, principal=world.officer, ref=dossier.id, action="receive")
        _user(platform, OFFICER, world.agency_id)


def _statements(client: TestClient, platform: Platform, who: Principal | None, path: str) -> int:
    if who is None:
        client.cookies.clear()
    else:
        _login(client, platform, who)
    client.get(path)  # the first request may fill per-process caches
    with counting(platform) as seen:
        response = client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return len(seen)


def test_statements_per_page_do_not_grow_with_rows(client: TestClient, platform: Platform) -> None:
    world = make_world(platform)
    admin = _user(platform, ADMINISTRATOR, None)
    head = _user(platform, AGENCY_HEAD, world.agency_id)
    _grow(platform, world, 4)
    with platform.uow() as uow:
        assert world.citizen.id is not None
        one = services.list_for_applicant(uow, world.citizen.id)[0]
    pages: list[tuple[Principal | None, str]] = [
        (None, "/procedures"),
        (None, "/procedures?sector=H%E1%BB%99+t%E1%BB%8Bch&level=xa"),
        (None, "/procedures?fee=free&page=2"),
        (world.citizen, "/my/dossiers"),
        (world.citizen, f"/my/dossiers/{one.id}"),
        (world.officer, "/officer/queue"),
        (world.officer, f"/officer/dossiers/{one.id}"),
        (admin, "/officer/queue"),
        (admin, "/admin/users"),
        (head, "/officer/stats"),
    ]

    def label(who: Principal | None, path: str) -> str:
        return f"{'anyone' if who is None else '+'.join(sorted(who.roles))} {path}"

    few = {label(who, path): _statements(client, platform, who, path) for who, path in pages}
    _grow(platform, world, 16)
    many = {label(who, path): _statements(client, platform, who, path) for who, path in pages}
    grown = {key: (few[key], many[key]) for key in few if many[key] != few[key]}
    assert not grown, grown
