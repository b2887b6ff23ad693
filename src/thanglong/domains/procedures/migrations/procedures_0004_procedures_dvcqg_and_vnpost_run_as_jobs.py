"""procedures: the DVCQG sync and VNPost orders run as durable jobs

Revision ID: procedures_0004
Revises: procedures_0003
Create Date: 2026-12-04 03:00:00.000000

No table changes: the sync rows and shipments stay as the domain's record. Their own claim loops are
gone, so every row still waiting for the portal or the carrier gets its job here, or it would never be
sent: one `procedures.dvcqg` job per unacknowledged status change (a dossier's changes in their order,
under the dossier's ordering key) and one `procedures.vnpost` job per shipment not yet ordered.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "procedures_0004"
down_revision: str | None = "procedures_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = ("core_0002",)

DVCQG_JOB = "procedures.dvcqg"
VNPOST_JOB = "procedures.vnpost"

_job = sa.table(
    "core_job",
    sa.column("kind", sa.String()),
    sa.column("payload", sa.JSON()),
    sa.column("idempotency_key", sa.String()),
    sa.column("ordering_key", sa.String()),
    sa.column("status", sa.String()),
    sa.column("run_after", sa.DateTime(timezone=True)),
    sa.column("attempts", sa.Integer()),
    sa.column("max_attempts", sa.Integer()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def upgrade() -> None:
    """Give every status change and shipment still waiting its job."""
    bind = op.get_bind()
    now = datetime.now(UTC)
    sync = sa.table(
        "procedures_dvcqg_sync",
        sa.column("id", sa.Uuid()),
        sa.column("dossier_code", sa.String()),
        sa.column("state", sa.String()),
        sa.column("attempts", sa.Integer()),
        sa.column("next_attempt_at", sa.DateTime(timezone=True)),
        sa.column("status_at", sa.DateTime(timezone=True)),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    shipment = sa.table(
        "procedures_postal_shipment",
        sa.column("id", sa.Uuid()),
        sa.column("status", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    jobs = []
    # Insertion order is job order: within a dossier, the portal must get status N before N+1.
    for row in bind.execute(
        sa.select(sync.c.id, sync.c.dossier_code, sync.c.attempts, sync.c.next_attempt_at)
        .where(sync.c.state.in_(["pending", "sending"]))
        .order_by(sync.c.status_at, sync.c.created_at, sync.c.id)
    ):
        jobs.append(
            {
                "kind": DVCQG_JOB,
                "payload": {"sync_id": str(row.id)},
                "idempotency_key": f"{DVCQG_JOB}:{row.id}",
                "ordering_key": f"{DVCQG_JOB}:{row.dossier_code}",
                "status": "queued",
                "run_after": _aware(row.next_attempt_at),
                # Attempts already made count towards the limit, as they did in the old loop.
                "attempts": int(row.attempts or 0),
                "max_attempts": 0,
                "created_at": now,
            }
        )
    for row in bind.execute(
        sa.select(shipment.c.id)
        .where(shipment.c.status.in_(["pending", "sending"]))
        .order_by(shipment.c.created_at, shipment.c.id)
    ):
        jobs.append(
            {
                "kind": VNPOST_JOB,
                "payload": {"shipment_id": str(row.id)},
                "idempotency_key": f"{VNPOST_JOB}:{row.id}",
                "ordering_key": None,
                "status": "queued",
                "run_after": now,
                "attempts": 0,
                "max_attempts": 0,
                "created_at": now,
            }
        )
    if jobs:
        bind.execute(sa.insert(_job), jobs)


def downgrade() -> None:
    """Drop the jobs of the two kinds (the rows themselves say what is still to send)."""
    op.get_bind().execute(sa.delete(_job).where(_job.c.kind.in_([DVCQG_JOB, VNPOST_JOB])))
