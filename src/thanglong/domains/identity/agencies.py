"""Use cases for agencies and their electronic ID codes (QCVN 102:2016/BTTTT)."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from thanglong.core import audit
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.ttlcache import TtlCache
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity.models import Agency, User

# QCVN 102:2016/BTTTT: four dot-separated groups written from the lowest level to the highest,
# V1V2V3.Z1Z2.Y1Y2.M1M2M3, where the last group is the level-1 code (a capital letter and two digits,
# e.g. H26 for the Hanoi People's Committee) and 000.00.00.H26 names the level-1 unit itself.
AGENCY_CODE_RE = re.compile(r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}$")
COMMUNE_CODE_RE = re.compile(r"^[0-9]{5}$")
# Agencies a filing found, trusted by this process for this long without reading them again: an agency
# deleted or changed (name, commune) by another process is seen by filings within this bound
# (docs/identity.md, docs/benchmarks.md, filing).
AGENCY_CACHE_SECONDS = 5.0


@dataclass(frozen=True)
class AgencyDTO:
    """An agency as other code sees it."""

    id: uuid.UUID
    code: str
    name: str
    short_name: str
    parent_id: uuid.UUID | None
    commune_code: str | None


KNOWN_AGENCIES: TtlCache[uuid.UUID, AgencyDTO] = TtlCache(AGENCY_CACHE_SECONDS, size=4096)


def normalize_agency_code(code: str) -> str:
    """Return the code in canonical form, or raise InvalidInput when it breaks QCVN 102:2016."""
    canonical = code.strip().upper()
    if not AGENCY_CODE_RE.fullmatch(canonical):
        raise InvalidInput(
            "invalid_agency_code",
            "Mã định danh điện tử không đúng cấu trúc QCVN 102:2016/BTTTT (ví dụ 000.00.00.H26).",
            "The electronic ID code does not follow QCVN 102:2016/BTTTT (e.g. 000.00.00.H26).",
            agency_code=code,
        )
    return canonical


def _dto(row: Agency) -> AgencyDTO:
    return AgencyDTO(row.id, row.code, row.name, row.short_name, row.parent_id, row.commune_code)


def _snapshot(row: Agency) -> dict[str, Any]:
    return {
        "code": row.code,
        "name": row.name,
        "short_name": row.short_name,
        "parent_id": str(row.parent_id) if row.parent_id else None,
        "commune_code": row.commune_code,
    }


def _check_fields(name: str, short_name: str, commune_code: str | None) -> None:
    if not 1 <= len(name) <= 300:
        raise InvalidInput(
            "invalid_name", "Tên cơ quan phải có 1–300 ký tự.", "An agency name has 1-300 characters."
        )
    if len(short_name) > 100:
        raise InvalidInput(
            "invalid_short_name", "Tên viết tắt tối đa 100 ký tự.", "A short name has at most 100 characters."
        )
    if commune_code is not None and not COMMUNE_CODE_RE.fullmatch(commune_code):
        raise InvalidInput(
            "invalid_commune_code", "Mã xã/phường gồm 5 chữ số.", "A commune code has 5 digits."
        )


def create_agency(
    uow: UnitOfWork,
    *,
    actor: str,
    code: str,
    name: str,
    short_name: str = "",
    parent_id: uuid.UUID | None = None,
    commune_code: str | None = None,
    source_ip: str | None = None,
) -> AgencyDTO:
    """Register an agency under its electronic ID code."""
    session = uow.session
    canonical = normalize_agency_code(code)
    name, short_name = name.strip(), short_name.strip()
    commune_code = (commune_code or "").strip() or None
    _check_fields(name, short_name, commune_code)
    if session.scalar(select(Agency.id).where(Agency.code == canonical)) is not None:
        raise Conflict(
            "agency_code_taken",
            "Mã định danh này đã được dùng.",
            "This code is taken.",
            agency_code=canonical,
        )
    if parent_id is not None and session.get(Agency, parent_id) is None:
        raise NotFound("agency_not_found", "Không tìm thấy cơ quan cấp trên.", "Parent agency not found.")
    row = Agency(
        code=canonical,
        name=name,
        short_name=short_name,
        parent_id=parent_id,
        commune_code=commune_code,
        created_at=uow.clock(),
    )
    session.add(row)
    session.flush()
    audit.record(
        uow,
        actor=actor,
        action="identity.agency.create",
        object_type="identity_agency",
        object_id=str(row.id),
        after=_snapshot(row),
        source_ip=source_ip,
    )
    uow.commit()
    return _dto(row)


def update_agency(
    uow: UnitOfWork,
    *,
    actor: str,
    agency_id: uuid.UUID,
    name: str | None = None,
    short_name: str | None = None,
    commune_code: str | None = None,
    source_ip: str | None = None,
) -> AgencyDTO:
    """Change the names or the commune of an agency (its code never changes)."""
    row = uow.session.get(Agency, agency_id)
    if row is None:
        raise NotFound("agency_not_found", "Không tìm thấy cơ quan.", "Agency not found.")
    before = _snapshot(row)
    new_name = row.name if name is None else name.strip()
    new_short = row.short_name if short_name is None else short_name.strip()
    new_commune = row.commune_code if commune_code is None else (commune_code.strip() or None)
    _check_fields(new_name, new_short, new_commune)
    row.name, row.short_name, row.commune_code = new_name, new_short, new_commune
    audit.record(
        uow,
        actor=actor,
        action="identity.agency.update",
        object_type="identity_agency",
        object_id=str(row.id),
        before=before,
        after=_snapshot(row),
        source_ip=source_ip,
    )
    uow.commit()
    # Filings in this process see the change at once; in other processes within AGENCY_CACHE_SECONDS.
    KNOWN_AGENCIES.discard(agency_id)
    return _dto(row)


def delete_agency(uow: UnitOfWork, *, actor: str, agency_id: uuid.UUID, source_ip: str | None = None) -> None:
    """Delete an agency that has no sub-agencies and no users."""
    session = uow.session
    row = session.get(Agency, agency_id)
    if row is None:
        raise NotFound("agency_not_found", "Không tìm thấy cơ quan.", "Agency not found.")
    in_use = session.scalar(select(Agency.id).where(Agency.parent_id == row.id).limit(1)) or session.scalar(
        select(User.id).where(User.agency_id == row.id).limit(1)
    )
    if in_use is not None:
        raise Conflict(
            "agency_in_use",
            "Cơ quan còn đơn vị trực thuộc hoặc tài khoản, không thể xoá.",
            "The agency still has sub-agencies or users.",
        )
    before = _snapshot(row)
    session.delete(row)
    audit.record(
        uow,
        actor=actor,
        action="identity.agency.delete",
        object_type="identity_agency",
        object_id=str(agency_id),
        before=before,
        source_ip=source_ip,
    )
    uow.commit()
    # Filings in this process refuse it at once; in other processes within AGENCY_CACHE_SECONDS.
    KNOWN_AGENCIES.discard(agency_id)


def list_agencies(uow: UnitOfWork) -> list[AgencyDTO]:
    """List agencies by code."""
    return [_dto(r) for r in uow.session.scalars(select(Agency).order_by(Agency.code))]


def get_agency(uow: UnitOfWork, agency_id: uuid.UUID) -> AgencyDTO | None:
    """Return an agency, or None."""
    row = uow.session.get(Agency, agency_id)
    return _dto(row) if row else None


def recent_agency(uow: UnitOfWork, agency_id: uuid.UUID) -> AgencyDTO | None:
    """Return an agency as this process saw it at most AGENCY_CACHE_SECONDS ago, or None when it is unknown.

    For checks on hot paths (a filing's agencies): a change made in another process is seen within the
    bound; one made here through update_agency or delete_agency at once. Missing agencies are not cached.
    """
    known = KNOWN_AGENCIES.get(agency_id)
    if known is not None:
        return known
    row = uow.session.get(Agency, agency_id)
    if row is None:
        return None
    dto = _dto(row)
    KNOWN_AGENCIES.put(agency_id, dto)
    return dto


def agency_exists(uow: UnitOfWork, agency_id: uuid.UUID) -> bool:
    """Tell whether an agency exists (an agency seen moments ago in this process is not read again)."""
    return recent_agency(uow, agency_id) is not None


def find_agency(uow: UnitOfWork, code: str) -> AgencyDTO | None:
    """Return the agency of an electronic ID code, or None."""
    row = uow.session.scalar(select(Agency).where(Agency.code == code.strip().upper()))
    return _dto(row) if row else None
