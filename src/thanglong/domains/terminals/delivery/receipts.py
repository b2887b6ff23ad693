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

import json
import uuid
from collections import Counter
from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from thanglong.core.consumers import Message
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


class ReceiptIn(BaseModel):
    """A receipt as a terminal publishes it (docs/terminals-delivery.md, "Receipts")."""

    model_config = ConfigDict(extra="ignore")

    id: str = Field(min_length=1, max_length=IDENTIFIER_LENGTH)
    identifier: str = Field(default="", max_length=IDENTIFIER_LENGTH)
    kind: Literal["delivered", "played", "acknowledged", "command_done", "command_failed"]
    at: AwareDatetime


def _parse(raw: bytes) -> ReceiptIn | None:
    try:
        return ReceiptIn.model_validate(json.loads(raw))
    except (ValueError, UnicodeDecodeError, ValidationError):
        return None


def _bump(uow: UnitOfWork, outcomes: Counter[str], now: datetime) -> None:
    """Add the batch's outcomes to the counters, one statement per outcome present."""
    session = uow.session
    for outcome, n in sorted(outcomes.items()):
        result = session.execute(
            update(ReceiptOutcome)
            .where(ReceiptOutcome.outcome == outcome)
            .values(count=ReceiptOutcome.count + n, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 0:
            session.add(ReceiptOutcome(outcome=outcome, count=n, updated_at=now))
    session.flush()


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
    new receipts (ON CONFLICT DO NOTHING RETURNING), and one update per outcome; command results add
    one command lookup and an update (and audit record) per command finished.
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
        query = select(Terminal.serial, Terminal.commune_code).where(Terminal.serial.in_(serials))
        communes = dict(session.execute(query).all())
    identifiers = sorted({r.identifier or r.id for _, r in parsed})
    releases: dict[str, uuid.UUID] = {}
    if identifiers:
        found = select(Release.identifier, Release.id).where(Release.identifier.in_(identifiers))
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
            "id": None,
            "release_id": releases[identifier],
            "identifier": identifier,
            "serial": serial,
            "kind": receipt.kind,
            "commune_code": communes[serial],
            "at": receipt.at,
            "received_at": now,
        }
    stored: set[tuple[str, str, str]] = set()
    if rows:
        stored = _insert(uow, list(rows.values()))
    outcomes.update({STORED: len(stored), DUPLICATE: len(rows) - len(stored)})
    outcomes = +outcomes  # drop the zero counts
    _bump(uow, outcomes, now)
    if stored:
        by_identifier = {identifier for identifier, _s, _k in stored}
        announcement_ids = session.execute(
            select(Release.announcement_id).where(Release.identifier.in_(sorted(by_identifier))).distinct()
        ).scalars()
        uow.emit(ReceiptsRecorded(tuple(sorted(announcement_ids, key=str)), len(stored)))
    return outcomes


def _insert(uow: UnitOfWork, rows: list[dict[str, object]]) -> set[tuple[str, str, str]]:
    """Insert receipts, skipping those already stored; return the keys that are new."""
    for row in rows:
        row["id"] = uuid.uuid4()
    session = uow.session
    upsert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = (
        upsert(Receipt)
        .values(rows)
        .on_conflict_do_nothing(index_elements=["identifier", "serial", "kind"])
        .returning(Receipt.identifier, Receipt.serial, Receipt.kind)
    )
    return {(i, s, k) for i, s, k in session.execute(stmt)}


def outcome_counts(uow: UnitOfWork) -> dict[str, int]:
    """Return how many receipt messages ended in each outcome so far (every outcome, zeros included)."""
    counts = dict.fromkeys(OUTCOMES, 0)
    for outcome, n in uow.session.execute(select(ReceiptOutcome.outcome, ReceiptOutcome.count)):
        counts[outcome] = int(n)
    return counts
