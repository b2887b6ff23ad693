"""Per-agency, per-day dossier numbers that never repeat under concurrent receipt."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from thanglong.domains.procedures.models import DossierSequence


def next_number(session: Session, agency_id: uuid.UUID, day: date) -> int:
    """Take the next number of an agency's day in the caller's transaction.

    One atomic upsert: PostgreSQL locks the row until the transaction ends, so a concurrent receipt
    waits and then reads the incremented value; SQLite write transactions are serialised by
    BEGIN IMMEDIATE (core.db). A rolled-back receipt gives its number back with the rollback.
    """
    seq = DossierSequence
    values = {"agency_id": agency_id, "day": day, "last_number": 1}
    bump = {"last_number": seq.last_number + 1}
    keys = [seq.agency_id, seq.day]
    if session.get_bind().dialect.name == "postgresql":
        pg = postgresql.insert(seq).values(values)
        stmt = pg.on_conflict_do_update(index_elements=keys, set_=bump).returning(seq.last_number)
    else:
        lite = sqlite.insert(seq).values(values)
        stmt = lite.on_conflict_do_update(index_elements=keys, set_=bump).returning(seq.last_number)
    return int(session.execute(stmt).scalar_one())
