"""The sweep of orphaned attachment files: stored content that no attachment row references."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from thanglong.core import audit
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.dossiers.attachments import ContentStore, StoredEntry
from thanglong.domains.procedures.models import Attachment

DEFAULT_GRACE_MINUTES = 60
# Hashes looked up per query: well under the bound-parameter limits of SQLite and PostgreSQL.
LOOKUP_BATCH = 500
# The audit record names at most this many removed hashes (the count is always complete).
AUDIT_NAMES = 200


@dataclass
class SweepReport:
    """What a sweep found and did."""

    dry_run: bool
    grace_minutes: int
    scanned: int = 0
    referenced: int = 0
    young: int = 0
    removed: list[str] = field(default_factory=list)
    removed_bytes: int = 0

    def as_dict(self) -> dict[str, Any]:
        """Return the JSON shape printed by the CLI."""
        return {
            "dry_run": self.dry_run,
            "grace_minutes": self.grace_minutes,
            "scanned": self.scanned,
            "referenced": self.referenced,
            "young": self.young,
            "removed": len(self.removed),
            "removed_bytes": self.removed_bytes,
            "files": self.removed,
        }


def _referenced(uow: UnitOfWork, hashes: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(hashes), LOOKUP_BATCH):
        chunk = hashes[start : start + LOOKUP_BATCH]
        found.update(
            uow.session.scalars(select(Attachment.sha256).where(Attachment.sha256.in_(chunk)).distinct())
        )
    return found


def _age_ok(entry: StoredEntry, cutoff: float) -> bool:
    """Tell whether the file is still there and older than the cut-off (its time read now)."""
    try:
        return entry.path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def sweep_orphans(
    uow: UnitOfWork,
    store: ContentStore,
    *,
    grace_minutes: int = DEFAULT_GRACE_MINUTES,
    dry_run: bool = False,
) -> SweepReport:
    """Remove stored files no attachment references and older than the grace period; audited; commits.

    A file is written before its row is committed (dossiers/files.py), so a young unreferenced file may
    belong to a filing in flight: files modified within `grace_minutes` are kept. Storing content that is
    already there refreshes its time (ContentStore.put), so an old orphan that a new filing reuses is
    young again. Leftovers of interrupted writes (`.incoming-*`) past the grace period go too.
    """
    report = SweepReport(dry_run=dry_run, grace_minutes=grace_minutes)
    cutoff = uow.clock().timestamp() - grace_minutes * 60
    old: list[StoredEntry] = []
    for entry in store.entries():
        report.scanned += 1
        if _age_ok(entry, cutoff):
            old.append(entry)
        else:
            report.young += 1
    referenced = _referenced(uow, [e.sha256 for e in old if e.sha256 is not None])
    for entry in old:
        if entry.sha256 in referenced:
            report.referenced += 1
            continue
        # Read the time again just before removing: a filing may have stored this content meanwhile.
        if not _age_ok(entry, cutoff):
            report.young += 1
            continue
        size = entry.path.stat().st_size
        if not dry_run:
            entry.path.unlink(missing_ok=True)
        report.removed.append(entry.sha256 or entry.path.name)
        report.removed_bytes += size
    if report.removed and not dry_run:
        audit.record(
            uow,
            actor=SYSTEM_ACTOR,
            action="procedures.attachment.orphans_removed",
            object_type="procedures_attachment",
            object_id="content-store",
            after={
                "removed": len(report.removed),
                "bytes": report.removed_bytes,
                "grace_minutes": grace_minutes,
                "files": report.removed[:AUDIT_NAMES],
            },
        )
        uow.commit()
    return report
