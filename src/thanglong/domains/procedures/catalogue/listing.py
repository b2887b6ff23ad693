"""The citizen's catalogue page: procedures in force, filtered, searched, grouped by field, paged.

Three queries whatever the size of the catalogue: the filter choices (fields and agencies), the count
per field, and one page of light columns of the matching procedures joined to their version in force
(no e-form, no documents). The fee filter is the exception: a procedure's fee is a rule over its JSON
fee schedule (shipped.default_fee_vnd, the rule the detail page and the filing use), so with it (and
for a search's at most 20 hits) every matching row is read and filtered and paged in Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, and_, func, select, true

from thanglong.core.clock import to_hanoi
from thanglong.core.text import storable
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.catalogue.search import get_index, search
from thanglong.domains.procedures.catalogue.shipped import default_fee_vnd
from thanglong.domains.procedures.models import Procedure, ProcedureVersion

PAGE_SIZE = 30
SEARCH_LIMIT = 20
QUERY_MAX = 200
LEVELS = ("tinh", "xa", "lien_thong")
SERVICE_LEVELS = ("toan_trinh", "mot_phan")
FEES = ("free", "paid")


@dataclass(frozen=True)
class Filters:
    """What the citizen asked for; unknown values are ignored (the page shows every procedure)."""

    q: str = ""
    sector: str = ""
    level: str = ""
    agency: str = ""
    service_level: str = ""
    fee: str = ""

    def cleaned(self) -> Filters:
        """Return the filters with text trimmed, characters no stored text holds (NUL, lone surrogates)
        dropped, and unknown choices dropped."""
        return Filters(
            q=" ".join(storable(self.q).split())[:QUERY_MAX],
            sector=storable(self.sector).strip()[:200],
            level=self.level if self.level in LEVELS else "",
            agency=storable(self.agency).strip()[:300],
            service_level=self.service_level if self.service_level in SERVICE_LEVELS else "",
            fee=self.fee if self.fee in FEES else "",
        )

    @property
    def any(self) -> bool:
        """Tell whether anything narrows the list."""
        return bool(self.q or self.sector or self.level or self.agency or self.service_level or self.fee)


@dataclass(frozen=True)
class ProcedureRow:
    """One procedure as the catalogue lists it."""

    code: str
    name: str
    sector: str
    level: str
    service_level: str
    competent_agency: str
    fee_vnd: int
    time_unit: str
    time_amount: int
    score: float | None = None


@dataclass(frozen=True)
class CataloguePage:
    """One page of the catalogue: its rows grouped by field (or ranked, for a search), and the choices."""

    filters: Filters
    rows: list[ProcedureRow]
    total: int
    page: int
    pages: int
    page_size: int
    sectors: list[str]
    agencies: list[str]
    sector_totals: dict[str, int] = field(default_factory=dict)

    @property
    def groups(self) -> list[tuple[str, list[ProcedureRow]]]:
        """Return the page's rows by field, in the order they come (fields sorted, codes within)."""
        out: list[tuple[str, list[ProcedureRow]]] = []
        for row in self.rows:
            if not out or out[-1][0] != row.sector:
                out.append((row.sector, []))
            out[-1][1].append(row)
        return out


def _in_force(day: date) -> ColumnElement[bool]:
    latest = (
        select(func.max(ProcedureVersion.effective_from))
        .where(ProcedureVersion.procedure_id == Procedure.id, ProcedureVersion.effective_from <= day)
        .correlate(Procedure)
        .scalar_subquery()
    )
    return and_(ProcedureVersion.procedure_id == Procedure.id, ProcedureVersion.effective_from == latest)


def _where(filters: Filters) -> ColumnElement[bool]:
    condition: ColumnElement[bool] = true()
    if filters.sector:
        condition = condition & (Procedure.sector == filters.sector)
    if filters.level:
        condition = condition & (Procedure.level == filters.level)
    if filters.agency:
        condition = condition & (Procedure.competent_agency == filters.agency)
    if filters.service_level:
        condition = condition & (Procedure.service_level == filters.service_level)
    return condition


def matches_anything(text: str) -> bool:
    """Tell whether a question shares a meaningful word with the catalogue (else it finds nothing).

    The search by meaning ranks every procedure, however unrelated, so a question none of whose words
    (after folding, synonyms and stop words) occurs in the catalogue answers "no results" instead.
    """
    scores = get_index().lexical_scores(text)
    return bool(len(scores)) and float(scores.max()) > 0


def browse(uow: UnitOfWork, filters: Filters, *, page: int = 1, page_size: int = PAGE_SIZE) -> CataloguePage:
    """Return one page of the procedures in force today matching the filters (ranked when searching)."""
    filters = filters.cleaned()
    page_size = max(1, min(page_size, 200))
    day = to_hanoi(uow.clock()).date()
    choices = uow.session.execute(select(Procedure.sector, Procedure.competent_agency).distinct()).all()
    sectors = sorted({sector for sector, _ in choices})
    agencies = sorted({agency for _, agency in choices})
    scores: dict[str, float] = {}
    if filters.q:
        if matches_anything(filters.q):
            scores = {hit.code: hit.score for hit in search(filters.q, limit=SEARCH_LIMIT)}
        if not scores:
            return CataloguePage(filters, [], 0, 1, 1, page_size, sectors, agencies)
    where = _where(filters)
    if scores:
        where = where & Procedure.code.in_(list(scores))
    columns = (
        Procedure.code,
        Procedure.name,
        Procedure.sector,
        Procedure.level,
        Procedure.service_level,
        Procedure.competent_agency,
        ProcedureVersion.fees,
        ProcedureVersion.time_unit,
        ProcedureVersion.time_amount,
    )
    in_force = _in_force(day)
    if not scores and not filters.fee:
        # Browsing without a fee filter: the database counts and pages, only one page of rows is read.
        totals = {
            sector: int(n)
            for sector, n in uow.session.execute(
                select(Procedure.sector, func.count())
                .join(ProcedureVersion, in_force)
                .where(where)
                .group_by(Procedure.sector)
            )
        }
        total = sum(totals.values())
        pages = max(1, math.ceil(total / page_size))
        page = min(max(1, page), pages)
        query = (
            select(*columns)
            .join(ProcedureVersion, in_force)
            .where(where)
            .order_by(Procedure.sector, Procedure.code)
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        shown = [_row(values, None) for values in uow.session.execute(query)]
        return CataloguePage(filters, shown, total, page, pages, page_size, sectors, agencies, totals)
    # A search (at most SEARCH_LIMIT codes) or a fee filter: the fee is a rule over the JSON schedule.
    query = (
        select(*columns)
        .join(ProcedureVersion, in_force)
        .where(where)
        .order_by(Procedure.sector, Procedure.code)
    )
    rows = []
    for values in uow.session.execute(query):
        row = _row(values, scores.get(values[0]))
        if (filters.fee == "free" and row.fee_vnd) or (filters.fee == "paid" and not row.fee_vnd):
            continue
        rows.append(row)
    if scores:
        rows.sort(key=lambda r: -(r.score or 0.0))
    totals = {}
    for row in rows:
        totals[row.sector] = totals.get(row.sector, 0) + 1
    pages = max(1, math.ceil(len(rows) / page_size))
    page = min(max(1, page), pages)
    shown = rows[(page - 1) * page_size : page * page_size]
    return CataloguePage(filters, shown, len(rows), page, pages, page_size, sectors, agencies, totals)


def _row(values: Any, score: float | None) -> ProcedureRow:
    code, name, sector, level, service, agency, fees, unit, amount = values
    fee = default_fee_vnd(fees or [], "online")
    return ProcedureRow(code, name, sector, level, service, agency, fee, unit, amount, score)
