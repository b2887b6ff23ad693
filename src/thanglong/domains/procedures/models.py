"""Procedures tables: catalogue with versions, dossiers, control-slip steps, sequences, attachments."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, true
from sqlalchemy.orm import Mapped, mapped_column, validates

from thanglong.core.db import Base, UUIDPrimaryKey


def charges_fee(fees: list[dict[str, Any]] | None) -> bool:
    """Tell whether a fee schedule charges anything (the fee-bearing dossiers of Decision 766)."""
    return sum(int(f.get("amount_vnd", 0)) for f in fees or []) > 0


class Procedure(UUIDPrimaryKey, Base):
    """An administrative procedure of the national catalogue (e.g. 1.001612)."""

    __tablename__ = "procedures_procedure"

    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(500))
    sector: Mapped[str] = mapped_column(String(200), index=True)
    level: Mapped[str] = mapped_column(String(20))
    service_level: Mapped[str] = mapped_column(String(20))
    competent_agency: Mapped[str] = mapped_column(String(300))
    receiving_agency: Mapped[str] = mapped_column(String(300))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    source: Mapped[str] = mapped_column(Text, default="")
    # A withdrawn procedure stays with its versions (dossiers point at them) but is neither listed nor filed.
    active: Mapped[bool] = mapped_column(default=True, server_default=true())
    updated_at: Mapped[datetime]


class CatalogueUpload(UUIDPrimaryKey, Base):
    """A catalogue file an administrator uploaded: its changes are shown first, applied on confirmation."""

    __tablename__ = "procedures_catalogue_upload"

    filename: Mapped[str] = mapped_column(String(200))
    sha256: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    uploaded_by: Mapped[str] = mapped_column(String(200))
    uploaded_at: Mapped[datetime]
    applied_at: Mapped[datetime | None] = mapped_column(default=None)
    applied_by: Mapped[str | None] = mapped_column(String(200), default=None)


class ProcedureVersion(UUIDPrimaryKey, Base):
    """The rules of a procedure in force from a date; a dossier is pinned to one version."""

    __tablename__ = "procedures_procedure_version"
    __table_args__ = (
        UniqueConstraint(
            "procedure_id", "effective_from", name="uq_procedures_procedure_version_procedure_id"
        ),
    )

    procedure_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedures_procedure.id", ondelete="CASCADE"), index=True
    )
    effective_from: Mapped[date] = mapped_column(Date)
    time_unit: Mapped[str] = mapped_column(String(20))
    time_amount: Mapped[int] = mapped_column(Integer)
    fees: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # charges_fee(fees), kept by `_fees_set` whenever fees are assigned: the statistics count
    # fee-bearing dossiers in SQL from it (migration procedures_0090 filled it for existing versions).
    fee_bearing: Mapped[bool] = mapped_column(default=False, server_default=false())
    documents: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    eform: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    legal_basis: Mapped[list[str]] = mapped_column(JSON, default=list)
    clock_policy: Mapped[str] = mapped_column(String(10), default="continue")
    created_at: Mapped[datetime]

    @validates("fees")
    def _fees_set(self, _key: str, fees: list[dict[str, Any]]) -> list[dict[str, Any]]:
        self.fee_bearing = charges_fee(fees)
        return fees


class Dossier(UUIDPrimaryKey, Base):
    """One application for one procedure, from filing to returned result."""

    __tablename__ = "procedures_dossier"
    __table_args__ = (
        Index("ix_procedures_dossier_queue", "receiving_agency_id", "status"),
        Index("ix_procedures_dossier_competent", "competent_agency_id", "status"),
        # A result's number is unique in its issuing agency's register of the year (Decree 30/2020, art. 15).
        # A unique index rather than a constraint: SQLite adds it without copying the table.
        Index(
            "ix_procedures_dossier_result_number",
            "competent_agency_id",
            "result_year",
            "result_seq",
            unique=True,
        ),
    )

    # Filled at receipt; a dossier filed online has no code until an officer receives it.
    code: Mapped[str | None] = mapped_column(String(64), unique=True, default=None)
    # Given at filing, printed on the receipt: the public tracking page needs it beside the code
    # (dossiers/tracking_secret.py; kept in clear, see docs/procedures-tracking.md).
    tracking_secret: Mapped[str] = mapped_column(String(16), server_default="")
    procedure_version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedures_procedure_version.id", ondelete="RESTRICT"), index=True
    )
    # Plain columns: users and agencies belong to the identity domain.
    applicant_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    receiving_agency_id: Mapped[uuid.UUID]
    competent_agency_id: Mapped[uuid.UUID]
    assigned_officer_id: Mapped[uuid.UUID | None] = mapped_column(default=None, index=True)
    status: Mapped[str] = mapped_column(String(30))
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    delivery: Mapped[str] = mapped_column(String(10), default="online")
    # How the dossier reached the office: "online" (citizen portal, DVCQG) or "counter" (filed by an officer).
    channel: Mapped[str] = mapped_column(String(10), default="online", server_default="online")
    # The audit actor that filed it: a city system's API key may follow up on the dossiers it filed.
    filed_by: Mapped[str] = mapped_column(String(200), default="", server_default="")
    submitted_at: Mapped[datetime]
    received_at: Mapped[datetime | None] = mapped_column(default=None)
    effective_receipt_at: Mapped[datetime | None] = mapped_column(default=None)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    paused_at: Mapped[datetime | None] = mapped_column(default=None)
    pauses: Mapped[list[list[str | None]]] = mapped_column(JSON, default=list)
    supplement_count: Mapped[int] = mapped_column(Integer, default=0)
    reschedule_count: Mapped[int] = mapped_column(Integer, default=0)
    extension_working_days: Mapped[int] = mapped_column(Integer, default=0)
    paid: Mapped[bool] = mapped_column(default=False)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    note: Mapped[str] = mapped_column(Text, default="")
    # The result's document number ("07/KQ-UBND"), given at approval from the competent agency's register
    # of the year (Hanoi calendar): the year and the number in it are kept apart for the unique constraint.
    result_number: Mapped[str | None] = mapped_column(String(60), default=None)
    result_year: Mapped[int | None] = mapped_column(Integer, default=None)
    result_seq: Mapped[int | None] = mapped_column(Integer, default=None)
    updated_at: Mapped[datetime]
    version_id: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version_id}  # noqa: RUF012 - SQLAlchemy's declarative hook


class DossierStep(UUIDPrimaryKey, Base):
    """One line of the process control slip: who held the dossier, from when to when, how it ended."""

    __tablename__ = "procedures_dossier_step"

    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedures_dossier.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))
    holder_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    holder_agency_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    actor: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime]
    ended_at: Mapped[datetime | None] = mapped_column(default=None)
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    outcome: Mapped[str | None] = mapped_column(String(10), default=None)
    note: Mapped[str] = mapped_column(Text, default="")


class DossierSequence(Base):
    """The last dossier number an agency gave on a day (locked row: codes never repeat)."""

    __tablename__ = "procedures_dossier_sequence"

    agency_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class DocumentSequence(Base):
    """The last result number an agency gave in a year (locked row: numbers never repeat, never skip)."""

    __tablename__ = "procedures_document_sequence"

    agency_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Attachment(UUIDPrimaryKey, Base):
    """A file attached to a dossier, stored by the SHA-256 of its content."""

    __tablename__ = "procedures_attachment"

    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedures_dossier.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))
    filename: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(30), default="application")
    uploaded_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class DossierDraft(UUIDPrimaryKey, Base):
    """An e-form the applicant saved without filing; one per applicant and procedure."""

    __tablename__ = "procedures_dossier_draft"
    __table_args__ = (
        UniqueConstraint("applicant_id", "procedure_code", name="uq_procedures_dossier_draft_applicant_id"),
    )

    applicant_id: Mapped[uuid.UUID] = mapped_column(index=True)
    procedure_code: Mapped[str] = mapped_column(String(40))
    receiving_agency_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    delivery: Mapped[str] = mapped_column(String(10), default="online")
    form_data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DossierRating(UUIDPrimaryKey, Base):
    """The applicant's satisfaction with a finished dossier (1 to 5), given once."""

    __tablename__ = "procedures_dossier_rating"

    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedures_dossier.id", ondelete="CASCADE"), unique=True
    )
    applicant_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime]


class PostalShipment(UUIDPrimaryKey, Base):
    """A result sent by post (VNPost public-administration delivery), with the carrier's events."""

    __tablename__ = "procedures_postal_shipment"

    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedures_dossier.id", ondelete="CASCADE"), index=True
    )
    carrier: Mapped[str] = mapped_column(String(20), default="vnpost")
    tracking_number: Mapped[str | None] = mapped_column(String(40), unique=True, default=None)
    recipient_name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))
    address: Mapped[str] = mapped_column(Text)
    commune_code: Mapped[str | None] = mapped_column(String(10), default=None)
    fee: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    events: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class DvcqgSync(UUIDPrimaryKey, Base):
    """One status change to report to the National Public Service Portal (sent by a procedures.dvcqg job)."""

    __tablename__ = "procedures_dvcqg_sync"
    __table_args__ = (
        UniqueConstraint(
            "dossier_code", "dvcqg_status", "status_at", name="uq_procedures_dvcqg_sync_dossier_code"
        ),
        Index("ix_procedures_dvcqg_sync_due", "state", "next_attempt_at"),
    )

    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedures_dossier.id", ondelete="CASCADE"), index=True
    )
    dossier_code: Mapped[str] = mapped_column(String(64))
    dvcqg_status: Mapped[int] = mapped_column(Integer)
    status_at: Mapped[datetime]
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime]


class Consultation(UUIDPrimaryKey, Base):
    """A question one agency asks another about a dossier (lấy ý kiến phối hợp), and its answer."""

    __tablename__ = "procedures_consultation"

    dossier_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("procedures_dossier.id", ondelete="CASCADE"), index=True
    )
    from_agency_id: Mapped[uuid.UUID]
    to_agency_id: Mapped[uuid.UUID] = mapped_column(index=True)
    question: Mapped[str] = mapped_column(Text)
    answer: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="open")
    requested_by: Mapped[str] = mapped_column(String(200))
    answered_by: Mapped[str | None] = mapped_column(String(200), default=None)
    requested_at: Mapped[datetime]
    due_at: Mapped[datetime | None] = mapped_column(default=None)
    answered_at: Mapped[datetime | None] = mapped_column(default=None)


class TrackingFailure(UUIDPrimaryKey, Base):
    """A public tracking lookup that matched no dossier (wrong code or secret), kept for throttling."""

    __tablename__ = "procedures_tracking_failure"
    __table_args__ = (Index("ix_procedures_tracking_failure_ip_at", "ip", "at"),)

    ip: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(index=True)
