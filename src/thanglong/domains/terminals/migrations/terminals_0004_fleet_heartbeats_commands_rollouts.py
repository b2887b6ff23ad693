"""terminals: heartbeat state of terminals, commands, rollouts, fleet counters

Revision ID: terminals_0004
Revises: terminals_0003
Create Date: 2026-12-03 17:50:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "terminals_0004"
down_revision: str | None = "terminals_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add what heartbeats tell to terminals; create commands, rollouts and the fleet counters."""
    with op.batch_alter_table("terminals_terminal") as batch:
        batch.add_column(sa.Column("online", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("offline_since", _WHEN, nullable=True))
        batch.add_column(sa.Column("health", sa.String(length=20), nullable=True))
        batch.add_column(sa.Column("uptime_s", sa.BigInteger(), nullable=True))
        batch.add_column(sa.Column("playing", sa.String(length=200), nullable=True))
        batch.add_column(sa.Column("sampled_at", _WHEN, nullable=True))
    with op.batch_alter_table("terminals_terminal") as batch:
        batch.alter_column("online", server_default=None)
        batch.create_index(batch.f("ix_terminals_terminal_online"), ["online"], unique=False)
    op.create_table(
        "terminals_command",
        sa.Column("terminal_id", sa.Uuid(), nullable=False),
        sa.Column("serial", sa.String(length=40), nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("command", sa.String(length=20), nullable=False),
        sa.Column("args", sa.JSON(), nullable=False),
        sa.Column("envelope", sa.LargeBinary(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("issued_at", _WHEN, nullable=False),
        sa.Column("issued_by", sa.String(length=200), nullable=False),
        sa.Column("expires_at", _WHEN, nullable=False),
        sa.Column("sent_at", _WHEN, nullable=True),
        sa.Column("result_at", _WHEN, nullable=True),
        sa.Column("rollout_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["terminal_id"],
            ["terminals_terminal.id"],
            name=op.f("fk_terminals_command_terminal_id_terminals_terminal"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_command")),
        sa.UniqueConstraint("message_id", name=op.f("uq_terminals_command_message_id")),
    )
    for column in ("serial", "issued_at", "rollout_id"):
        op.create_index(op.f(f"ix_terminals_command_{column}"), "terminals_command", [column], unique=False)
    op.create_table(
        "terminals_rollout",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("waves", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("current_wave", sa.Integer(), nullable=False),
        sa.Column("wave_started_at", _WHEN, nullable=True),
        sa.Column("soak_minutes", sa.Integer(), nullable=False),
        sa.Column("min_ok_share", sa.Float(), nullable=False),
        sa.Column("max_gap", sa.Float(), nullable=False),
        sa.Column("halt_reason", sa.Text(), nullable=False),
        sa.Column("last_check", sa.JSON(), nullable=False),
        sa.Column("created_at", _WHEN, nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_terminals_rollout")),
    )
    op.create_index(op.f("ix_terminals_rollout_status"), "terminals_rollout", ["status"], unique=False)
    op.create_table(
        "terminals_fleet_counter",
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.Column("last", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _WHEN, nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_terminals_fleet_counter")),
    )


def downgrade() -> None:
    """Drop the fleet counters, rollouts and commands; drop the heartbeat state of terminals."""
    op.drop_table("terminals_fleet_counter")
    op.drop_table("terminals_rollout")
    op.drop_table("terminals_command")
    with op.batch_alter_table("terminals_terminal") as batch:
        batch.drop_index(batch.f("ix_terminals_terminal_online"))
        for column in ("sampled_at", "playing", "uptime_s", "health", "offline_since", "online"):
            batch.drop_column(column)
