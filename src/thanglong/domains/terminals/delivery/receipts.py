"""Receipts from terminals: stored once per (announcement, terminal, kind), a batch at a time.

The kernel consumer hands over raw bytes (no schema): the receipt's JSON "id" is the envelope's id,
the same for every terminal and kind, so the kernel must not use it to drop "duplicates". Idempotence
is the unique key (identifier, serial, kind) here instead. Every message ends in one counted outcome
(`terminals_receipt_outcome`): stored, duplicate, unknown_serial, unknown_announcement, malformed,
wrong_topic, command (a command's result, handed to the fleet and recorded there: the command becomes
done or failed) or command_ignored (a result for no command of that terminal, or one already final).

Delivery imports the fleet (its terminal registry, and `fleet.commands.record_results`); the fleet never
imports delivery, so the two capabilities stay acyclic (import-linter pins the direction).
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import ColumnElement, any_, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.types import String

from thanglong.core import jobs
from thanglong.core.consumers import Message
from thanglong.core.jobs import JobContext
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.delivery.events import ReceiptsRecorded
from thanglong.domains.terminals.delivery.models import IDENTIFIER_LENGTH, Receipt, ReceiptOutcome, Release
from thanglong.domains.terminals.fleet import commands
from thanglong.domains.terminals.fleet.models import Terminal
from thanglong.domains.terminals.wire import topics

STORED = "stored"
DUPLICATE = "duplicate"
UNKNOWN_SERIAL = "unknown_serial"
UNKNOWN_ANNOUNCEMENT = "unknown_announcement"
MALFORMED = "malformed"
WRONG_TOPIC = "wrong_topic"
COMMAND = "command"
COMMAND_IGNORED = "command_ignored"
OUTCOMES = (
    STORED,
    DUPLICATE,
    UNKNOWN_SERIAL,
    UNKNOWN_ANNOUNCEMENT,
    MALFORMED,
    WRONG_TOPIC,
    COMMAND,
    COMMAND_IGNORED,
)
COMMAND_KINDS = frozenset(commands.RESULT_KINDS)
REACH_JOB = "terminals.reach.changed"
# Rows per outcome counter (see ReceiptOutcome): with two or four workers, rarely the same one at once.
OUTCOME_SHARDS = 16
REACH_GRACE = timedelta(seconds=1)


class ReceiptIn(BaseModel):
    """A receipt as a terminal publishes it (docs/terminals-delivery.md, "Receipts")."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=IDENTIFIER_LENGTH)
    identifier: str = Field(default="", max_length=IDENTIFIER_LENGTH)
    kind: Literal["delivered", "played", "acknowledged", "command_done", "command_failed"]
    at: AwareDatetime


def _parse(raw: bytes) -> ReceiptIn | None:
    # Parsed and validated in one call of pydantic's JSON parser: a third of json.loads + model_validate.
    try:
        return ReceiptIn.model_validate_json(raw)
    except (ValueError, ValidationError):
        return None


def _bump(uow: UnitOfWork, outcomes: Counter[str], now: datetime) -> None:
    """Add the batch's outcomes to the counters of a random shard: one upsert for the whole batch."""
    if not outcomes:
        return
    shard = random.randrange(OUTCOME_SHARDS)  # noqa: S311 - spreading row locks, not a secret
    upsert = pg_insert if uow.session.get_bind().dialect.name == "postgresql" else sqlite_insert
    table = ReceiptOutcome.__table__
    stmt = upsert(table).values(  # type: ignore[arg-type]
        [
            {"outcome": outcome, "shard": shard, "count": n, "updated_at": now}
            for outcome, n in sorted(outcomes.items())
        ]
    )
    stmt = stmt.on_conflict_do_update(
        index_elements=["outcome", "shard"],
        set_={"count": table.c.count + stmt.excluded.count, "updated_at": stmt.excluded.updated_at},
    )
    uow.session.execute(stmt)


def _among(uow: UnitOfWork, column: Any, values: list[str]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `= ANY(array)`: one parameter and one text whatever the count."""
    if uow.session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam(None, values, type_=ARRAY(String)))  # type: ignore[no-any-return]
    return column.in_(values)  # type: ignore[no-any-return]


def _classify(
    messages: list[Message],
) -> tuple[Counter[str], list[tuple[str, ReceiptIn]], list[commands.CommandResult]]:
    """Return the outcomes of the messages that are neither receipts nor results, receipts, results."""
    outcomes: Counter[str] = Counter()
    parsed: list[tuple[str, ReceiptIn]] = []
    results: list[commands.CommandResult] = []
    for message in messages:
        serial = topics.serial_of(message.topic)
        if serial is None or not message.topic.startswith(f"{topics.ROOT}/receipt/"):
            outcomes[WRONG_TOPIC] += 1
            continue
        receipt = _parse(message.raw)
        if receipt is None:
            outcomes[MALFORMED] += 1
        elif receipt.kind in COMMAND_KINDS:
            results.append(commands.CommandResult(serial, receipt.id, receipt.kind, receipt.at))
        else:
            parsed.append((serial, receipt))
    return outcomes, parsed, results


def record_receipts(uow: UnitOfWork, messages: list[Message]) -> Counter[str]:
    """Store a batch of receipt messages (kernel batch consumer); return the outcome of each, counted.

    A fixed number of statements per batch: one terminal lookup, one release lookup, one insert of the
    new receipts (ON CONFLICT DO NOTHING, counting what was new), one upsert per outcome and, when
    something was stored, one lookup of the announcements and their reach notices (`_announce_reach`);
    command results add one command lookup and an update (and audit record) per command finished.
    """
    now = uow.clock()
    session = uow.session
    outcomes, parsed, results = _classify(messages)
    if results:
        recorded, ignored = commands.record_results(uow, results)
        outcomes.update({COMMAND: recorded, COMMAND_IGNORED: ignored})
    serials = sorted({serial for serial, _ in parsed})
    communes: dict[str, str] = {}
    if serials:
        query = select(Terminal.serial, Terminal.commune_code).where(_among(uow, Terminal.serial, serials))
        communes = dict(session.execute(query).all())
    identifiers = sorted({r.identifier or r.id for _, r in parsed})
    releases: dict[str, uuid.UUID] = {}
    if identifiers:
        found = select(Release.identifier, Release.id).where(_among(uow, Release.identifier, identifiers))
        releases = dict(session.execute(found).all())
    rows: dict[tuple[str, str, str], dict[str, object]] = {}
    for serial, receipt in parsed:
        identifier = receipt.identifier or receipt.id
        if serial not in communes:
            outcomes[UNKNOWN_SERIAL] += 1
            continue
        if identifier not in releases:
            outcomes[UNKNOWN_ANNOUNCEMENT] += 1
            continue
        key = (identifier, serial, receipt.kind)
        if key in rows:
            outcomes[DUPLICATE] += 1
            continue
        rows[key] = {
            "release_id": releases[identifier],
            "identifier": identifier,
            "serial": serial,
            "kind": receipt.kind,
            "commune_code": communes[serial],
            "at": receipt.at,
        }
    stored: Counter[str] = Counter()
    if rows:
        stored = _insert(uow, list(rows.values()), now)
    new = sum(stored.values())
    outcomes.update({STORED: new, DUPLICATE: len(rows) - new})
    outcomes = +outcomes  # drop the zero counts
    _bump(uow, outcomes, now)
    if new:
        announcement_ids = session.execute(
            select(Release.announcement_id).where(_among(uow, Release.identifier, sorted(stored))).distinct()
        ).scalars()
        _announce_reach(uow, sorted(announcement_ids, key=str), now)
    return outcomes


def _announce_reach(uow: UnitOfWork, announcement_ids: list[uuid.UUID], now: datetime) -> None:
    """Queue one reach notice per announcement and second, however many batches that second stored.

    An event per batch cost each batch a relay job, published one at a time (the relay keeps their
    order), and woke every worker loop: a city-wide announcement's receipts came in hundreds of batches
    a second. The live page only needs to know that figures changed; once a second is enough. The
    notice runs a grace second after its second ended, so that the batches of that second that were
    still committing are in the figures the page then fetches.
    """
    second = now.replace(microsecond=0)
    jobs.enqueue_unique_many(
        uow,
        [
            {
                "kind": REACH_JOB,
                "payload": {"announcement_id": str(announcement_id), "second": second.isoformat()},
                "idempotency_key": f"{REACH_JOB}:{announcement_id}:{second:%Y%m%dT%H%M%S}",
                "run_after": second + timedelta(seconds=1) + REACH_GRACE,
                "max_attempts": 3,
            }
            for announcement_id in announcement_ids
        ],
    )


def announce_reach(ctx: JobContext) -> None:
    """Tell the live pages that an announcement's receipts changed in one second (job of REACH_JOB)."""
    payload = ctx.job.payload
    ctx.uow.emit(
        ReceiptsRecorded(
            (uuid.UUID(str(payload["announcement_id"])),), datetime.fromisoformat(payload["second"])
        )
    )


def _insert(uow: UnitOfWork, rows: list[dict[str, object]], now: datetime) -> Counter[str]:
    """Insert receipts, skipping those already stored; return how many are new, per identifier."""
    session = uow.session
    if session.get_bind().dialect.name == "postgresql":
        return _insert_postgresql(uow, rows, now)
    for row in rows:
        row["id"] = uuid.uuid4()
        row["received_at"] = now
    table = Receipt.__table__
    stmt = (
        sqlite_insert(table)  # type: ignore[arg-type]
        .on_conflict_do_nothing(index_elements=["identifier", "serial", "kind"])
        .returning(table.c.identifier)
    )
    return Counter(identifier for (identifier,) in session.connection().execute(stmt, rows))


# One short statement whatever the batch's size: the columns go as arrays, so its text (and plan) is the
# same for every batch, and only the count of new receipts per announcement comes back. A multi-row
# VALUES of 2,000 receipts has 16,000 placeholders, which SQLAlchemy and psycopg spent most of a batch's
# time rendering and parsing, and a RETURNING row per receipt cost a fetch each (docs/benchmarks.md,
# "Terminals: fan-out and receipts").
_UNNEST = text(
    "WITH new AS (INSERT INTO terminals_receipt "
    "(id, release_id, identifier, serial, kind, commune_code, at, received_at) "
    "SELECT id, release_id, identifier, serial, kind, commune_code, at, CAST(:received_at AS timestamptz) "
    "FROM unnest(CAST(:id AS uuid[]), CAST(:release_id AS uuid[]), CAST(:identifier AS varchar[]), "
    "CAST(:serial AS varchar[]), CAST(:kind AS varchar[]), CAST(:commune_code AS varchar[]), "
    "CAST(:at AS timestamptz[])) AS r(id, release_id, identifier, serial, kind, commune_code, at) "
    "ON CONFLICT (identifier, serial, kind) DO NOTHING RETURNING identifier) "
    "SELECT identifier, count(*) FROM new GROUP BY identifier"
)
_COLUMNS = ("release_id", "identifier", "serial", "kind", "commune_code")


def _insert_postgresql(uow: UnitOfWork, rows: list[dict[str, object]], now: datetime) -> Counter[str]:
    """Insert receipts on PostgreSQL as arrays (one short statement); return the new ones per identifier."""
    params: dict[str, object] = {name: [row[name] for row in rows] for name in _COLUMNS}
    params["id"] = [uuid.uuid4() for _ in rows]
    params["at"] = [_utc(row["at"]) for row in rows]
    params["received_at"] = _utc(now)
    return Counter({identifier: int(n) for identifier, n in uow.session.execute(_UNNEST, params).all()})


def _utc(value: object) -> datetime:
    """Return an aware datetime in UTC (what the model's UtcDateTime column would store)."""
    if not isinstance(value, datetime) or value.tzinfo is None:
        raise ValueError("naive datetime refused: store aware UTC datetimes")
    return value.astimezone(UTC)


def outcome_counts(uow: UnitOfWork) -> dict[str, int]:
    """Return how many receipt messages ended in each outcome so far (every outcome, zeros included)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    query = select(ReceiptOutcome.outcome, func.sum(ReceiptOutcome.count)).group_by(ReceiptOutcome.outcome)
    for outcome, n in uow.session.execute(query):
        counts[outcome] = int(n)
    return counts
