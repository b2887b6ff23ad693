"""MQTT consumers, the database side: handle batches in one transaction, detect redeliveries, set aside."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from thanglong.core.consumers import (
    MAX_ERROR_CHARS,
    BatchHandler,
    BoundConsumer,
    Decoded,
    Delivery,
    Handler,
    Message,
    Rejection,
    Tally,
    decode,
    excerpt,
    is_expired,
)
from thanglong.core.db import upsert_insert
from thanglong.core.models import ConsumerCounter, ConsumerProcessed, ConsumerRejected
from thanglong.core.uow import UnitOfWork

logger = logging.getLogger(__name__)

# A failing handler is tried this many times (with the pauses between) before its message is set aside.
HANDLER_ATTEMPTS = 3
RETRY_PAUSES = (0.2, 1.0)
# Redeliveries come within a broker session's lifetime (a day); ids are kept a week to be safe.
PROCESSED_RETENTION = timedelta(days=7)

UowFactory = Callable[[], UnitOfWork]
Sleep = Callable[[float], object]
Done = Callable[[Sequence[Delivery]], None]


def _bump(session: Session, consumer: str, worker: str, tally: Tally, at: datetime) -> None:
    """Add a tally to the consumer's counters for this worker, inside the caller's transaction."""
    counts = tally.nonzero()
    values: dict[str, Any] = {name: getattr(ConsumerCounter, name) + n for name, n in counts.items()}
    result = session.execute(
        update(ConsumerCounter)
        .where(ConsumerCounter.consumer == consumer, ConsumerCounter.worker == worker)
        .values(**values, updated_at=at)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) == 0:
        session.add(ConsumerCounter(consumer=consumer, worker=worker, updated_at=at, **_zeroes(counts)))


def _zeroes(counts: dict[str, int]) -> dict[str, int]:
    base = Tally().as_dict()
    base.update(counts)
    return base


def _claim(session: Session, scope: str, ids: list[str], at: datetime) -> set[str]:
    """Record the ids as processed and return those that were not already (one INSERT ... ON CONFLICT).

    On PostgreSQL a concurrent transaction claiming the same id makes this one wait for its outcome,
    so two workers never both handle one message.
    """
    if not ids:
        return set()
    stmt = (
        upsert_insert(session, ConsumerProcessed)
        .values([{"consumer": scope, "message_id": i, "at": at} for i in ids])
        .on_conflict_do_nothing(index_elements=["consumer", "message_id"])
        .returning(ConsumerProcessed.message_id)
    )
    return set(session.execute(stmt).scalars())


def _set_aside_row(
    consumer: BoundConsumer, delivery: Delivery, decoded: Decoded, rejection: Rejection, at: datetime
) -> ConsumerRejected:
    return ConsumerRejected(
        consumer=consumer.key,
        topic=delivery.topic,
        message_id=decoded.message_id,
        reason=rejection.reason,
        error=rejection.error[:MAX_ERROR_CHARS],
        payload_excerpt=excerpt(delivery.payload),
        payload_bytes=len(delivery.payload),
        at=at,
    )


def handle_batch(
    uow_factory: UowFactory,
    consumer: BoundConsumer,
    worker: str,
    deliveries: Sequence[Delivery],
    *,
    failed: Rejection | None = None,
) -> Tally:
    """Handle deliveries in one transaction: skip redeliveries, set aside bad payloads, record the ids.

    A handler's exception propagates and nothing of the batch is kept. With `failed`, the deliveries are
    not handled but set aside with that reason (a handler that kept failing).
    """
    scope = consumer.dedupe_scope(worker)
    now = time.monotonic()
    decoded = [decode(consumer, d) for d in deliveries]
    live = [not is_expired(d, now) for d in deliveries]
    tally = Tally(
        redelivered=sum(d.dup for d in deliveries),
        expired=live.count(False),
    )
    with uow_factory() as uow:
        session = uow.session
        at = uow.clock()
        ids = list(
            dict.fromkeys(r.message_id for r, ok in zip(decoded, live, strict=True) if ok and r.message_id)
        )
        fresh = _claim(session, scope, ids, at)
        batch: list[Message] = []
        for delivery, result, ok in zip(deliveries, decoded, live, strict=True):
            if not ok:
                continue
            if result.message_id is not None:
                if result.message_id not in fresh:
                    tally.duplicates += 1
                    continue
                # A second copy inside the same batch is a duplicate of the first.
                fresh.discard(result.message_id)
            rejection = failed or result.rejection
            if rejection is not None:
                session.add(_set_aside_row(consumer, delivery, result, rejection, at))
                if rejection.reason == "failed":
                    tally.failed += 1
                else:
                    tally.rejected += 1
            else:
                assert result.message is not None  # noqa: S101 - decode gives a message or a rejection
                if consumer.spec.batch:
                    batch.append(result.message)
                else:
                    cast(Handler, consumer.handler)(uow, result.message)
                tally.handled += 1
        if batch:
            cast(BatchHandler, consumer.handler)(uow, batch)
        _bump(session, consumer.key, worker, tally, at)
        uow.commit()
    return tally


def process(
    uow_factory: UowFactory,
    consumer: BoundConsumer,
    worker: str,
    deliveries: Sequence[Delivery],
    *,
    done: Done,
    sleep: Sleep = time.sleep,
) -> Tally:
    """Handle deliveries, calling `done` after each commit with what it covered (acknowledge those only).

    The whole batch goes in one transaction; if that fails, each delivery is retried alone so that one
    bad message does not hold back the others, and a handler that keeps failing has its message set
    aside. If even that cannot be recorded (the database is away), the exception propagates and the
    deliveries not yet passed to `done` stay unacknowledged.
    """
    try:
        tally = handle_batch(uow_factory, consumer, worker, deliveries)
    except Exception:
        if len(deliveries) > 1:
            logger.info("consumer %s: batch of %d failed, handling one by one", consumer.key, len(deliveries))
    else:
        done(deliveries)
        return tally
    total = Tally()
    for delivery in deliveries:
        total.add(_one_with_retries(uow_factory, consumer, worker, delivery, sleep))
        done([delivery])
    return total


def _one_with_retries(
    uow_factory: UowFactory, consumer: BoundConsumer, worker: str, delivery: Delivery, sleep: Sleep
) -> Tally:
    error = ""
    for attempt in range(HANDLER_ATTEMPTS):
        try:
            return handle_batch(uow_factory, consumer, worker, [delivery])
        except Exception as exc:  # the handler's failure is recorded with the message, not raised
            error = f"{type(exc).__name__}: {exc}"
            logger.warning(
                "consumer %s: handler failed on %s (attempt %d/%d): %s",
                consumer.key,
                delivery.topic,
                attempt + 1,
                HANDLER_ATTEMPTS,
                error[:300],
            )
            if attempt < len(RETRY_PAUSES):
                sleep(RETRY_PAUSES[attempt])
    return handle_batch(uow_factory, consumer, worker, [delivery], failed=Rejection("failed", error))


def purge_processed(uow_factory: UowFactory, scope: str, *, keep: timedelta = PROCESSED_RETENTION) -> int:
    """Forget processed ids older than `keep`; return how many were removed."""
    with uow_factory() as uow:
        cutoff = uow.clock() - keep
        result = uow.session.execute(
            delete(ConsumerProcessed)
            .where(ConsumerProcessed.consumer == scope, ConsumerProcessed.at < cutoff)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
        return int(getattr(result, "rowcount", 0) or 0)


def stats(session: Session) -> list[dict[str, Any]]:
    """Return each consumer's totals across workers, with its workers' own counts and dead letters."""
    counters = session.execute(
        select(ConsumerCounter).order_by(ConsumerCounter.consumer, ConsumerCounter.worker)
    )
    out: dict[str, dict[str, Any]] = {}
    for (row,) in counters:
        entry = out.setdefault(row.consumer, {"consumer": row.consumer, **Tally().as_dict(), "workers": []})
        counts = {name: int(getattr(row, name)) for name in Tally().as_dict()}
        for name, n in counts.items():
            entry[name] += n
        entry["workers"].append({"worker": row.worker, **counts, "updated_at": row.updated_at.isoformat()})
    set_aside = session.execute(
        select(ConsumerRejected.consumer, func.count(), func.max(ConsumerRejected.at)).group_by(
            ConsumerRejected.consumer
        )
    )
    for name, count, last in set_aside:
        entry = out.setdefault(name, {"consumer": name, **Tally().as_dict(), "workers": []})
        entry["set_aside"] = int(count)
        entry["last_set_aside_at"] = last.isoformat() if last else None
    for entry in out.values():
        entry.setdefault("set_aside", 0)
        entry.setdefault("last_set_aside_at", None)
    return list(out.values())


def rejected(session: Session, *, consumer: str | None = None, limit: int = 50) -> list[dict[str, Any]]:
    """Return the newest messages set aside, for an operator to inspect."""
    query = select(ConsumerRejected).order_by(ConsumerRejected.at.desc()).limit(limit)
    if consumer:
        query = query.where(ConsumerRejected.consumer == consumer)
    return [
        {
            "id": str(row.id),
            "consumer": row.consumer,
            "topic": row.topic,
            "message_id": row.message_id,
            "reason": row.reason,
            "error": row.error,
            "payload_excerpt": row.payload_excerpt,
            "payload_bytes": row.payload_bytes,
            "at": row.at.isoformat(),
        }
        for row in session.execute(query).scalars()
    ]
