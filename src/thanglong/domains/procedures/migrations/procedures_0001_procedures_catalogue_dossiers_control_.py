"""procedures: catalogue, dossiers, control slip, sequences, attachments.

Revision ID: procedures_0001
Revises:
Create Date: 2026-11-28 12:44:54.321474
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "procedures_0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = ("procedures",)
depends_on: str | Sequence[str] | None = ("notify_0001", "payments_0001")


def upgrade() -> None:
    """Apply the change."""
    op.create_table(
        "procedures_dossier_sequence",
        sa.Column("agency_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("agency_id", "day", name=op.f("pk_procedures_dossier_sequence")),
    )
    op.create_table(
        "procedures_procedure",
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=500), nullable=False),
        sa.Column("sector", sa.String(length=200), nullable=False),
        sa.Column("level", sa.String(length=20), nullable=False),
        sa.Column("service_level", sa.String(length=20), nullable=False),
        sa.Column("competent_agency", sa.String(length=300), nullable=False),
        sa.Column("receiving_agency", sa.String(length=300), nullable=False),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures_procedure")),
        sa.UniqueConstraint("code", name=op.f("uq_procedures_procedure_code")),
    )
    with op.batch_alter_table("procedures_procedure", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedures_procedure_sector"), ["sector"], unique=False)
    op.create_table(
        "procedures_procedure_version",
        sa.Column("procedure_id", sa.Uuid(), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("time_unit", sa.String(length=20), nullable=False),
        sa.Column("time_amount", sa.Integer(), nullable=False),
        sa.Column("fees", sa.JSON(), nullable=False),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("eform", sa.JSON(), nullable=False),
        sa.Column("legal_basis", sa.JSON(), nullable=False),
        sa.Column("clock_policy", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_id"],
            ["procedures_procedure.id"],
            name=op.f("fk_procedures_procedure_version_procedure_id_procedures_procedure"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures_procedure_version")),
        sa.UniqueConstraint(
            "procedure_id", "effective_from", name="uq_procedures_procedure_version_procedure_id"
        ),
    )
    with op.batch_alter_table("procedures_procedure_version", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedures_procedure_version_procedure_id"), ["procedure_id"], unique=False
        )
    op.create_table(
        "procedures_dossier",
        sa.Column("code", sa.String(length=64), nullable=True),
        sa.Column("procedure_version_id", sa.Uuid(), nullable=False),
        sa.Column("applicant_id", sa.Uuid(), nullable=True),
        sa.Column("receiving_agency_id", sa.Uuid(), nullable=False),
        sa.Column("competent_agency_id", sa.Uuid(), nullable=False),
        sa.Column("assigned_officer_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("form_data", sa.JSON(), nullable=False),
        sa.Column("delivery", sa.String(length=10), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("effective_receipt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("pauses", sa.JSON(), nullable=False),
        sa.Column("supplement_count", sa.Integer(), nullable=False),
        sa.Column("reschedule_count", sa.Integer(), nullable=False),
        sa.Column("extension_working_days", sa.Integer(), nullable=False),
        sa.Column("paid", sa.Boolean(), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["procedure_version_id"],
            ["procedures_procedure_version.id"],
            name=op.f("fk_procedures_dossier_procedure_version_id_procedures_procedure_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures_dossier")),
        sa.UniqueConstraint("code", name=op.f("uq_procedures_dossier_code")),
    )
    with op.batch_alter_table("procedures_dossier", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedures_dossier_applicant_id"), ["applicant_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procedures_dossier_assigned_officer_id"), ["assigned_officer_id"], unique=False
        )
        batch_op.create_index(
            "ix_procedures_dossier_competent", ["competent_agency_id", "status"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_procedures_dossier_procedure_version_id"), ["procedure_version_id"], unique=False
        )
        batch_op.create_index("ix_procedures_dossier_queue", ["receiving_agency_id", "status"], unique=False)
    op.create_table(
        "procedures_attachment",
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["procedures_dossier.id"],
            name=op.f("fk_procedures_attachment_dossier_id_procedures_dossier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures_attachment")),
    )
    with op.batch_alter_table("procedures_attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_procedures_attachment_dossier_id"), ["dossier_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_procedures_attachment_sha256"), ["sha256"], unique=False)
    op.create_table(
        "procedures_dossier_step",
        sa.Column("dossier_id", sa.Uuid(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=30), nullable=False),
        sa.Column("status", sa.String(length=30), nullable=False),
        sa.Column("holder_id", sa.Uuid(), nullable=True),
        sa.Column("holder_agency_id", sa.Uuid(), nullable=True),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=10), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dossier_id"],
            ["procedures_dossier.id"],
            name=op.f("fk_procedures_dossier_step_dossier_id_procedures_dossier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_procedures_dossier_step")),
    )
    with op.batch_alter_table("procedures_dossier_step", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_procedures_dossier_step_dossier_id"), ["dossier_id"], unique=False
        )


def downgrade() -> None:
    """Revert the change."""
    with op.batch_alter_table("procedures_dossier_step", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedures_dossier_step_dossier_id"))
    op.drop_table("procedures_dossier_step")
    with op.batch_alter_table("procedures_attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedures_attachment_sha256"))
        batch_op.drop_index(batch_op.f("ix_procedures_attachment_dossier_id"))
    op.drop_table("procedures_attachment")
    with op.batch_alter_table("procedures_dossier", schema=None) as batch_op:
        batch_op.drop_index("ix_procedures_dossier_queue")
        batch_op.drop_index(batch_op.f("ix_procedures_dossier_procedure_version_id"))
        batch_op.drop_index("ix_procedures_dossier_competent")
        batch_op.drop_index(batch_op.f("ix_procedures_dossier_assigned_officer_id"))
        batch_op.drop_index(batch_op.f("ix_procedures_dossier_applicant_id"))
    op.drop_table("procedures_dossier")
    with op.batch_alter_table("procedures_procedure_version", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedures_procedure_version_procedure_id"))
    op.drop_table("procedures_procedure_version")
    with op.batch_alter_table("procedures_procedure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_procedures_procedure_sector"))
    op.drop_table("procedures_procedure")
    op.drop_table("procedures_dossier_sequence")
