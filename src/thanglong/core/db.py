"""Declarative Base with a naming convention, engine and session factories."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, ClassVar

from sqlalchemy import DateTime, MetaData, TypeDecorator, Uuid, create_engine, event
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Dialect, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, sessionmaker
from sqlalchemy.orm import Session as OrmSession

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[datetime]):
    """Store aware datetimes as UTC and always give back aware UTC datetimes."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store aware UTC datetimes")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class Base(DeclarativeBase):
    """The one declarative base of every model of the platform."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {datetime: UtcDateTime(), uuid.UUID: Uuid()}


def new_uuid() -> uuid.UUID:
    """Make a client-side UUID (dialect-neutral primary keys)."""
    return uuid.uuid4()


class UUIDPrimaryKey:
    """Mixin: a client-side UUID primary key named id."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    # WAL lets readers run beside the writer; synchronous=FULL makes every accepted commit durable.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=15000")
    cursor.close()


def _sqlite_begin_immediate(conn: Any) -> None:
    # A write transaction takes the lock at BEGIN, so read-then-write use cases (audit chain,
    # sequences) cannot interleave between processes.
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str, *, echo: bool = False) -> Engine:
    """Create an engine with the platform's per-dialect settings."""
    if url.startswith("sqlite"):
        engine = create_engine(url, echo=echo, connect_args={"check_same_thread": False, "timeout": 15})
        event.listen(engine, "connect", _sqlite_pragmas)

        @event.listens_for(engine, "connect")
        def _no_pysqlite_begin(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None

        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)
    event.listen(engine, "after_cursor_execute", _sync_reads)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[OrmSession]:
    """Create the session factory that units of work open sessions from."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


def sqlite_file(url: str | URL) -> Path | None:
    """Return the file of a SQLite database URL (absolute), or None for another database or SQLite in
    memory."""
    parsed = make_url(url) if isinstance(url, str) else url
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).resolve()


def is_sqlite(engine: Engine) -> bool:
    """Tell whether the engine talks to SQLite."""
    return engine.dialect.name == "sqlite"


# Where `pipelined` keeps the open psycopg pipeline of a connection (SQLAlchemy's per-connection info).
_PIPELINE = "thanglong.pipeline"


def upsert_insert(session: OrmSession, table: Any) -> Any:
    """Return an INSERT on `table` with ON CONFLICT for the session's database (PostgreSQL or SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        return pg_insert(table)
    return sqlite_insert(table)


def _queued(statement: str) -> bool:
    """Tell whether a statement may stay queued in a pipeline: an INSERT whose answer nobody reads."""
    head = statement.lstrip()[:6].upper()
    return head == "INSERT" and "RETURNING" not in statement.upper()


def _sync_reads(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
    # A statement whose rows or row count SQLAlchemy reads right after sending it must have its answer:
    # sync the pipeline, so that the cursor holds its result before SQLAlchemy looks at it.
    pipeline = conn.info.get(_PIPELINE)
    if pipeline is not None and not _queued(statement):
        pipeline.sync()


@contextmanager
def pipelined(session: OrmSession) -> Iterator[None]:
    """Send the block's INSERTs without waiting for each one's answer (PostgreSQL pipeline mode).

    Any other statement (a read, an UPDATE, an INSERT ... RETURNING) still waits for its answer. An
    INSERT that fails makes the next statement that waits, or the commit, fail, and with it the whole
    transaction: nothing is committed that would not have been. Do not commit inside the block.
    Elsewhere (SQLite) the block runs as it is.
    """
    connection = session.connection()
    driver = connection.connection.driver_connection
    if connection.dialect.name != "postgresql" or driver is None or _PIPELINE in connection.info:
        yield
        return
    info = connection.info
    dbapi_error = connection.dialect.loaded_dbapi.Error
    # The block must end before the commit: committing hands the connection back to the pool, and the
    # next user must not find it in pipeline mode.
    try:
        with driver.pipeline() as pipeline:
            info[_PIPELINE] = pipeline
            try:
                yield
            finally:
                info.pop(_PIPELINE, None)
    except dbapi_error as exc:
        # An insert refused when the block ended: raise it as SQLAlchemy raises what it sends itself.
        raise DBAPIError.instance(None, None, exc, dbapi_error) from exc
