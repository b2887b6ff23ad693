"""Daily partitions of the points and the minute rollup on PostgreSQL: made ahead, dropped by retention."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from thanglong.core.timeseries.models import PARTITIONED

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^(core_ts_point|core_ts_rollup_minute)_p(\d{8})$")
# Serialises partition DDL across processes, so that two appenders never race to create the same one.
_LOCK_KEY = 0x74735F7061727473
# Days whose partitions this process has seen committed, per database. Only a check on a separate
# connection fills it: a partition made inside a transaction that may still roll back is never cached.
_known: dict[str, set[date]] = {}


def is_partition_table(name: str) -> bool:
    """Tell whether a table name is one of the daily partitions (kept out of the model comparison)."""
    return _NAME.match(name) is not None


def partition_name(table: str, day: date) -> str:
    """Return the name of a table's partition for one UTC day."""
    return f"{table}_p{day:%Y%m%d}"


def utc_day(at: datetime) -> date:
    """Return the UTC day of an instant (partitions are UTC days)."""
    return at.astimezone(UTC).date()


def _bound(day: date) -> str:
    return f"'{day.isoformat()} 00:00:00+00'"


def _db_key(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def partition_days(conn: Connection) -> dict[str, set[date]]:
    """Return, for each partitioned table, the days it has a partition for."""
    rows = conn.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = ANY(:tables)"
        ),
        {"tables": list(PARTITIONED)},
    ).scalars()
    out: dict[str, set[date]] = {table: set() for table in PARTITIONED}
    for name in rows:
        match = _NAME.match(name)
        if match:
            out[match.group(1)].add(_parse_day(match.group(2)))
    return out


def _parse_day(digits: str) -> date:
    return date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))


def _create(conn: Connection, days: Iterable[date]) -> list[str]:
    """Create the missing partitions of these days on a connection holding the partition lock."""
    created = []
    for day in sorted(days):
        for table in PARTITIONED:
            name = partition_name(table, day)
            if conn.execute(text("SELECT to_regclass(:n)"), {"n": name}).scalar() is not None:
                continue
            # DDL takes no bind parameters; the name and bounds are built from a date, never from input.
            conn.execute(
                text(
                    f"CREATE TABLE {name} PARTITION OF {table} "
                    f"FOR VALUES FROM ({_bound(day)}) TO ({_bound(day + timedelta(days=1))})"
                )
            )
            created.append(name)
    return created


def ensure_for_append(session: Session, days: set[date]) -> list[str]:
    """Make the partitions an append needs, in the appender's transaction; return those created."""
    engine = session.get_bind().engine
    known = _known.setdefault(_db_key(engine), set())
    missing = days - known
    if not missing:
        return []
    # A separate connection sees only committed partitions, so what it finds is safe to remember.
    with engine.connect() as side:
        known |= set.intersection(*partition_days(side).values()) & missing
    missing -= known
    if not missing:
        return []
    conn = session.connection()
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
    created = _create(conn, missing)
    if created:
        logger.info("time series: made partitions %s for an append", ", ".join(created))
    return created


@contextmanager
def _ddl_transaction(engine: Engine) -> Iterator[Connection]:
    """Run partition DDL in its own short transaction, holding the partition lock."""
    with engine.begin() as conn:
        # DDL waits for the parent table's lock, and every reader would queue behind it: wait briefly.
        conn.execute(text("SET LOCAL lock_timeout = '5s'"))
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        yield conn


def make_range(engine: Engine, first: date, last: date) -> list[str]:
    """Create the partitions of the days from first to last, one day per transaction; return new ones."""
    known = _known.setdefault(_db_key(engine), set())
    created: list[str] = []
    day = first
    while day <= last:
        try:
            with _ddl_transaction(engine) as conn:
                made = _create(conn, [day])
        except OperationalError:
            logger.warning("time series: partitions of %s postponed: table busy", day, exc_info=True)
        else:
            created.extend(made)
            known.add(day)
        day += timedelta(days=1)
    return created


def make_ahead(engine: Engine, today: date, ahead_days: int) -> list[str]:
    """Create the partitions from yesterday to `ahead_days` after today."""
    return make_range(engine, today - timedelta(days=1), today + timedelta(days=ahead_days))


def drop_before(engine: Engine, horizon: datetime) -> list[str]:
    """Drop the whole-day partitions that end at or before the horizon; return their names."""
    with engine.connect() as conn:
        per_table = partition_days(conn)
    known = _known.setdefault(_db_key(engine), set())
    dropped: list[str] = []
    for day in sorted(set.union(*per_table.values())):
        if datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(days=1) > horizon:
            break
        names = [partition_name(table, day) for table in PARTITIONED if day in per_table[table]]
        # Forget the day first: an append in this process must not trust a partition being dropped.
        known.discard(day)
        try:
            with _ddl_transaction(engine) as conn:
                for name in names:
                    conn.execute(text(f"DROP TABLE IF EXISTS {name}"))
        except OperationalError:
            logger.warning("time series: dropping %s postponed: table busy", names, exc_info=True)
            continue
        dropped.extend(names)
    return dropped
