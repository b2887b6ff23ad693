"""What a filing caches per process: the versions of a procedure (by stamp) and the agencies (5 s)."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import delete, event, update

from tests.domains.procedures.helpers import EFORM, VALID_FORM, World, make_world, spec
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity import agencies
from thanglong.domains.identity.models import Agency
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.dossiers import services


class StepTime:
    """A cache's monotonic clock, moved by hand."""

    def __init__(self) -> None:
        self.t = 50_000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture
def agency_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[StepTime]:
    clock = StepTime()
    monkeypatch.setattr(agencies.KNOWN_AGENCIES, "now", clock)
    agencies.KNOWN_AGENCIES.clear()
    yield clock
    agencies.KNOWN_AGENCIES.clear()


def _file(platform: Platform, world: World, **changes: Any) -> services.DossierDTO:
    arguments: dict[str, Any] = {
        "principal": world.citizen,
        "procedure_code": world.procedure_code,
        "receiving_agency_id": world.agency_id,
        "form_data": VALID_FORM,
    } | changes
    with platform.uow() as uow:
        return services.submit_dossier(uow, **arguments)


def _reads(platform: Platform, table: str) -> list[str]:
    seen: list[str] = []

    def listen(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement.lstrip().startswith("SELECT") and f"FROM {table}" in statement:
            seen.append(statement)

    event.listen(platform.engine, "before_cursor_execute", listen)
    return seen


def test_a_second_filing_reads_only_the_procedures_stamp(platform: Platform) -> None:
    world = make_world(platform)
    versions = _reads(platform, "procedures_procedure_version")
    agency_reads = _reads(platform, "identity_agency")
    first = _file(platform, world)
    read_first = (len(versions), len(agency_reads))
    second = _file(platform, world)
    assert first.procedure_version_id == second.procedure_version_id
    assert (len(versions), len(agency_reads)) == read_first, "versions and agency came from the cache"


def test_a_catalogue_change_is_seen_by_the_next_filing_even_under_a_frozen_clock(platform: Platform) -> None:
    world = make_world(platform)
    frozen = datetime.now(UTC)
    platform.clock = lambda: frozen
    first = _file(platform, world)
    stricter = {**EFORM, "required": [*EFORM["required"], "que_quan"]}
    stricter["properties"] = {**EFORM["properties"], "que_quan": {"type": "string", "minLength": 2}}
    changed = dataclasses.replace(spec(world.procedure_code), eform=stricter)
    # The platform's clock does not move between the two loads: the stamp must move all the same.
    with platform.uow() as uow:
        assert load_specs(uow, [changed], actor=SYSTEM_ACTOR) == (0, 1)
    with pytest.raises(InvalidInput) as refused:
        _file(platform, world)
    assert refused.value.code == "invalid_form"
    newer = dataclasses.replace(changed, eform=EFORM, effective_from=date(2021, 1, 1))
    with platform.uow() as uow:
        load_specs(uow, [newer], actor=SYSTEM_ACTOR)
    third = _file(platform, world)
    assert third.procedure_version_id != first.procedure_version_id, "filed on the version now in force"


def test_an_agency_deleted_here_is_refused_at_once(platform: Platform, agency_time: StepTime) -> None:
    world = make_world(platform)
    spare = _spare_agency(platform)
    _file(platform, world, receiving_agency_id=spare)
    with platform.uow() as uow:
        agencies.delete_agency(uow, actor=SYSTEM_ACTOR, agency_id=spare)
    with pytest.raises(NotFound) as refused:
        _file(platform, world, receiving_agency_id=spare)
    assert refused.value.code == "agency_not_found"


def test_an_agency_deleted_elsewhere_is_refused_within_the_bound(
    platform: Platform, agency_time: StepTime
) -> None:
    world = make_world(platform)
    spare = _spare_agency(platform)
    _file(platform, world, receiving_agency_id=spare)
    # Another process deletes it: the row goes, this process's cache is not told.
    with platform.uow() as uow:
        uow.session.execute(delete(Agency).where(Agency.id == spare))
        uow.commit()
    agency_time.t += agencies.AGENCY_CACHE_SECONDS - 0.01
    _file(platform, world, receiving_agency_id=spare)
    agency_time.t += 0.01
    with pytest.raises(NotFound):
        _file(platform, world, receiving_agency_id=spare)


def _spare_agency(platform: Platform) -> uuid.UUID:
    code = f"{uuid.uuid4().int % 1000:03d}.{uuid.uuid4().int % 100:02d}.77.H26"
    with platform.uow() as uow:
        return agencies.create_agency(
            uow, actor=SYSTEM_ACTOR, code=code, name="UBND Phường Thử", short_name=""
        ).id


def test_the_agencies_a_filing_checks_are_read_once_within_the_bound(
    platform: Platform, agency_time: StepTime
) -> None:
    world = make_world(platform)
    spare = _spare_agency(platform)
    _file(platform, world, receiving_agency_id=spare)
    agency_reads = _reads(platform, "identity_agency")
    _file(platform, world, receiving_agency_id=spare)
    assert agency_reads == [], "agency_exists and the competence check share one cached read"
    agency_time.t += agencies.AGENCY_CACHE_SECONDS
    _file(platform, world, receiving_agency_id=spare)
    assert len(agency_reads) == 1, "read again once the bound is past, and only once"


def test_an_agency_changed_here_is_seen_at_once_and_elsewhere_within_the_bound(
    platform: Platform, agency_time: StepTime
) -> None:
    world = make_world(platform)
    spare = _spare_agency(platform)
    _file(platform, world, receiving_agency_id=spare)
    with platform.uow() as uow:
        agencies.update_agency(uow, actor=SYSTEM_ACTOR, agency_id=spare, commune_code="00004")
    with platform.uow() as uow:
        seen = agencies.recent_agency(uow, spare)
        assert seen is not None and seen.commune_code == "00004"
    # Another process changes it: this process keeps what it saw until the bound is past.
    with platform.uow() as uow:
        uow.session.execute(update(Agency).where(Agency.id == spare).values(commune_code="00007"))
        uow.commit()
    agency_time.t += agencies.AGENCY_CACHE_SECONDS - 0.01
    with platform.uow() as uow:
        seen = agencies.recent_agency(uow, spare)
        assert seen is not None and seen.commune_code == "00004"
    agency_time.t += 0.01
    with platform.uow() as uow:
        seen = agencies.recent_agency(uow, spare)
        assert seen is not None and seen.commune_code == "00007"
