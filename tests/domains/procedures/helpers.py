"""Helpers of the procedures tests: agencies, users and principals, a small procedure."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, Principal, RoleName, permissions_for
from thanglong.core.testing.factories import unique
from thanglong.core.testing.plugin import run_jobs
from thanglong.domains.identity import agencies, services
from thanglong.domains.identity.api import AGENCY_HEAD, CITIZEN, OFFICER
from thanglong.domains.identity.services import UserDTO
from thanglong.domains.procedures.catalogue.services import load_specs
from thanglong.domains.procedures.catalogue.shipped import Fee, ProcedureSpec, RequiredDocument
from thanglong.domains.procedures.documents.reactions import DOCUMENTS_JOB

EFORM: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "required": ["ho_ten", "ngay_sinh"],
    "properties": {
        "ho_ten": {"type": "string", "title": "Họ và tên", "minLength": 2},
        "ngay_sinh": {"type": "string", "title": "Ngày sinh", "format": "date"},
    },
}


def spec(
    code: str | None = None,
    *,
    fee: int = 0,
    effective_from: date = date(2020, 1, 1),
    days: int = 3,
    policy: str = "continue",
) -> ProcedureSpec:
    """Return a small procedure spec with a two-field e-form."""
    return ProcedureSpec(
        code=code or f"9.{uuid.uuid4().int % 1_000_000:06d}",
        name="Đăng ký khai sinh (thử)",
        sector="Hộ tịch",
        level="xa",
        service_level="toan_trinh",
        competent_agency="UBND cấp xã",
        receiving_agency="UBND cấp xã",
        legal_basis=("Luật Hộ tịch 2014",),
        time_unit="working_days",
        time_amount=days,
        fees=(Fee("Lệ phí", fee),) if fee else (),
        documents=(RequiredDocument("Tờ khai", 1, True),),
        eform=EFORM,
        keywords=("khai sinh",),
        effective_from=effective_from,
        clock_policy=policy,
        source="test",
    )


@dataclass
class World:
    """Two agencies, an officer and a head in the first, a citizen, a procedure."""

    agency_id: uuid.UUID
    agency_code: str
    other_agency_id: uuid.UUID
    citizen: Principal
    officer: Principal
    officer2: Principal
    head: Principal
    outsider: Principal
    procedure_code: str


def principal(platform: Platform, user: UserDTO) -> Principal:
    """Return the principal of a user with the permissions of their roles."""
    return Principal(
        kind="user",
        id=user.id,
        name=user.username,
        roles=frozenset(user.roles),
        agency_id=user.agency_id,
        permissions=permissions_for(frozenset(user.roles), platform.permissions),
    )


def _agency(platform: Platform) -> tuple[uuid.UUID, str]:
    code = f"{uuid.uuid4().int % 1000:03d}.{uuid.uuid4().int % 100:02d}.{uuid.uuid4().int % 100:02d}.H26"
    with platform.uow() as uow:
        found = agencies.find_agency(uow, code)
        if found is not None:
            return found.id, found.code
        dto = agencies.create_agency(
            uow, actor=SYSTEM_ACTOR, code=code, name=f"Ủy ban nhân dân phường Thử {code}", short_name=""
        )
    return dto.id, dto.code


def _user(
    platform: Platform, role: RoleName, agency_id: uuid.UUID | None, *, full_name: str = "Người Thử"
) -> Principal:
    """Create an account with one role (in an agency) and return its principal."""
    with platform.uow() as uow:
        user = services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=unique(role),
            password=None,
            roles=[role],
            full_name=full_name,
            agency_id=agency_id,
        )
    return principal(platform, user)


def make_world(platform: Platform, *, fee: int = 0, policy: str = "continue") -> World:
    """Create the agencies, users and procedure of a test."""
    agency_id, agency_code = _agency(platform)
    other_id, _ = _agency(platform)
    procedure = spec(fee=fee, policy=policy)
    with platform.uow() as uow:
        load_specs(uow, [procedure], actor=SYSTEM_ACTOR)
    return World(
        agency_id=agency_id,
        agency_code=agency_code,
        other_agency_id=other_id,
        citizen=_user(platform, CITIZEN, None),
        officer=_user(platform, OFFICER, agency_id),
        officer2=_user(platform, OFFICER, agency_id),
        head=_user(platform, AGENCY_HEAD, agency_id),
        outsider=_user(platform, OFFICER, other_id),
        procedure_code=procedure.code,
    )


VALID_FORM = {"ho_ten": "Nguyễn Thị Hoa", "ngay_sinh": "2025-09-02"}


def make_documents(platform: Platform) -> int:
    """Run the document jobs the actions queued, as the worker does after their commits; return how many."""
    return run_jobs(platform, kinds=[DOCUMENTS_JOB])
