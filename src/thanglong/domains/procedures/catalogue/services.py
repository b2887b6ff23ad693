"""Catalogue use cases: load the shipped catalogue into the tables, list procedures, pick versions."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from thanglong.core import audit
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import NotFound
from thanglong.core.ttlcache import TtlCache
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.catalogue.shipped import default_fee_vnd
from thanglong.domains.procedures.events import CatalogueLoaded
from thanglong.domains.procedures.models import Procedure, ProcedureVersion

# Every version of a procedure as filings read it, per process, keyed by the procedure's id and its
# `updated_at`, which load_specs moves forward on every change to the procedure or any of its versions:
# a filing reads that stamp in its own transaction and so never files against a stale version. The
# lifetime only bounds the memory held for procedures nobody files against.
_FILING_VERSIONS: TtlCache[tuple[uuid.UUID, datetime], list[ProcedureDTO]] = TtlCache(3600, size=512)


@dataclass(frozen=True)
class ProcedureDTO:
    """A procedure with the version in force."""

    id: uuid.UUID
    code: str
    name: str
    sector: str
    level: str
    service_level: str
    competent_agency: str
    receiving_agency: str
    version_id: uuid.UUID
    effective_from: date
    time_unit: str
    time_amount: int
    fees: list[dict[str, Any]]
    documents: list[dict[str, Any]]
    eform: dict[str, Any]
    legal_basis: list[str]
    clock_policy: str

    @property
    def total_fee_vnd(self) -> int:
        """Return the default fee of a dossier filed online under the version in force."""
        return default_fee_vnd(self.fees, "online")

    def fee_for(self, channel: str) -> int:
        """Return the default fee of a dossier filed through a channel ("online" or "counter")."""
        return default_fee_vnd(self.fees, channel)


def _dto(proc: Procedure, version: ProcedureVersion) -> ProcedureDTO:
    return ProcedureDTO(
        id=proc.id,
        code=proc.code,
        name=proc.name,
        sector=proc.sector,
        level=proc.level,
        service_level=proc.service_level,
        competent_agency=proc.competent_agency,
        receiving_agency=proc.receiving_agency,
        version_id=version.id,
        effective_from=version.effective_from,
        time_unit=version.time_unit,
        time_amount=version.time_amount,
        fees=list(version.fees),
        documents=list(version.documents),
        eform=dict(version.eform),
        legal_basis=list(version.legal_basis),
        clock_policy=version.clock_policy,
    )


def _spec_procedure_fields(spec: Any) -> dict[str, Any]:
    return {
        "name": spec.name,
        "sector": spec.sector,
        "level": spec.level,
        "service_level": spec.service_level,
        "competent_agency": spec.competent_agency,
        "receiving_agency": spec.receiving_agency,
        "keywords": list(spec.keywords),
        "source": spec.source,
    }


def _spec_version_fields(spec: Any) -> dict[str, Any]:
    return {
        "time_unit": spec.time_unit,
        "time_amount": int(spec.time_amount),
        "fees": [f.as_dict() for f in spec.fees],
        "documents": [
            {"name": d.name, "copies": int(d.copies), "required": bool(d.required)} for d in spec.documents
        ],
        "eform": dict(spec.eform),
        "legal_basis": list(spec.legal_basis),
        "clock_policy": spec.clock_policy,
    }


def load_specs(uow: UnitOfWork, specs: tuple[Any, ...] | list[Any], *, actor: str) -> tuple[int, int]:
    """Create or update procedures and their versions from catalogue specs; audited; commits.

    Returns (created, updated). A version already stored for the same effective date is updated in
    place only when its content changed; dossiers stay pinned to the version row they were received on.
    """
    session = uow.session
    now = uow.clock()
    existing = {p.code: p for p in session.scalars(select(Procedure))}
    created = updated = 0
    for spec in specs:
        fields = _spec_procedure_fields(spec)
        proc = existing.get(spec.code)
        is_new = proc is None
        changed = False
        if proc is None:
            proc = Procedure(code=spec.code, updated_at=now, **fields)
            session.add(proc)
            session.flush()
            existing[spec.code] = proc
        elif any(getattr(proc, k) != v for k, v in fields.items()):
            for key, value in fields.items():
                setattr(proc, key, value)
            changed = True
        vfields = _spec_version_fields(spec)
        version = session.scalar(
            select(ProcedureVersion).where(
                ProcedureVersion.procedure_id == proc.id,
                ProcedureVersion.effective_from == spec.effective_from,
            )
        )
        if version is None:
            session.add(
                ProcedureVersion(
                    procedure_id=proc.id, effective_from=spec.effective_from, created_at=now, **vfields
                )
            )
            changed = True
        elif any(getattr(version, k) != v for k, v in vfields.items()):
            for key, value in vfields.items():
                setattr(version, key, value)
            changed = True
        if is_new:
            created += 1
        elif changed:
            # Strictly later, even under a frozen clock: the stamp is what cached versions are keyed by.
            proc.updated_at = max(now, proc.updated_at + timedelta(microseconds=1))
            updated += 1
    session.flush()
    if created or updated:
        audit.record(
            uow,
            actor=actor,
            action="procedures.catalogue.loaded",
            object_type="procedures_procedure",
            object_id="catalogue",
            after={"created": created, "updated": updated, "total": len(specs)},
        )
        uow.emit(CatalogueLoaded(created=created, updated=updated))
    uow.commit()
    return created, updated


def version_in_force(uow: UnitOfWork, procedure_id: uuid.UUID, on: date) -> ProcedureVersion | None:
    """Return the version of a procedure in force on a day (the latest that started by then)."""
    return uow.session.scalar(
        select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure_id, ProcedureVersion.effective_from <= on)
        .order_by(ProcedureVersion.effective_from.desc())
        .limit(1)
    )


def _not_found(code: str) -> NotFound:
    return NotFound(
        "procedure_not_found",
        f"Không tìm thấy thủ tục hành chính có mã {code}.",
        f"No administrative procedure has the code {code}.",
        procedure_code=code[:64],
    )


def get_procedure(uow: UnitOfWork, code: str, *, on: date | None = None) -> ProcedureDTO:
    """Return a procedure with the version in force on a day (today in Hanoi by default)."""
    proc = uow.session.scalar(select(Procedure).where(Procedure.code == code.strip()))
    if proc is None:
        raise _not_found(code)
    day = on or to_hanoi(uow.clock()).date()
    version = version_in_force(uow, proc.id, day)
    if version is None:
        raise NotFound(
            "procedure_not_in_force",
            f"Thủ tục {code} chưa có hiệu lực vào ngày {day:%d/%m/%Y}.",
            f"Procedure {code} is not in force on {day.isoformat()}.",
            procedure_code=code,
        )
    return _dto(proc, version)


def procedure_for_filing(uow: UnitOfWork, code: str, *, on: date | None = None) -> ProcedureDTO:
    """Return what get_procedure returns, reading only the procedure's stamp when this process has it.

    The DTO is shared with other filings of the process: read it, never change it.
    """
    stamp = uow.session.execute(
        select(Procedure.id, Procedure.updated_at).where(Procedure.code == code.strip())
    ).first()
    if stamp is None:
        raise _not_found(code)
    key = (stamp.id, stamp.updated_at)
    versions = _FILING_VERSIONS.get(key)
    if versions is None:
        proc = uow.session.get(Procedure, stamp.id)
        if proc is None:
            raise _not_found(code)
        rows = uow.session.scalars(
            select(ProcedureVersion)
            .where(ProcedureVersion.procedure_id == proc.id)
            .order_by(ProcedureVersion.effective_from.desc())
        )
        versions = [_dto(proc, version) for version in rows]
        _FILING_VERSIONS.put(key, versions)
    day = on or to_hanoi(uow.clock()).date()
    for version in versions:
        if version.effective_from <= day:
            return version
    raise NotFound(
        "procedure_not_in_force",
        f"Thủ tục {code} chưa có hiệu lực vào ngày {day:%d/%m/%Y}.",
        f"Procedure {code} is not in force on {day.isoformat()}.",
        procedure_code=code,
    )


def get_version(uow: UnitOfWork, version_id: uuid.UUID) -> ProcedureDTO:
    """Return a procedure as it stood in one pinned version."""
    version = uow.session.get(ProcedureVersion, version_id)
    if version is None:
        raise NotFound(
            "procedure_version_not_found", "Không tìm thấy phiên bản thủ tục.", "Version not found."
        )
    proc = uow.session.get(Procedure, version.procedure_id)
    if proc is None:
        raise NotFound("procedure_not_found", "Không tìm thấy thủ tục.", "Procedure not found.")
    return _dto(proc, version)


def list_procedures(
    uow: UnitOfWork,
    *,
    sector: str | None = None,
    text: str | None = None,
    codes: list[str] | None = None,
    limit: int = 200,
    offset: int = 0,
) -> list[ProcedureDTO]:
    """List procedures in force today, by code, filtered by sector, a name fragment or codes."""
    query = select(Procedure).order_by(Procedure.code)
    if sector:
        query = query.where(Procedure.sector == sector)
    if text:
        like = f"%{text.strip().lower()}%"
        query = query.where(or_(func.lower(Procedure.name).like(like), Procedure.code.like(like)))
    if codes is not None:
        query = query.where(Procedure.code.in_(codes))
    day = to_hanoi(uow.clock()).date()
    out = []
    for proc in uow.session.scalars(query.limit(limit).offset(offset)):
        version = version_in_force(uow, proc.id, day)
        if version is not None:
            out.append(_dto(proc, version))
    if codes is not None:
        order = {c: i for i, c in enumerate(codes)}
        out.sort(key=lambda p: order.get(p.code, len(order)))
    return out


def count_procedures(uow: UnitOfWork) -> int:
    """Return how many procedures the catalogue holds."""
    return int(uow.session.scalar(select(func.count()).select_from(Procedure)) or 0)


def list_sectors(uow: UnitOfWork) -> list[str]:
    """Return the sectors of the catalogue, sorted."""
    return list(uow.session.scalars(select(Procedure.sector).distinct().order_by(Procedure.sector)))
