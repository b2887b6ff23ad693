"""Lists of dossiers for the pages: an agency's work queue, an applicant's dossiers; paged, fixed queries.

Each row carries what tells one dossier from another at a glance: its code, procedure, the person it
is about (read from the e-form), its agencies and its due date. A page of any length costs the same
three queries: the count per status, the page's dossiers joined to their procedure, and nothing per row.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, case, func, select

from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.dossiers.services import DossierDTO, to_dto
from thanglong.domains.procedures.dossiers.states import FINAL_STATUSES, DossierStatus
from thanglong.domains.procedures.models import Dossier, Procedure, ProcedureVersion

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
# The e-form object of the person filing; the dossier is about someone else when another person is named.
APPLICANT_KEY = "nguoi_nop"
# Persons of an e-form who are parties to someone else's dossier, never its subject.
RELATED_KEYS = frozenset({"me", "cha", "nguoi_nhan", "nguoi_giam_ho", "nguoi_lam_chung"})
NAME_KEYS = ("ho_ten", "ho_va_ten")
# Whose e-form names a business rather than a person.
BUSINESS_NAME_KEYS = ("ten_ho_kinh_doanh", "ten_doanh_nghiep")
SUBJECT_MAX = 120


@dataclass(frozen=True)
class DossierRow:
    """One line of a list of dossiers."""

    dossier: DossierDTO
    subject: str


@dataclass(frozen=True)
class DossierPage:
    """One page of a list, with the count of every status over the whole list."""

    rows: list[DossierRow]
    total: int
    page: int
    pages: int
    page_size: int
    counts: Mapping[DossierStatus, int]


def _name(value: Any) -> str:
    if isinstance(value, dict):
        for key in NAME_KEYS:
            name = value.get(key)
            if isinstance(name, str) and name.strip():
                return " ".join(name.split())
    return ""


def subject_of(form_data: Mapping[str, Any]) -> str:
    """Return the full name of the person (or business) a dossier is about, read from its e-form.

    The person the form is about comes first: an object whose key starts with `nguoi_duoc_` (the one
    granted, adopted, placed under guardianship...), then any other named person who is neither the
    applicant nor a related party (the child of a birth registration, the deceased, the pupil...), then
    a business name, and only then the applicant: most procedures are about the applicant themself.
    Both parties of a marriage are named (`ben_nam`, `ben_nu`). An e-form without names gives "".
    """
    if not isinstance(form_data, Mapping):
        return ""
    persons = [(key, _name(value)) for key, value in form_data.items()]
    persons = [(key, name) for key, name in persons if name]
    businesses = [form_data.get(key) for key in BUSINESS_NAME_KEYS]
    top = form_data.get("ho_ten")
    candidates = [
        " – ".join(name for key, name in persons if key in ("ben_nam", "ben_nu")),
        *(name for key, name in persons if key.startswith("nguoi_duoc_")),
        *(name for key, name in persons if key != APPLICANT_KEY and key not in RELATED_KEYS),
        *(" ".join(b.split()) for b in businesses if isinstance(b, str)),
        *(name for key, name in persons if key == APPLICANT_KEY),
        " ".join(top.split()) if isinstance(top, str) else "",
    ]
    return next((c for c in candidates if c), "")[:SUBJECT_MAX]


def _clamp(page: int, page_size: int) -> tuple[int, int]:
    return max(1, page), min(max(1, page_size), MAX_PAGE_SIZE)


def _page(
    uow: UnitOfWork,
    where: ColumnElement[bool],
    order: list[Any],
    page: int,
    page_size: int,
) -> DossierPage:
    page, page_size = _clamp(page, page_size)
    counts = dict.fromkeys(DossierStatus, 0)
    for status, n in uow.session.execute(
        select(Dossier.status, func.count()).where(where).group_by(Dossier.status)
    ):
        counts[DossierStatus(status)] = int(n)
    total = sum(counts.values())
    pages = max(1, math.ceil(total / page_size))
    page = min(page, pages)
    query = (
        select(Dossier, Procedure.code, Procedure.name)
        .join(ProcedureVersion, ProcedureVersion.id == Dossier.procedure_version_id)
        .join(Procedure, Procedure.id == ProcedureVersion.procedure_id)
        .where(where)
        .order_by(*order, Dossier.id)
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    rows = [
        DossierRow(to_dto(uow.session, row, procedure=(code, name)), subject_of(row.form_data or {}))
        for row, code, name in uow.session.execute(query)
    ]
    return DossierPage(rows, total, page, pages, page_size, counts)


def status_rank() -> Any:
    """Return the SQL expression ordering dossiers by status, in the order of DossierStatus."""
    return case(
        {s.value: i for i, s in enumerate(DossierStatus)}, value=Dossier.status, else_=len(DossierStatus)
    )


def queue_page(
    uow: UnitOfWork, *, agency_id: uuid.UUID | None, page: int = 1, page_size: int = PAGE_SIZE
) -> DossierPage:
    """Return a page of the open dossiers an agency receives or decides (all agencies when None).

    Ordered by status (in the order of the statuses), then oldest filed first.
    """
    where: ColumnElement[bool] = Dossier.status.not_in([s.value for s in FINAL_STATUSES])
    if agency_id is not None:
        where = where & (
            (Dossier.receiving_agency_id == agency_id) | (Dossier.competent_agency_id == agency_id)
        )
    return _page(uow, where, [status_rank(), Dossier.submitted_at], page, page_size)


def applicant_page(
    uow: UnitOfWork, applicant_id: uuid.UUID, *, page: int = 1, page_size: int = PAGE_SIZE
) -> DossierPage:
    """Return a page of an applicant's dossiers, newest first."""
    return _page(uow, Dossier.applicant_id == applicant_id, [Dossier.submitted_at.desc()], page, page_size)
