"""Commands to one terminal (test tone, volume, reboot, update), signed, stored, then published.

`issue` seals the command envelope with the platform's key (kind "command", a fresh UUID, to the
terminal's command topic), stores it with who sent it and records it in the audit log, and queues a job
that publishes it after the commit (at least once; the terminal refuses a replay by its id). The job
publishes the stored bytes: a retry sends the very envelope that was signed.

The signing key belongs to delivery (`wire/keys.py`); this module takes a `Signer`, so tests sign
with a key they generate and the web and CLI pass `platform_signer(settings)`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import select

from thanglong.core import audit, jobs
from thanglong.core.config import Settings
from thanglong.core.errors import Conflict, InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.fleet.models import Command, Terminal
from thanglong.domains.terminals.fleet.services import TerminalStatus
from thanglong.domains.terminals.wire import envelope, keys, topics
from thanglong.domains.terminals.wire import services as wire_services

COMMANDS = ("test_tone", "volume", "reboot", "update")
COMMAND_LABELS = {
    "test_tone": ("Phát âm thử", "Test tone"),
    "volume": ("Đặt âm lượng", "Set volume"),
    "reboot": ("Khởi động lại", "Reboot"),
    "update": ("Cập nhật", "Update"),
}
# A command not carried out within this long is void: the terminal refuses the expired envelope.
VALID_FOR = timedelta(minutes=10)
PUBLISH_JOB = "terminals.command.publish"
QUEUED, SENT, DONE, FAILED = "queued", "sent", "done", "failed"
STATUS_LABELS = {
    QUEUED: ("Chờ gửi", "Queued"),
    SENT: ("Đã gửi", "Sent"),
    DONE: ("Đã thực hiện", "Done"),
    FAILED: ("Thất bại", "Failed"),
}
# A terminal's receipt kinds for commands (docs/terminals-agent.md) and the status each one sets.
RESULT_KINDS = {"command_done": DONE, "command_failed": FAILED}


class Signer(Protocol):
    """Seal an envelope (delivery.envelope.seal with the platform's private key bound)."""

    def __call__(
        self, *, message_id: str, kind: str, topic: str, issued: datetime, expires: datetime, payload: bytes
    ) -> bytes:
        """Return the signed envelope's bytes."""
        ...


class KeySigner:
    """A Signer over an Ed25519 private key."""

    def __init__(self, private_key: Any) -> None:
        self._key = private_key

    def __call__(
        self, *, message_id: str, kind: str, topic: str, issued: datetime, expires: datetime, payload: bytes
    ) -> bytes:
        """Seal with the key."""
        return envelope.seal(
            self._key,
            message_id=message_id,
            kind=kind,
            topic=topic,
            issued=issued,
            expires=expires,
            payload=payload,
        )


class NoSigningKey(Conflict):
    """The platform's signing key is not available (wire/keys.py not installed or not configured)."""

    status = 503

    def __init__(self, reason: str) -> None:
        super().__init__(
            "no_signing_key",
            f"Chưa có khóa ký của nền tảng, không gửi được lệnh: {reason}",
            f"The platform's signing key is not available, no command can be sent: {reason}",
        )


def platform_signer(settings: Settings) -> Signer:
    """Return a Signer with the platform's key (the one announcements are signed with)."""
    try:
        return KeySigner(wire_services.platform_private_key(settings))
    except (keys.KeyUnusable, OSError) as exc:
        raise NoSigningKey(str(exc)) from None


@dataclass(frozen=True, slots=True)
class CommandDTO:
    """A command as the detail page and the API show it."""

    id: uuid.UUID
    serial: str
    message_id: str
    command: str
    args: dict[str, Any]
    status: str
    issued_at: datetime
    issued_by: str
    sent_at: datetime | None
    result_at: datetime | None

    @classmethod
    def of(cls, row: Command) -> CommandDTO:
        """Copy a row."""
        return cls(
            row.id,
            row.serial,
            row.message_id,
            row.command,
            dict(row.args),
            row.status,
            row.issued_at,
            row.issued_by,
            row.sent_at,
            row.result_at,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the command as JSON."""
        return {
            "id": str(self.id),
            "serial": self.serial,
            "message_id": self.message_id,
            "command": self.command,
            "args": self.args,
            "status": self.status,
            "issued_at": self.issued_at.isoformat(),
            "issued_by": self.issued_by,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "result_at": self.result_at.isoformat() if self.result_at else None,
        }


def _invalid(code: str, vi: str, en: str) -> InvalidInput:
    return InvalidInput(code, vi, en, field="args")


def check_args(command: str, args: dict[str, Any]) -> dict[str, Any]:
    """Return a command's arguments as sent, or raise InvalidInput (vi + en)."""
    if command not in COMMANDS:
        raise InvalidInput(
            "unknown_command",
            f"Lệnh phải là một trong {', '.join(COMMANDS)}.",
            f"The command must be one of {', '.join(COMMANDS)}.",
            field="command",
        )
    if command == "volume":
        level = args.get("level")
        if isinstance(level, bool) or not isinstance(level, int) or not 0 <= level <= 100:
            raise _invalid("invalid_volume", "Âm lượng là số nguyên từ 0 đến 100.", "The volume is 0 to 100.")
        return {"level": level}
    if command == "update":
        kind, version = args.get("kind"), args.get("version")
        url, digest = args.get("url"), args.get("sha256")
        if kind not in ("firmware", "config") or not isinstance(version, str) or not version:
            raise _invalid(
                "invalid_update", "Cập nhật cần loại và phiên bản.", "An update needs a kind and version."
            )
        if not isinstance(url, str) or not url.startswith("https://"):
            raise _invalid(
                "invalid_update_url", "Địa chỉ tải phải là https://.", "The download URL must be https://."
            )
        if (
            not isinstance(digest, str)
            or len(digest) != 64
            or any(c not in "0123456789abcdef" for c in digest)
        ):
            raise _invalid(
                "invalid_sha256", "SHA-256 là 64 chữ số hex thường.", "SHA-256 is 64 lower-case hex digits."
            )
        return {"kind": kind, "version": version, "url": url, "sha256": digest}
    return {}


def issue(
    uow: UnitOfWork,
    *,
    actor: str,
    serial: str,
    command: str,
    args: dict[str, Any] | None = None,
    signer: Signer,
    rollout_id: uuid.UUID | None = None,
    commit: bool = True,
) -> CommandDTO:
    """Sign a command for a terminal, store it, audit it and queue its publication; commit."""
    clean = check_args(command, args or {})
    terminal = uow.session.scalar(select(Terminal).where(Terminal.serial == serial.strip().upper()))
    if terminal is None:
        raise NotFound("terminal_not_found", f"Không có thiết bị {serial}.", f"No terminal {serial}.")
    if terminal.status == TerminalStatus.RETIRED.value:
        raise Conflict("terminal_retired", f"Thiết bị {serial} đã thu hồi.", f"Terminal {serial} is retired.")
    now = uow.clock()
    message_id = str(uuid.uuid4())
    topic = topics.command(terminal.serial)
    payload = json.dumps({"command": command, "args": clean}, separators=(",", ":")).encode()
    sealed = signer(
        message_id=message_id,
        kind="command",
        topic=topic,
        issued=now,
        expires=now + VALID_FOR,
        payload=payload,
    )
    row = Command(
        id=uuid.uuid4(),
        terminal_id=terminal.id,
        serial=terminal.serial,
        message_id=message_id,
        command=command,
        args=clean,
        envelope=sealed,
        status=QUEUED,
        issued_at=now,
        issued_by=actor,
        expires_at=now + VALID_FOR,
        rollout_id=rollout_id,
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="terminals.command.issued",
        object_type="terminals_terminal",
        object_id=str(terminal.id),
        after={"serial": terminal.serial, "command": command, "args": clean, "message_id": message_id},
    )
    jobs.enqueue(uow, PUBLISH_JOB, {"command_id": str(row.id)}, idempotency_key=f"command:{row.id}")
    dto = CommandDTO.of(row)
    if commit:
        uow.commit()
    return dto


class Publish(Protocol):
    """Publish bytes to a topic with QoS 1, returning once the broker acknowledged (core.mqtt)."""

    def __call__(self, topic: str, payload: bytes) -> None:
        """Publish."""
        ...


def publish_queued(uow: UnitOfWork, command_id: uuid.UUID, publish: Publish) -> bool:
    """Publish a queued command's stored envelope; mark it sent. False when nothing was to be sent."""
    row = uow.session.get(Command, command_id, with_for_update=True)
    if row is None or row.status != QUEUED:
        return False
    now = uow.clock()
    if _aware(row.expires_at, now) <= now:
        row.status = FAILED
        row.result_at = now
        return False
    publish(topics.command(row.serial), row.envelope)
    row.status = SENT
    row.sent_at = now
    return True


def _aware(moment: datetime, like: datetime) -> datetime:
    return moment.replace(tzinfo=like.tzinfo) if moment.tzinfo is None else moment


def record_receipt(uow: UnitOfWork, *, message_id: str, kind: str, at: datetime) -> CommandDTO | None:
    """Record a terminal's command_done / command_failed receipt (for the receipts consumer to call)."""
    if kind not in ("command_done", "command_failed"):
        return None
    row = uow.session.scalar(select(Command).where(Command.message_id == message_id))
    if row is None or row.status in (DONE, FAILED):
        return None
    row.status = DONE if kind == "command_done" else FAILED
    row.result_at = at
    return CommandDTO.of(row)


@dataclass(frozen=True, slots=True)
class CommandResult:
    """A terminal's answer to a command: the command envelope's id, done or failed, and when."""

    serial: str
    message_id: str
    kind: str
    at: datetime


def record_results(uow: UnitOfWork, results: Sequence[CommandResult]) -> tuple[int, int]:
    """Record a batch of command_done / command_failed receipts; return (recorded, ignored).

    One select of the commands by message id, whatever the batch size. A result counts only from the
    terminal the command was sent to (the topic's serial), for a command not already done or failed: a
    QoS 1 redelivery, a late second answer or another terminal's claim changes nothing and is ignored.
    Each recorded result is audited as the terminal's (`terminals.command.done|failed`).
    """
    wanted = [r for r in results if r.kind in RESULT_KINDS]
    ignored = len(results) - len(wanted)
    if not wanted:
        return 0, ignored
    ids = sorted({r.message_id for r in wanted})
    rows = {
        row.message_id: row for row in uow.session.scalars(select(Command).where(Command.message_id.in_(ids)))
    }
    recorded = 0
    for result in wanted:
        row = rows.get(result.message_id)
        if row is None or row.serial != result.serial or row.status in (DONE, FAILED):
            ignored += 1
            continue
        row.status = RESULT_KINDS[result.kind]
        row.result_at = result.at
        recorded += 1
        audit.record(
            uow,
            actor=f"terminal:{row.serial}",
            action=f"terminals.command.{row.status}",
            object_type="terminals_terminal",
            object_id=str(row.terminal_id),
            after={"serial": row.serial, "command": row.command, "message_id": row.message_id},
        )
    uow.session.flush()
    return recorded, ignored


def recent(uow: UnitOfWork, serial: str, limit: int = 20) -> list[CommandDTO]:
    """Return a terminal's latest commands, newest first."""
    rows = uow.session.scalars(
        select(Command).where(Command.serial == serial).order_by(Command.issued_at.desc()).limit(limit)
    )
    return [CommandDTO.of(row) for row in rows]
