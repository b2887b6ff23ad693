"""Accounts, roles, agencies, sessions, login attempts, API keys and external identities."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from thanglong.core.db import Base, UUIDPrimaryKey


class Agency(UUIDPrimaryKey, Base):
    """A state agency, identified by its electronic ID code (QCVN 102:2016/BTTTT)."""

    __tablename__ = "identity_agency"

    code: Mapped[str] = mapped_column(String(35), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    short_name: Mapped[str] = mapped_column(String(100), default="")
    parent_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_agency.id", ondelete="RESTRICT"), default=None, index=True
    )
    commune_code: Mapped[str | None] = mapped_column(String(10), default=None)
    created_at: Mapped[datetime]


class User(UUIDPrimaryKey, Base):
    """A person who signs in: citizen, officer, operator or administrator."""

    __tablename__ = "identity_user"

    username: Mapped[str] = mapped_column(String(64))
    # The lowered username carries the uniqueness, so "Admin" and "admin" cannot both exist.
    username_key: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    email: Mapped[str | None] = mapped_column(String(254), default=None)
    phone: Mapped[str | None] = mapped_column(String(20), default=None)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    password_hash: Mapped[str | None] = mapped_column(String(255), default=None)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    agency_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("identity_agency.id", ondelete="SET NULL"), default=None, index=True
    )
    created_at: Mapped[datetime]


class UserRole(Base):
    """One role granted to one user (its stable name, as a domain's manifest declares it)."""

    __tablename__ = "identity_user_role"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("identity_user.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(32), primary_key=True)


class Session(UUIDPrimaryKey, Base):
    """A server-side sign-in session; only the SHA-256 of its token is stored."""

    __tablename__ = "identity_session"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)


class LoginAttempt(UUIDPrimaryKey, Base):
    """One password sign-in attempt, kept for throttling."""

    __tablename__ = "identity_login_attempt"
    __table_args__ = (
        Index("ix_identity_login_attempt_username_at", "username", "at"),
        Index("ix_identity_login_attempt_ip_at", "ip", "at"),
    )

    username: Mapped[str] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    at: Mapped[datetime]
    success: Mapped[bool] = mapped_column(Boolean)


class ApiKey(UUIDPrimaryKey, Base):
    """A machine credential `tl_<prefix>_<secret>`; only the SHA-256 of the whole key is stored."""

    __tablename__ = "identity_api_key"

    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(8), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    created_by: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None] = mapped_column(default=None)
    last_used_at: Mapped[datetime | None] = mapped_column(default=None)


class ExternalIdentity(UUIDPrimaryKey, Base):
    """A link from an OpenID Connect identity (issuer, subject) to a local user."""

    __tablename__ = "identity_external_identity"
    __table_args__ = (
        UniqueConstraint("issuer", "subject", name="uq_identity_external_identity_issuer_subject"),
    )

    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("identity_user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
