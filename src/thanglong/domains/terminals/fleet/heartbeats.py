"""Heartbeat intake: what terminals say on their status topics, applied to the fleet in batches.

The consumer gets up to a few hundred status messages at once (batch=True). Per batch: one query finds
the terminals by serial, one executemany updates them, one append writes the sampled health points;
unknown serials are counted (never set aside one by one: a retired terminal that still calls in would
fill the table). The last message of a serial in a batch wins (a heartbeat then a will: offline).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from thanglong.core.consumers import Message
from thanglong.core.timeseries import registry
from thanglong.core.timeseries.append import Sample, append
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet import series
from thanglong.domains.terminals.fleet.counters import bump
from thanglong.domains.terminals.fleet.models import Terminal
from thanglong.domains.terminals.fleet.schemas import Heartbeat
from thanglong.domains.terminals.fleet.services import TerminalStatus
from thanglong.domains.terminals.wire import topics

DOMAIN = "terminals"
# No heartbeat for this long (three missed at the default 60 s) and the sweep marks a terminal offline.
OFFLINE_AFTER = timedelta(minutes=3)


@dataclass
class IntakeReport:
    """What one batch did."""

    applied: int = 0
    activated: int = 0
    went_offline: int = 0
    unknown: list[str] = field(default_factory=list)
    retired: int = 0
    sampled: int = 0


_STATUS = f"{topics.ROOT}/status/"


def status_serial(topic: str) -> str | None:
    """Return the serial of a status topic, None for any other topic.

    (topics.serial_of expects four levels, but ROOT has three, so it answers None for every topic.)
    """
    serial = topic.removeprefix(_STATUS)
    return serial if serial != topic and serial and "/" not in serial else None


def _latest(messages: Sequence[Message]) -> dict[str, Heartbeat]:
    out: dict[str, Heartbeat] = {}
    for message in messages:
        serial = status_serial(message.topic)
        if serial is None:
            continue
        payload = message.payload
        beat = payload if isinstance(payload, Heartbeat) else Heartbeat.model_validate_json(message.raw)
        out[serial] = beat
    return out


def _score(beat: Heartbeat) -> float | None:
    if not beat.online:
        return series.OFFLINE_SCORE
    return series.HEALTH_SCORE.get(beat.health) if beat.health else None


def apply_heartbeats(uow: UnitOfWork, beats: dict[str, Heartbeat], now: datetime) -> IntakeReport:
    """Apply the latest status of each serial to its terminal; sample the health series; count strays."""
    report = IntakeReport()
    if not beats:
        return report
    rows = uow.session.execute(
        select(
            Terminal.id,
            Terminal.serial,
            Terminal.status,
            Terminal.online,
            Terminal.health,
            Terminal.sampled_at,
        ).where(Terminal.serial.in_(list(beats)))
    ).all()
    known = {row.serial: row for row in rows}
    report.unknown = sorted(set(beats) - known.keys())
    changes: list[dict[str, Any]] = []
    samples: list[Sample] = []
    for serial, row in known.items():
        beat = beats[serial]
        if row.status == TerminalStatus.RETIRED.value:
            report.retired += 1
            continue
        change: dict[str, Any] = {"id": row.id, "online": beat.online}
        if beat.online:
            change.update(
                last_seen_at=now,
                offline_since=None,
                firmware_version=beat.firmware,
                volume=beat.volume,
                uptime_s=beat.uptime_s,
                health=beat.health,
                playing=beat.playing,
                status=TerminalStatus.ACTIVE.value,
            )
            if row.status == TerminalStatus.PROVISIONED.value:
                report.activated += 1
        elif row.online:
            change["offline_since"] = now
            report.went_offline += 1
        score = _score(beat)
        changed = (row.online != beat.online) or (beat.online and beat.health != row.health)
        due = row.sampled_at is None or now - _aware(row.sampled_at, now) >= series.SAMPLE_EVERY
        if score is not None and (changed or due):
            samples.append((series.terminal_health(serial), now, score))
            change["sampled_at"] = now
        changes.append(change)
    _write(uow, changes)
    report.applied = len(changes)
    if samples:
        registry.register_many(uow, DOMAIN, [series.terminal_definition(_serial(s[0])) for s in samples])
        append(uow, samples)
        report.sampled = len(samples)
    if report.unknown:
        bump(uow, "unknown_serial", len(report.unknown), last=report.unknown[-1], now=now)
    return report


def _serial(name: str) -> str:
    return name.split(".")[2].upper()


def _aware(moment: datetime, like: datetime) -> datetime:
    # SQLite gives back naive datetimes for timezone-aware columns; they were stored in UTC.
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment


def _write(uow: UnitOfWork, changes: list[dict[str, Any]]) -> None:
    """Update the terminals with one executemany per set of columns (heartbeats, wills, samples)."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for change in changes:
        groups.setdefault(tuple(sorted(change)), []).append(change)
    for group in groups.values():
        uow.session.execute(update(Terminal), group)


def handle_status(uow: UnitOfWork, messages: list[Message]) -> None:
    """Consume a batch of status messages (the kernel's batch consumer; it commits)."""
    apply_heartbeats(uow, _latest(messages), uow.clock())


def sweep_silent(uow: UnitOfWork, now: datetime) -> list[str]:
    """Mark offline the terminals online whose last heartbeat is older than OFFLINE_AFTER; return them."""
    cutoff = now - OFFLINE_AFTER
    silent = uow.session.execute(
        select(Terminal.id, Terminal.serial, Terminal.last_seen_at).where(
            Terminal.online.is_(True), Terminal.last_seen_at < cutoff
        )
    ).all()
    if not silent:
        return []
    uow.session.execute(
        update(Terminal),
        [{"id": r.id, "online": False, "offline_since": r.last_seen_at, "sampled_at": now} for r in silent],
    )
    names = [series.terminal_definition(r.serial) for r in silent]
    registry.register_many(uow, DOMAIN, names)
    append(uow, [(d.name, now, series.OFFLINE_SCORE) for d in names])
    return [r.serial for r in silent]
