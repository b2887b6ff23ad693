"""Catalogue use cases: load, import, export and edit the catalogue; list procedures, pick versions."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from thanglong.core import audit
from thanglong.core.clock import to_hanoi
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.text import check_text
from thanglong.core.ttlcache import TtlCache
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.catalogue import changes
from thanglong.domains.procedures.catalogue.shipped import (
    SERVICE_LEVELS,
    CatalogueError,
    Fee,
    ProcedureSpec,
    RequiredDocument,
    default_fee_vnd,
    parse_catalogue,
)
from thanglong.domains.procedures.events import CatalogueLoaded
from thanglong.domains.procedures.models import CatalogueUpload, Dossier, Procedure, ProcedureVersion

# Every version of a procedure as filings read it, per process, keyed by the procedure's id and its
# `updated_at`, which load_specs moves forward on every change to the procedure or any of its versions.
# A filing reads that stamp (at most every FILING_STAMP_SECONDS, below); the lifetime here only bounds
# the memory held for procedures nobody files against.
_FILING_VERSIONS: TtlCache[tuple[uuid.UUID, datetime], list[ProcedureDTO]] = TtlCache(3600, size=512)
# A filing reads the procedure's stamp (id, updated_at) at most once per FILING_STAMP_SECONDS per process:
# a catalogue change made in another process reaches this one's filings within that time, one made here
# at once (the writers clear it). The same bound as the agencies' cache (identity.agencies).
FILING_STAMP_SECONDS = 5.0
_FILING_STAMPS: TtlCache[str, tuple[uuid.UUID, datetime]] = TtlCache(FILING_STAMP_SECONDS, size=4096)


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
    active: bool = True

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
        active=proc.active,
    )


def _spec_procedure_fields(spec: Any) -> dict[str, Any]:
    # `active` is the administrators' choice: loading the shipped catalogue again must not undo it.
    return {k: v for k, v in changes.procedure_fields(spec).items() if k != "active"}


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
        vfields = changes.version_fields(spec)
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
    _FILING_STAMPS.clear()
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


def require_active(procedure: ProcedureDTO) -> None:
    """Refuse filing a dossier on a procedure the administrators withdrew."""
    if not procedure.active:
        raise Conflict(
            "procedure_inactive",
            f"Thủ tục {procedure.code} đã ngừng tiếp nhận hồ sơ.",
            f"Procedure {procedure.code} no longer accepts dossiers.",
            procedure_code=procedure.code,
        )


def procedure_for_filing(uow: UnitOfWork, code: str, *, on: date | None = None) -> ProcedureDTO:
    """Return what get_procedure returns, reading only the procedure's stamp when this process has it.

    The DTO is shared with other filings of the process: read it, never change it.
    """
    code = code.strip()
    key = _FILING_STAMPS.get(code)
    if key is None:
        stamp = uow.session.execute(
            select(Procedure.id, Procedure.updated_at).where(Procedure.code == code)
        ).first()
        if stamp is None:
            raise _not_found(code)
        key = (stamp.id, stamp.updated_at)
        _FILING_STAMPS.put(code, key)
    versions = _FILING_VERSIONS.get(key)
    if versions is None:
        proc = uow.session.get(Procedure, key[0])
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
    include_inactive: bool = False,
) -> list[ProcedureDTO]:
    """List procedures in force today, by code, filtered by sector, a name fragment or codes.

    Withdrawn procedures (inactive) are left out unless `include_inactive` (the administrators' list).
    """
    query = select(Procedure).order_by(Procedure.code)
    if not include_inactive:
        query = query.where(Procedure.active.is_(True))
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


MAX_UPLOAD_BYTES = 5 * 1024 * 1024
IMPORT_PREFIX = "procedures.catalogue."


def invalid_catalogue(detail: str) -> InvalidInput:
    """Return the error of a catalogue file that does not validate; `detail` names the entry and field."""
    return InvalidInput(
        "catalogue_invalid",
        f"Tệp danh mục không hợp lệ: {detail}",
        f"The catalogue file is invalid: {detail}",
        detail=detail[:500],
    )


def read_catalogue_file(content: bytes) -> tuple[ProcedureSpec, ...]:
    """Parse and fully validate a catalogue file (JSON, the shipped format), e-form schemas included."""
    if len(content) > MAX_UPLOAD_BYTES:
        raise invalid_catalogue(f"the file is larger than {MAX_UPLOAD_BYTES // (1024 * 1024)} MB")
    try:
        document = json.loads(content.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise invalid_catalogue("the file is not UTF-8 text") from exc
    except ValueError as exc:
        raise invalid_catalogue(f"not JSON: {exc}") from exc
    try:
        return parse_catalogue(document, check_schemas=True)
    except CatalogueError as exc:
        raise invalid_catalogue(str(exc)) from exc


def stored_catalogue(uow: UnitOfWork) -> dict[str, changes.StoredProcedure]:
    """Return the stored catalogue with the number of dossiers pinned to each version."""
    session = uow.session
    counted = select(Dossier.procedure_version_id, func.count()).group_by(Dossier.procedure_version_id)
    pinned: dict[uuid.UUID, int] = {row[0]: int(row[1]) for row in session.execute(counted)}
    versions: dict[uuid.UUID, list[changes.StoredVersion]] = {}
    for v in session.scalars(select(ProcedureVersion).order_by(ProcedureVersion.effective_from)):
        rules = {name: getattr(v, name) for name in changes.VERSION_FIELDS}
        versions.setdefault(v.procedure_id, []).append(
            changes.StoredVersion(v.effective_from, rules, int(pinned.get(v.id, 0)))
        )
    return {
        p.code: changes.StoredProcedure(
            p.code,
            {name: getattr(p, name) for name in changes.PROCEDURE_FIELDS},
            tuple(versions.get(p.id, ())),
        )
        for p in session.scalars(select(Procedure))
    }


def plan_import(uow: UnitOfWork, specs: Sequence[ProcedureSpec]) -> changes.Plan:
    """Return what importing specs would change, without writing (the --dry-run and the preview)."""
    return changes.plan(stored_catalogue(uow), specs, today=to_hanoi(uow.clock()).date())


def _refuse(plan: changes.Plan) -> Conflict:
    return Conflict(
        "catalogue_conflict",
        "Không nhập được danh mục: " + "; ".join(p.split(" / ")[0] for p in plan.problems),
        "The catalogue cannot be imported: " + "; ".join(p.split(" / ")[-1] for p in plan.problems),
        problems=list(plan.problems)[:50],
    )


def _write(uow: UnitOfWork, plan: changes.Plan, *, actor: str) -> None:
    session = uow.session
    now = uow.clock()
    procedures = {p.code: p for p in session.scalars(select(Procedure))}
    for change in plan.changes:
        proc = procedures.get(change.code)
        if change.kind == changes.PROCEDURE_ADDED:
            proc = Procedure(code=change.code, updated_at=now, **change.values)
            session.add(proc)
            session.flush()
            procedures[change.code] = proc
        elif proc is None:  # pragma: no cover - the plan adds a procedure before its versions
            raise RuntimeError(f"no procedure {change.code}")
        elif change.kind == changes.PROCEDURE_CHANGED:
            for key, value in change.values.items():
                setattr(proc, key, value)
        elif change.kind == changes.VERSION_CORRECTED:
            version = session.scalar(
                select(ProcedureVersion).where(
                    ProcedureVersion.procedure_id == proc.id,
                    ProcedureVersion.effective_from == change.effective_from,
                )
            )
            if version is None:  # pragma: no cover - planned from the same transaction's reads
                raise RuntimeError(f"no version {change.code} {change.effective_from}")
            for key, value in change.values.items():
                setattr(version, key, value)
        else:
            if change.effective_from is None:  # pragma: no cover - every version change has its day
                raise RuntimeError(f"no effective date for {change.code}")
            session.add(
                ProcedureVersion(
                    procedure_id=proc.id,
                    effective_from=change.effective_from,
                    created_at=now,
                    **change.values,
                )
            )
        # Strictly forward, even on a frozen clock: filings cache versions by this stamp.
        proc.updated_at = max(now, proc.updated_at + timedelta(microseconds=1))
        _FILING_STAMPS.discard(change.code)
        before, after = change.audit_values()
        after["effective_from"] = change.effective_from.isoformat() if change.effective_from else None
        if change.replaces is not None:
            after["replaces"] = change.replaces.isoformat()
        audit.record(
            uow,
            actor=actor,
            action=IMPORT_PREFIX + change.kind,
            object_type="procedures_procedure",
            object_id=change.code,
            before=before or None,
            after=after,
        )
    session.flush()


def apply_import(
    uow: UnitOfWork, specs: Sequence[ProcedureSpec], *, actor: str, sha256: str = "", via: str = "cli"
) -> changes.Plan:
    """Store specs as the versioning rules demand (see catalogue.changes); audited; commits.

    Idempotent: importing the same file twice changes nothing the second time. Refused as a whole
    (409, nothing written) when a change would rewrite the rules of a version dossiers are pinned to
    and cannot be carried forward.
    """
    plan = plan_import(uow, specs)
    if plan.problems:
        raise _refuse(plan)
    _write(uow, plan, actor=actor)
    counts = plan.counts()
    audit.record(
        uow,
        actor=actor,
        action=IMPORT_PREFIX + "imported",
        object_type="procedures_procedure",
        object_id="catalogue",
        after={
            **counts,
            "unchanged": plan.unchanged,
            "entries": len(specs),
            "sha256": sha256,
            "via": via,
        },
    )
    if not plan.empty:
        created = counts[changes.PROCEDURE_ADDED]
        uow.emit(CatalogueLoaded(created=created, updated=len({c.code for c in plan.changes}) - created))
    uow.commit()
    return plan


def export_catalogue(uow: UnitOfWork) -> dict[str, Any]:
    """Return the stored catalogue in the file format of `catalogue.json`, every version of every code."""
    out = []
    for code, proc in sorted(stored_catalogue(uow).items()):
        for version in proc.versions:
            entry: dict[str, Any] = {"code": code}
            entry.update(proc.fields)
            entry.update(version.fields)
            entry["effective_from"] = version.effective_from.isoformat()
            out.append(entry)
    return {"version": 1, "generated": to_hanoi(uow.clock()).date().isoformat(), "procedures": out}


@dataclass(frozen=True)
class CatalogueRow:
    """A procedure as the administrators' list shows it."""

    code: str
    name: str
    sector: str
    service_level: str
    active: bool
    versions: int
    in_force: date | None
    time_amount: int | None
    time_unit: str | None
    fee_vnd: int | None


def list_catalogue(uow: UnitOfWork, *, text: str = "") -> list[CatalogueRow]:
    """List every procedure, withdrawn ones included, with its version in force today."""
    today = to_hanoi(uow.clock()).date()
    needle = text.strip().lower()
    rows = []
    for code, proc in sorted(stored_catalogue(uow).items()):
        if needle and needle not in code and needle not in str(proc.fields["name"]).lower():
            continue
        current = next((v for v in reversed(proc.versions) if v.effective_from <= today), None)
        rows.append(
            CatalogueRow(
                code=code,
                name=str(proc.fields["name"]),
                sector=str(proc.fields["sector"]),
                service_level=str(proc.fields["service_level"]),
                active=bool(proc.fields["active"]),
                versions=len(proc.versions),
                in_force=current.effective_from if current else None,
                time_amount=int(current.fields["time_amount"]) if current else None,
                time_unit=str(current.fields["time_unit"]) if current else None,
                fee_vnd=default_fee_vnd(current.fields["fees"], "online") if current else None,
            )
        )
    return rows


@dataclass(frozen=True)
class ProcedureEdit:
    """The main fields an administrator edits on the catalogue page."""

    name: str
    competent_agency: str
    receiving_agency: str
    service_level: str
    active: bool
    time_amount: int
    fees: tuple[Fee, ...]
    effective_from: date


def _as_spec(proc: Procedure, version: ProcedureVersion) -> ProcedureSpec:
    return ProcedureSpec(
        code=proc.code,
        name=proc.name,
        sector=proc.sector,
        level=proc.level,
        service_level=proc.service_level,
        competent_agency=proc.competent_agency,
        receiving_agency=proc.receiving_agency,
        legal_basis=tuple(version.legal_basis),
        time_unit=version.time_unit,
        time_amount=version.time_amount,
        fees=tuple(
            Fee(
                name=f["name"],
                amount_vnd=int(f["amount_vnd"]),
                channel=f.get("channel"),
                group=f.get("group"),
                optional=bool(f.get("optional", False)),
            )
            for f in version.fees
        ),
        documents=tuple(
            RequiredDocument(d["name"], int(d["copies"]), bool(d["required"])) for d in version.documents
        ),
        eform=dict(version.eform),
        keywords=tuple(proc.keywords),
        effective_from=version.effective_from,
        clock_policy=version.clock_policy,
        source=proc.source,
        active=proc.active,
    )


def _check_edit(code: str, edit: ProcedureEdit, today: date) -> None:
    def bad(field: str, vi: str, en: str) -> InvalidInput:
        return InvalidInput("catalogue_edit_invalid", vi, en, procedure_code=code, field=field)

    texts = (
        ("name", edit.name, "Tên thủ tục", "The name", 500),
        ("competent_agency", edit.competent_agency, "Cơ quan có thẩm quyền", "The competent agency", 300),
        ("receiving_agency", edit.receiving_agency, "Cơ quan tiếp nhận", "The receiving agency", 300),
    )
    for field, value, vi, en, limit in texts:
        if not value.strip() or len(value) > limit:
            raise bad(
                field, f"{vi} phải có từ 1 đến {limit} ký tự.", f"{en} must have 1 to {limit} characters."
            )
    if edit.service_level not in SERVICE_LEVELS:
        raise bad("service_level", "Mức độ trực tuyến không hợp lệ.", "Unknown online service level.")
    if not 1 <= edit.time_amount <= 3650:
        raise bad(
            "time_amount",
            "Thời hạn giải quyết phải là số nguyên từ 1 đến 3650.",
            "The statutory time must be a whole number from 1 to 3650.",
        )
    for fee in edit.fees:
        if not fee.name.strip() or fee.amount_vnd < 0:
            raise bad(
                "fees",
                "Mỗi dòng phí cần tên và số tiền không âm (đồng).",
                "Each fee line needs a name and a non-negative amount (đồng).",
            )
    if edit.effective_from < today:
        raise bad(
            "effective_from",
            f"Ngày hiệu lực không được trước hôm nay ({today:%d/%m/%Y}).",
            f"The effective date cannot be before today ({today.isoformat()}).",
        )


def edit_procedure(uow: UnitOfWork, code: str, edit: ProcedureEdit, *, actor: str) -> changes.Plan:
    """Change a procedure's main fields; changed rules (time, fees) become a version from `effective_from`.

    Goes through the import's planning, so the same versioning rules and audit apply; commits.
    """
    today = to_hanoi(uow.clock()).date()
    _check_edit(code, edit, today)
    proc = uow.session.scalar(select(Procedure).where(Procedure.code == code))
    if proc is None:
        raise _not_found(code)
    version = version_in_force(uow, proc.id, edit.effective_from)
    if version is None:
        raise NotFound(
            "procedure_not_in_force",
            f"Thủ tục {code} chưa có phiên bản nào trước ngày {edit.effective_from:%d/%m/%Y}.",
            f"Procedure {code} has no version before {edit.effective_from.isoformat()}.",
            procedure_code=code,
        )
    spec = replace(
        _as_spec(proc, version),
        name=edit.name.strip(),
        competent_agency=edit.competent_agency.strip(),
        receiving_agency=edit.receiving_agency.strip(),
        service_level=edit.service_level,
        active=edit.active,
        time_amount=edit.time_amount,
        fees=edit.fees,
    )
    rules_changed = changes.version_fields(spec) != changes.version_fields(_as_spec(proc, version))
    # Only changed rules make a version: a new name alone is a change of the procedure record.
    spec = replace(spec, effective_from=edit.effective_from if rules_changed else version.effective_from)
    stored = {code: stored_catalogue(uow)[code]}
    plan = changes.plan(stored, [spec], today=today)
    if plan.problems:
        raise _refuse(plan)
    _write(uow, plan, actor=actor)
    uow.commit()
    return plan


@dataclass(frozen=True)
class UploadDTO:
    """An uploaded catalogue file waiting for confirmation (or applied)."""

    id: uuid.UUID
    filename: str
    sha256: str
    uploaded_by: str
    applied: bool


def _upload_dto(row: CatalogueUpload) -> UploadDTO:
    return UploadDTO(row.id, row.filename, row.sha256, row.uploaded_by, row.applied_at is not None)


def stage_upload(
    uow: UnitOfWork, *, filename: str, content: bytes, actor: str
) -> tuple[UploadDTO, changes.Plan]:
    """Validate an uploaded catalogue file, keep it and return what importing it would change; commits."""
    specs = read_catalogue_file(content)
    row = CatalogueUpload(
        filename=(filename or "catalogue.json")[:200],
        sha256=hashlib.sha256(content).hexdigest(),
        document=json.loads(content.decode("utf-8")),
        uploaded_by=actor,
        uploaded_at=uow.clock(),
    )
    uow.session.add(row)
    uow.session.flush()
    plan = plan_import(uow, specs)
    audit.record(
        uow,
        actor=actor,
        action=IMPORT_PREFIX + "uploaded",
        object_type="procedures_catalogue_upload",
        object_id=str(row.id),
        after={"filename": row.filename, "sha256": row.sha256, "changes": len(plan.changes)},
    )
    uow.commit()
    return _upload_dto(row), plan


def _upload(uow: UnitOfWork, upload_id: uuid.UUID) -> CatalogueUpload:
    row = uow.session.get(CatalogueUpload, upload_id)
    if row is None:
        raise NotFound("catalogue_upload_not_found", "Không tìm thấy tệp đã tải lên.", "Upload not found.")
    return row


def preview_upload(uow: UnitOfWork, upload_id: uuid.UUID) -> tuple[UploadDTO, changes.Plan]:
    """Return an upload and what importing it would change now."""
    row = _upload(uow, upload_id)
    specs = parse_catalogue(row.document, check_schemas=False)  # checked in full when uploaded
    return _upload_dto(row), plan_import(uow, specs)


def apply_upload(uow: UnitOfWork, upload_id: uuid.UUID, *, actor: str) -> changes.Plan:
    """Import an uploaded file (once); audited; commits."""
    row = _upload(uow, upload_id)
    if row.applied_at is not None:
        raise Conflict(
            "catalogue_upload_applied",
            "Tệp này đã được áp dụng; hãy tải lên lại nếu cần.",
            "This upload was already applied; upload the file again if needed.",
        )
    specs = parse_catalogue(row.document, check_schemas=False)
    row.applied_at = uow.clock()
    row.applied_by = actor
    return apply_import(uow, specs, actor=actor, sha256=row.sha256, via="web")


SEARCH_MAX_LIMIT = 50
SEARCH_MAX_TEXT = 200


@dataclass(frozen=True)
class FoundProcedure:
    """A procedure in force found by search, with its relevance."""

    procedure: ProcedureDTO
    score: float


def search_catalogue(uow: UnitOfWork, text: str, *, limit: int = 10) -> list[FoundProcedure]:
    """Find procedures in force and not withdrawn for an everyday question, best first.

    Ranked by the offline search index (catalogue.search) when a word of the question occurs in the
    catalogue; a question with no such word finds nothing (ranked by meaning alone, gibberish still
    gets answers). A procedure whose name holds the question as typed (or whose code it is) scores 1,
    the score of the best ranked hit: that is how procedures imported after the index was built are found.
    """
    from thanglong.domains.procedures.catalogue import search  # noqa: PLC0415 - numpy and the model

    # NUL or a lone surrogate cannot be compared with stored text (PostgreSQL refuses it): 422.
    check_text(text, field="q")
    query = " ".join(text.split())
    if not query or len(query) > SEARCH_MAX_TEXT:
        raise InvalidInput(
            "search_text_invalid",
            f"Nội dung tìm kiếm phải có từ 1 đến {SEARCH_MAX_TEXT} ký tự.",
            f"The search text must have 1 to {SEARCH_MAX_TEXT} characters.",
        )
    if not 1 <= limit <= SEARCH_MAX_LIMIT:
        raise InvalidInput(
            "search_limit_invalid",
            f"Số kết quả phải từ 1 đến {SEARCH_MAX_LIMIT}.",
            f"The limit must be from 1 to {SEARCH_MAX_LIMIT}.",
        )
    scores: dict[str, float] = {}
    if search.has_words(query):
        # Ask the index for more than needed: some of its hits may be withdrawn or not loaded here.
        scores = {hit.code: hit.score for hit in search.search(query, limit=limit + 20)}
    for proc in list_procedures(uow, text=query, limit=limit):
        scores[proc.code] = 1.0
    ranked = sorted(scores.items(), key=lambda item: -item[1])
    found = list_procedures(uow, codes=[code for code, _ in ranked], limit=len(ranked))
    return [FoundProcedure(p, scores[p.code]) for p in found][:limit]
