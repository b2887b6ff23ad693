"""procedures: queued reactions follow their handlers into the dossiers sub-package

Revision ID: procedures_0005
Revises: procedures_0004
Create Date: 2026-12-06 09:00:00.000000

No table changes. An after-commit handler runs as a `core_job` of kind `event:<module:function>`, with
the same path in its payload (`handler`) and at the end of its idempotency key (`<event id>:<path>`).
When procedures became a package of sub-packages (docs/procedures.md), two such handlers moved: the
applicant's notice (`reactions` to `dossiers.reactions`) and the resumption of a paid dossier
(`services_payments` to `dossiers.payments`). Their jobs still to run (queued, running, or dead and
waiting for an operator's retry) take the new path, or no worker would claim them; finished jobs keep
the kind they ran under.
"""

from collections.abc import Mapping, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "procedures_0005"
down_revision: str | None = "procedures_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PACKAGE = "thanglong.domains.procedures"
MOVED = {
    f"{PACKAGE}.reactions:notify_applicant": f"{PACKAGE}.dossiers.reactions:notify_applicant",
    f"{PACKAGE}.services_payments:on_payment_succeeded": f"{PACKAGE}.dossiers.payments:on_payment_succeeded",
}
EVENT_PREFIX = "event:"
DONE = "done"

_job = sa.table(
    "core_job",
    sa.column("id", sa.BigInteger()),
    sa.column("kind", sa.String()),
    sa.column("payload", sa.JSON()),
    sa.column("idempotency_key", sa.String()),
    sa.column("status", sa.String()),
)


def _rename(paths: Mapping[str, str]) -> None:
    bind = op.get_bind()
    found = bind.execute(
        sa.select(_job.c.id, _job.c.kind, _job.c.payload, _job.c.idempotency_key).where(
            _job.c.kind.in_([EVENT_PREFIX + old for old in paths]), _job.c.status != DONE
        )
    ).all()
    for row in found:
        old = row.kind.removeprefix(EVENT_PREFIX)
        new = paths[old]
        payload = dict(row.payload or {})
        if payload.get("handler") == old:
            payload["handler"] = new
        key = row.idempotency_key
        if key is not None and key.endswith(f":{old}"):
            # The same form as core.uow writes: "<event id>:<handler>", at most 200 characters.
            key = f"{key.removesuffix(old)}{new}"[:200]
        bind.execute(
            sa.update(_job)
            .where(_job.c.id == row.id)
            .values(kind=EVENT_PREFIX + new, payload=payload, idempotency_key=key)
        )


def upgrade() -> None:
    """Give the jobs still to run of the two moved handlers their new paths."""
    _rename(MOVED)


def downgrade() -> None:
    """Give them their old paths back (the code before this revision knows only those)."""
    _rename({new: old for old, new in MOVED.items()})
