"""operations: alarm rule versions, rule states, alarms and their history

Revision ID: operations_0003
Revises: operations_0001
Create Date: 2026-12-03 11:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "operations_0003"
down_revision: str | None = "operations_0001"
branch_labels: str | Sequence[str] | None = None
# Raised and escalated alarms are told to the operators through notify's outbox.
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create the alarm tables."""
    op.create_table(
        "operations_alarm_rule_version",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("yaml_text", sa.Text(), nullable=False),
        sa.Column("parsed", sa.JSON(), nullable=False),
        sa.Column("series", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_alarm_rule_version")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_operations_alarm_rule_version_name")),
    )
    for column in ("active", "name", "series"):
        op.create_index(
            op.f(f"ix_operations_alarm_rule_version_{column}"), "operations_alarm_rule_version", [column]
        )
    op.create_table(
        "operations_alarm_state",
        sa.Column("rule_name", sa.String(length=100), nullable=False),
        sa.Column("state", sa.JSON(), nullable=False),
        sa.Column("alarm_id", sa.Uuid(), nullable=True),
        sa.Column("evaluated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_alarm_state")),
        sa.UniqueConstraint("rule_name", name=op.f("uq_operations_alarm_state_rule_name")),
    )
    op.create_table(
        "operations_alarm",
        sa.Column("rule_name", sa.String(length=100), nullable=False),
        sa.Column("rule_version", sa.Integer(), nullable=False),
        sa.Column("series", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("title_en", sa.String(length=300), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("acknowledge_note", sa.Text(), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("cleared_by", sa.String(length=200), nullable=True),
        sa.Column("last_value", sa.Float(), nullable=True),
        sa.Column("escalations", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_alarm")),
    )
    op.create_index("ix_operations_alarm_status_severity", "operations_alarm", ["status", "severity"])
    for column in ("raised_at", "rule_name", "series"):
        op.create_index(op.f(f"ix_operations_alarm_{column}"), "operations_alarm", [column])
    op.create_table(
        "operations_alarm_history",
        sa.Column("alarm_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["alarm_id"],
            ["operations_alarm.id"],
            name=op.f("fk_operations_alarm_history_alarm_id_operations_alarm"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_operations_alarm_history")),
    )
    op.create_index(op.f("ix_operations_alarm_history_alarm_id"), "operations_alarm_history", ["alarm_id"])


def downgrade() -> None:
    """Drop the alarm tables."""
    op.drop_table("operations_alarm_history")
    op.drop_table("operations_alarm")
    op.drop_table("operations_alarm_state")
    op.drop_table("operations_alarm_rule_version")
