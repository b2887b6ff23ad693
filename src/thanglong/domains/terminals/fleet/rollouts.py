"""Rollout use cases: create a rollout, step it on a schedule, halt, resume or abort it (audited).

A wave starts by sending the signed `update` command to every active terminal of its communes that does
not run the version yet; then the engine (`rollout.judge`) decides at each step from the heartbeats.
Firmware rollouts know a terminal is updated from its heartbeat's firmware version; configuration
rollouts from the terminal's command_done receipt (heartbeats carry no configuration version).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select

from thanglong.core import audit
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet import commands, rollout
from thanglong.domains.terminals.fleet.models import Command, Rollout, Terminal
from thanglong.domains.terminals.fleet.services import TerminalStatus, count_by_commune

RUNNING, HALTED, COMPLETED, ABORTED = "running", "halted", "completed", "aborted"
STATUS_LABELS = {
    RUNNING: ("Đang triển khai", "Running"),
    HALTED: ("Tạm dừng", "Halted"),
    COMPLETED: ("Hoàn tất", "Completed"),
    ABORTED: ("Đã hủy", "Aborted"),
}
ACTIVE = TerminalStatus.ACTIVE.value


@dataclass(frozen=True)
class RolloutDTO:
    """A rollout as its page and the CLI show it."""

    id: uuid.UUID
    name: str
    kind: str
    version: str
    status: str
    waves: list[list[str]]
    current_wave: int
    wave_started_at: datetime | None
    soak_minutes: int
    min_ok_share: float
    max_gap: float
    halt_reason: str
    last_check: dict[str, Any]
    created_by: str
    created_at: datetime

    @classmethod
    def of(cls, row: Rollout) -> RolloutDTO:
        """Copy a row."""
        return cls(
            row.id,
            row.name,
            row.kind,
            row.version,
            row.status,
            [list(w) for w in row.waves],
            row.current_wave,
            row.wave_started_at,
            row.soak_minutes,
            row.min_ok_share,
            row.max_gap,
            row.halt_reason,
            dict(row.last_check),
            row.created_by,
            row.created_at,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the rollout as JSON."""
        return {
            "id": str(self.id),
            "name": self.name,
            "kind": self.kind,
            "version": self.version,
            "status": self.status,
            "waves": self.waves,
            "current_wave": self.current_wave,
            "wave_started_at": self.wave_started_at.isoformat() if self.wave_started_at else None,
            "soak_minutes": self.soak_minutes,
            "min_ok_share": self.min_ok_share,
            "max_gap": self.max_gap,
            "halt_reason": self.halt_reason,
            "last_check": self.last_check,
            "created_by": self.created_by,
        }


def _policy(row: Rollout) -> rollout.Policy:
    return rollout.Policy(
        soak=timedelta(minutes=row.soak_minutes), min_ok_share=row.min_ok_share, max_gap=row.max_gap
    )


def create(
    uow: UnitOfWork,
    *,
    actor: str,
    name: str,
    kind: str,
    version: str,
    url: str,
    sha256: str,
    canary: list[str] | None = None,
    growth: float = 2.0,
    soak_minutes: int = 60,
    min_ok_share: float = 0.9,
    max_gap: float = 0.05,
) -> RolloutDTO:
    """Plan a rollout over the communes' active terminals; it starts at the next step. Commit."""
    commands.check_args("update", {"kind": kind, "version": version, "url": url, "sha256": sha256})
    if not name.strip() or len(name) > 200:
        raise InvalidInput(
            "invalid_name", "Cần tên đợt cập nhật (tối đa 200 ký tự).", "A name is needed (≤ 200)."
        )
    if (
        not 1 <= soak_minutes <= 7 * 24 * 60
        or not 0 < min_ok_share <= 1
        or not 0 <= max_gap < 1
        or growth < 1
    ):
        raise InvalidInput(
            "invalid_policy",
            "Thời gian theo dõi 1 phút – 7 ngày, ngưỡng tốt trong (0, 1],"
            " chênh lệch trong [0, 1), hệ số tăng ≥ 1.",
            "Soak 1 minute to 7 days, ok threshold in (0, 1], gap in [0, 1), growth at least 1.",
        )
    counts = count_by_commune(uow)
    try:
        waves = rollout.plan_waves(counts, rollout.Policy(growth=growth), canary)
    except ValueError as exc:
        raise InvalidInput(
            "invalid_canary", f"Phường/xã thử nghiệm không có thiết bị: {exc}", str(exc)
        ) from None
    if not waves:
        raise Conflict("no_terminals", "Chưa có thiết bị nào để cập nhật.", "There is no terminal to update.")
    now = uow.clock()
    row = Rollout(
        id=uuid.uuid4(),
        name=name.strip(),
        kind=kind,
        version=version,
        url=url,
        sha256=sha256,
        waves=waves,
        status=RUNNING,
        current_wave=-1,
        soak_minutes=soak_minutes,
        min_ok_share=min_ok_share,
        max_gap=max_gap,
        halt_reason="",
        last_check={},
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    uow.session.add(row)
    uow.session.flush()
    _audit(uow, actor, row, "created", {"waves": len(waves), "version": version, "kind": kind})
    dto = RolloutDTO.of(row)
    uow.commit()
    return dto


def _audit(uow: UnitOfWork, actor: str, row: Rollout, what: str, details: dict[str, Any]) -> None:
    audit.record(
        uow,
        actor=actor,
        action=f"terminals.rollout.{what}",
        object_type="terminals_rollout",
        object_id=str(row.id),
        after={"status": row.status, "wave": row.current_wave, **details},
    )


def _started_communes(row: Rollout) -> list[str]:
    return [code for wave in row.waves[: row.current_wave + 1] for code in wave]


def _start_wave(uow: UnitOfWork, row: Rollout, index: int, actor: str, signer: commands.Signer) -> int:
    row.current_wave = index
    row.wave_started_at = uow.clock()
    targets = uow.session.scalars(
        select(Terminal.serial).where(
            Terminal.commune_code.in_(row.waves[index]),
            Terminal.status == ACTIVE,
            func.coalesce(Terminal.firmware_version, "") != (row.version if row.kind == "firmware" else ""),
        )
    ).all()
    args = {"kind": row.kind, "version": row.version, "url": row.url, "sha256": row.sha256}
    for serial in targets:
        commands.issue(
            uow,
            actor=actor,
            serial=serial,
            command="update",
            args=args,
            signer=signer,
            rollout_id=row.id,
            commit=False,
        )
    _audit(uow, actor, row, "wave_started", {"communes": row.waves[index], "terminals": len(targets)})
    return len(targets)


def health(uow: UnitOfWork, row: Rollout) -> rollout.Health:
    """Count the started waves' terminals (updated, reporting, ok) and the others, in two queries."""
    started = _started_communes(row)
    if row.kind == "firmware":
        updated = Terminal.firmware_version == row.version
    else:
        done = select(Command.terminal_id).where(
            Command.rollout_id == row.id, Command.status == commands.DONE
        )
        updated = Terminal.id.in_(done)
    ok = Terminal.health == "ok"
    online = Terminal.online.is_(True)

    def total(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    inside = uow.session.execute(
        select(
            func.count(),
            total(updated),
            total(and_(updated, online)),
            total(and_(updated, online, ok)),
        ).where(Terminal.status == ACTIVE, Terminal.commune_code.in_(started))
    ).one()
    outside = uow.session.execute(
        select(total(online), total(and_(online, ok))).where(
            Terminal.status == ACTIVE, Terminal.commune_code.not_in(started)
        )
    ).one()
    return rollout.Health(
        int(inside[0] or 0),
        int(inside[1] or 0),
        int(inside[2] or 0),
        int(inside[3] or 0),
        int(outside[0] or 0),
        int(outside[1] or 0),
    )


def step(uow: UnitOfWork, rollout_id: uuid.UUID, *, signer: commands.Signer, actor: str) -> RolloutDTO:
    """Start the first wave, or judge the current one and halt, wait, advance or complete. Commit."""
    row = _load(uow, rollout_id)
    if row.status != RUNNING:
        return RolloutDTO.of(row)
    now = uow.clock()
    if row.current_wave < 0:
        _start_wave(uow, row, 0, actor, signer)
    else:
        found = health(uow, row)
        started = row.wave_started_at or now
        started = started.replace(tzinfo=now.tzinfo) if started.tzinfo is None else started
        last = row.current_wave == len(row.waves) - 1
        decision = rollout.judge(found, _policy(row), wave_started=started, now=now, last_wave=last)
        row.last_check = {
            "at": now.isoformat(),
            "action": decision.action,
            "updated_share": found.updated_share,
            "others_share": found.others_share,
            "targeted": found.targeted,
            "updated": found.updated,
        }
        if decision.action == "halt":
            row.status = HALTED
            row.halt_reason = f"{decision.reason_vi} / {decision.reason_en}"
            _audit(uow, actor, row, "halted", {"reason": decision.reason_en, "automatic": True})
        elif decision.action == "advance":
            _start_wave(uow, row, row.current_wave + 1, actor, signer)
        elif decision.action == "complete":
            row.status = COMPLETED
            _audit(uow, actor, row, "completed", {})
    row.updated_at = now
    dto = RolloutDTO.of(row)
    uow.commit()
    return dto


def running_ids(uow: UnitOfWork) -> list[uuid.UUID]:
    """Return the running rollouts, oldest first."""
    return list(
        uow.session.scalars(select(Rollout.id).where(Rollout.status == RUNNING).order_by(Rollout.created_at))
    )


def _load(uow: UnitOfWork, rollout_id: uuid.UUID) -> Rollout:
    row = uow.session.get(Rollout, rollout_id, with_for_update=True)
    if row is None:
        raise NotFound("rollout_not_found", "Không có đợt cập nhật này.", "No such rollout.")
    return row


def _operator_change(uow: UnitOfWork, rollout_id: uuid.UUID, actor: str, want: str, note: str) -> RolloutDTO:
    row = _load(uow, rollout_id)
    allowed = {HALTED: (RUNNING,), RUNNING: (HALTED,), ABORTED: (RUNNING, HALTED)}[want]
    if row.status not in allowed:
        vi, en = STATUS_LABELS[row.status]
        raise Conflict(
            "rollout_state",
            f"Đợt cập nhật đang ở trạng thái {vi}: không chuyển được.",
            f"The rollout is {en.lower()}: that change is not possible.",
        )
    now = uow.clock()
    row.status = want
    if want == HALTED:
        row.halt_reason = note.strip()[:2000] or "Người vận hành tạm dừng / halted by an operator"
    if want == RUNNING:
        # The soak time starts again: the wave is judged on what happens after the operator's decision.
        row.wave_started_at = now
        row.halt_reason = ""
    row.updated_at = now
    _audit(uow, actor, row, {HALTED: "halted", RUNNING: "resumed", ABORTED: "aborted"}[want], {"note": note})
    dto = RolloutDTO.of(row)
    uow.commit()
    return dto


def halt(uow: UnitOfWork, rollout_id: uuid.UUID, *, actor: str, note: str = "") -> RolloutDTO:
    """Halt a running rollout by hand; commit."""
    return _operator_change(uow, rollout_id, actor, HALTED, note)


def resume(uow: UnitOfWork, rollout_id: uuid.UUID, *, actor: str, note: str = "") -> RolloutDTO:
    """Resume a halted rollout (the current wave soaks again from now); commit."""
    return _operator_change(uow, rollout_id, actor, RUNNING, note)


def abort(uow: UnitOfWork, rollout_id: uuid.UUID, *, actor: str, note: str = "") -> RolloutDTO:
    """Abort a rollout for good; terminals already updated keep the version. Commit."""
    return _operator_change(uow, rollout_id, actor, ABORTED, note)


def list_rollouts(uow: UnitOfWork, limit: int = 50) -> list[RolloutDTO]:
    """Return the latest rollouts, newest first."""
    rows = uow.session.scalars(select(Rollout).order_by(Rollout.created_at.desc()).limit(limit))
    return [RolloutDTO.of(row) for row in rows]


def get(uow: UnitOfWork, rollout_id: uuid.UUID) -> RolloutDTO:
    """Return one rollout."""
    row = uow.session.get(Rollout, rollout_id)
    if row is None:
        raise NotFound("rollout_not_found", "Không có đợt cập nhật này.", "No such rollout.")
    return RolloutDTO.of(row)
