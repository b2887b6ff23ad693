"""payments: payments, gateway events, refunds, receipts

Revision ID: payments_0001
Revises:
Create Date: 2026-11-28 12:46:42.641293
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "payments_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("payments",)
depends_on: str | Sequence[str] | None = ("identity_0001",)


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "payments_gateway_event",
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("txn_ref", sa.String(length=100), nullable=True),
        sa.Column("payment_id", sa.Uuid(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("verified", sa.Boolean(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=True),
        sa.Column("gateway_success", sa.Boolean(), nullable=False),
        sa.Column("outcome", sa.String(length=40), nullable=False),
        sa.Column("source_ip", sa.String(length=64), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_gateway_event")),
    )
    with op.batch_alter_table("payments_gateway_event", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_payments_gateway_event_payment_id"), ["payment_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_payments_gateway_event_received_at"), ["received_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payments_gateway_event_txn_ref"), ["txn_ref"], unique=False)

    op.create_table(
        "payments_payment",
        sa.Column("purpose", sa.String(length=50), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("refunded_vnd", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("gateway", sa.String(length=20), nullable=False),
        sa.Column("gateway_txn_ref", sa.String(length=40), nullable=False),
        sa.Column("gateway_transaction_no", sa.String(length=40), nullable=True),
        sa.Column("bank_code", sa.String(length=20), nullable=True),
        sa.Column("payer_user_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_payment")),
        sa.UniqueConstraint("gateway_txn_ref", name=op.f("uq_payments_payment_gateway_txn_ref")),
    )
    with op.batch_alter_table("payments_payment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_payment_paid_at"), ["paid_at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_payments_payment_payer_user_id"), ["payer_user_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_payments_payment_purpose"), ["purpose"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_payment_reference"), ["reference"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_payment_status"), ["status"], unique=False)

    op.create_table(
        "payments_receipt",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("payer_name", sa.String(length=200), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=50), nullable=False),
        sa.Column("reference", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments_payment.id"],
            name=op.f("fk_payments_receipt_payment_id_payments_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_receipt")),
        sa.UniqueConstraint("number", name=op.f("uq_payments_receipt_number")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_payments_receipt_payment_id")),
    )
    op.create_table(
        "payments_refund",
        sa.Column("payment_id", sa.Uuid(), nullable=False),
        sa.Column("amount_vnd", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["payment_id"],
            ["payments_payment.id"],
            name=op.f("fk_payments_refund_payment_id_payments_payment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_payments_refund")),
    )
    with op.batch_alter_table("payments_refund", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_payments_refund_created_at"), ["created_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_payments_refund_payment_id"), ["payment_id"], unique=False)


def downgrade() -> None:
    """Revert the change."""
    with op.batch_alter_table("payments_refund", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_refund_payment_id"))
        batch_op.drop_index(batch_op.f("ix_payments_refund_created_at"))

    op.drop_table("payments_refund")
    op.drop_table("payments_receipt")
    with op.batch_alter_table("payments_payment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_payment_status"))
        batch_op.drop_index(batch_op.f("ix_payments_payment_reference"))
        batch_op.drop_index(batch_op.f("ix_payments_payment_purpose"))
        batch_op.drop_index(batch_op.f("ix_payments_payment_payer_user_id"))
        batch_op.drop_index(batch_op.f("ix_payments_payment_paid_at"))

    op.drop_table("payments_payment")
    with op.batch_alter_table("payments_gateway_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_payments_gateway_event_txn_ref"))
        batch_op.drop_index(batch_op.f("ix_payments_gateway_event_received_at"))
        batch_op.drop_index(batch_op.f("ix_payments_gateway_event_payment_id"))

    op.drop_table("payments_gateway_event")
