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
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import func, select, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from thanglong.core import jobs
from thanglong.core.consumers import Message
from thanglong.core.db import upsert_insert
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
    table = ReceiptOutcome.__table__
    stmt = upsert_insert(uow.session, table).values(
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

    A fixed number of statements per batch, whatever its size. On PostgreSQL one statement looks the
    terminals and announcements up, inserts the new receipts (ON CONFLICT DO NOTHING) and counts every
    outcome (`_record_postgresql`); SQLite takes a lookup of each and the insert. Then one upsert of the
    outcome counters and, when something was stored, the reach notices (`_announce_reach`). Command
    results add one command lookup and an update (and audit record) per command finished. A message
    repeated within a batch is a duplicate, whatever else is wrong with it.
    """
    now = uow.clock()
    outcomes, parsed, results = _classify(messages)
    if results:
        recorded, ignored = commands.record_results(uow, results)
        outcomes.update({COMMAND: recorded, COMMAND_IGNORED: ignored})
    rows: dict[tuple[str, str, str], ReceiptIn] = {}
    for serial, receipt in parsed:
        key = (receipt.identifier or receipt.id, serial, receipt.kind)
        if key in rows:
            outcomes[DUPLICATE] += 1
            continue
        rows[key] = receipt
    stored: Counter[uuid.UUID] = Counter()
    refused: Counter[str] = Counter()
    if rows:
        record = _record_postgresql if uow.session.get_bind().dialect.name == "postgresql" else _record_sqlite
        stored, refused = record(uow, rows, now)
    new = sum(stored.values())
    # What was known but not new was stored before: a redelivery.
    outcomes.update(refused)
    outcomes.update({STORED: new, DUPLICATE: len(rows) - new - sum(refused.values())})
    outcomes = +outcomes  # drop the zero counts
    _bump(uow, outcomes, now)
    if new:
        _announce_reach(uow, sorted(stored, key=str), now)
    return outcomes


def _record_sqlite(
    uow: UnitOfWork, rows: dict[tuple[str, str, str], ReceiptIn], now: datetime
) -> tuple[Counter[uuid.UUID], Counter[str]]:
    """Look terminals and releases up, insert the new receipts; return stored per announcement, refusals."""
    session = uow.session
    serials = sorted({serial for _, serial, _ in rows})
    communes = dict(
        session.execute(
            select(Terminal.serial, Terminal.commune_code).where(Terminal.serial.in_(serials))
        ).all()
    )
    identifiers = sorted({identifier for identifier, _, _ in rows})
    releases = {
        identifier: (release_id, announcement_id)
        for identifier, release_id, announcement_id in session.execute(
            select(Release.identifier, Release.id, Release.announcement_id).where(
                Release.identifier.in_(identifiers)
            )
        )
    }
    refused: Counter[str] = Counter()
    values = []
    for (identifier, serial, kind), receipt in rows.items():
        if serial not in communes:
            refused[UNKNOWN_SERIAL] += 1
        elif identifier not in releases:
            refused[UNKNOWN_ANNOUNCEMENT] += 1
        else:
            values.append(
                {
                    "id": uuid.uuid4(),
                    "release_id": releases[identifier][0],
                    "identifier": identifier,
                    "serial": serial,
                    "kind": kind,
                    "commune_code": communes[serial],
                    "at": receipt.at,
                    "received_at": now,
                }
            )
    if not values:
        return Counter(), refused
    table = Receipt.__table__
    stmt = (
        sqlite_insert(table)  # type: ignore[arg-type]
        .on_conflict_do_nothing(index_elements=["identifier", "serial", "kind"])
        .returning(table.c.identifier)
    )
    new = Counter(identifier for (identifier,) in session.connection().execute(stmt, values))
    return Counter({releases[identifier][1]: n for identifier, n in new.items()}), refused


# One short statement whatever the batch's size: the receipts go as four arrays, PostgreSQL joins the
# terminals (commune) and the releases, inserts what is known and new, and counts the outcomes. Its text
# (and plan) is the same for every batch. A multi-row VALUES of 2,000 receipts has 16,000 placeholders,
# which SQLAlchemy and psycopg spent most of a batch's time rendering and parsing; looking terminals and
# releases up in Python first cost two more round trips and five more arrays to encode per batch
# (docs/benchmarks.md, "Terminals: fan-out and receipts").
_RECORD = text(
    "WITH r AS (SELECT * FROM unnest(CAST(:identifier AS varchar[]), CAST(:serial AS varchar[]), "
    "CAST(:kind AS varchar[]), CAST(:at AS timestamptz[])) AS r(identifier, serial, kind, at)), "
    "j AS (SELECT r.identifier, r.serial, r.kind, r.at, t.commune_code, rel.id AS release_id, "
    "t.id AS terminal_id FROM r LEFT JOIN terminals_terminal t ON t.serial = r.serial "
    "LEFT JOIN terminals_release rel ON rel.identifier = r.identifier), "
    "new AS (INSERT INTO terminals_receipt "
    "(id, release_id, identifier, serial, kind, commune_code, at, received_at) "
    "SELECT gen_random_uuid(), release_id, identifier, serial, kind, commune_code, at, "
    "CAST(:received_at AS timestamptz) FROM j WHERE terminal_id IS NOT NULL AND release_id IS NOT NULL "
    "ON CONFLICT (identifier, serial, kind) DO NOTHING RETURNING release_id) "
    "SELECT 'stored' AS outcome, rel.announcement_id, count(*) FROM new "
    "JOIN terminals_release rel ON rel.id = new.release_id GROUP BY rel.announcement_id "
    "UNION ALL SELECT 'unknown_serial', CAST(NULL AS uuid), count(*) FROM j WHERE terminal_id IS NULL "
    "UNION ALL SELECT 'unknown_announcement', CAST(NULL AS uuid), count(*) FROM j "
    "WHERE terminal_id IS NOT NULL AND release_id IS NULL"
)


def _record_postgresql(
    uow: UnitOfWork, rows: dict[tuple[str, str, str], ReceiptIn], now: datetime
) -> tuple[Counter[uuid.UUID], Counter[str]]:
    """Record the receipts in one statement; return stored per announcement, and the refusals."""
    keys = list(rows)
    params = {
        "identifier": _array_literal(identifier for identifier, _, _ in keys),
        "serial": _array_literal(serial for _, serial, _ in keys),
        "kind": _array_literal(kind for _, _, kind in keys),
        "at": _array_literal(receipt.at.isoformat() for receipt in rows.values()),
        "received_at": _utc(now),
    }
    stored: Counter[uuid.UUID] = Counter()
    refused: Counter[str] = Counter()
    for outcome, announcement_id, n in uow.session.execute(_RECORD, params):
        if outcome == STORED:
            stored[announcement_id] += int(n)
        elif n:
            refused[outcome] += int(n)
    return stored, refused


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


def _array_literal(values: Iterable[str]) -> str:
    """Return a PostgreSQL array literal of the strings, each double-quoted with `"` and `\\` escaped.

    Sent as one text parameter and cast in SQL: psycopg encodes a Python list element by element in
    Python (about 4 µs each, a sixth of a receipt's cost in the worker); joining the quoted strings is a
    tenth of that. Quoting every element makes any string safe (commas, braces, spaces, NULL).
    """
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


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
