"""What a terminal keeps across restarts, in its state directory, each file replaced atomically.

- `seen.json`: the ids of accepted envelopes until they expire, so a replay or a redelivery after a
  restart is not played twice;
- `outbox.json`: receipts not yet acknowledged by the broker (PUBACK), sent again after a restart;
- `queue.json`: accepted announcements not yet played (their checked CAP and expiry), played after a
  restart while still valid;
- `terminal.json`: the volume and the installed firmware version, as commands left them.

A write goes to a temporary file in the same folder, is flushed to disk, then renamed over the old file:
a power cut leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any

from thanglong.domains.terminals.wire.envelope import SeenIds


def write_atomic(path: Path, data: bytes) -> None:
    """Replace a file's content in one step (temporary file, fsync, rename, fsync of the folder)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        Path(tmp).replace(path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_bytes())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        # A damaged file (it cannot be half-written, but a disk can fail) is set aside, not trusted.
        path.replace(path.with_suffix(".damaged"))
        return None


def _dump(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, sort_keys=True).encode("utf-8")


class State:
    """The terminal's persistent state in one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        raw_seen = _read_json(folder / "seen.json") or {}
        self.seen = SeenIds({k: datetime.fromisoformat(v) for k, v in raw_seen.items()})
        self.outbox: dict[str, dict[str, Any]] = _read_json(folder / "outbox.json") or {}
        self.queue: dict[str, dict[str, str]] = _read_json(folder / "queue.json") or {}
        self.terminal: dict[str, Any] = _read_json(folder / "terminal.json") or {}

    def save_seen(self, now: datetime) -> None:
        """Persist the seen ids, forgetting those already expired."""
        self.seen.forget_expired(now)
        entries = {k: v.isoformat() for k, v in self.seen.entries().items()}
        write_atomic(self.folder / "seen.json", _dump(entries))

    def put_receipt(self, key: str, topic: str, body: dict[str, Any]) -> None:
        """Keep a receipt until the broker acknowledges it."""
        self.outbox[key] = {"topic": topic, "body": body}
        write_atomic(self.folder / "outbox.json", _dump(self.outbox))

    def receipt_sent(self, key: str) -> None:
        """Forget a receipt the broker has acknowledged."""
        if self.outbox.pop(key, None) is not None:
            write_atomic(self.folder / "outbox.json", _dump(self.outbox))

    def enqueue(self, key: str, cap_xml: bytes, expires: datetime) -> None:
        """Keep an accepted announcement until it is played, cancelled, replaced or expired."""
        self.queue[key] = {"cap": base64.b64encode(cap_xml).decode("ascii"), "expires": expires.isoformat()}
        write_atomic(self.folder / "queue.json", _dump(self.queue))

    def dequeue(self, key: str) -> None:
        """Forget an announcement that will not play again."""
        if self.queue.pop(key, None) is not None:
            write_atomic(self.folder / "queue.json", _dump(self.queue))

    def queued(self) -> list[tuple[str, bytes, datetime]]:
        """Return the kept announcements: key, CAP XML, expiry."""
        return [
            (k, base64.b64decode(v["cap"]), datetime.fromisoformat(v["expires"]))
            for k, v in self.queue.items()
        ]

    def set_terminal(self, **values: Any) -> None:
        """Persist terminal settings (volume, firmware)."""
        self.terminal.update(values)
        write_atomic(self.folder / "terminal.json", _dump(self.terminal))
