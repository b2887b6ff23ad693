"""Per-agency counters that never repeat under concurrent use: dossier numbers by day, results by year."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from thanglong.core.db import upsert_insert
from thanglong.domains.procedures.models import DocumentSequence, DossierSequence


def _bump(session: Session, table: Any, values: dict[str, Any], keys: list[Any]) -> int:
    """Insert the counter at 1 or add one to it, in one statement; return the new value.

    One atomic upsert: PostgreSQL locks the row until the transaction ends, so a concurrent caller
    waits and then reads the incremented value; SQLite write transactions are serialised by
    BEGIN IMMEDIATE (core.db). A rolled-back transaction gives its number back with the rollback,
    so the numbers that commit have no gaps.
    """
    bump = {"last_number": table.last_number + 1}
    row = {**values, "last_number": 1}
    stmt = upsert_insert(session, table).values(row)
    stmt = stmt.on_conflict_do_update(index_elements=keys, set_=bump).returning(table.last_number)
    return int(session.execute(stmt).scalar_one())


def next_number(session: Session, agency_id: uuid.UUID, day: date) -> int:
    """Take the next dossier number of an agency's day in the caller's transaction."""
    seq = DossierSequence
    return _bump(session, seq, {"agency_id": agency_id, "day": day}, [seq.agency_id, seq.day])


def next_document_number(session: Session, agency_id: uuid.UUID, year: int) -> int:
    """Take the next result number of an agency's year (Decree 30/2020: from 01 each 1 January)."""
    seq = DocumentSequence
    return _bump(session, seq, {"agency_id": agency_id, "year": year}, [seq.agency_id, seq.year])
