"""Use cases of the identity domain: accounts, roles, password sign-in and single sign-on links."""

from __future__ import annotations

import hashlib
import math
import re
import secrets
import uuid
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, delete, func, select, update
from sqlalchemy.orm import Session as OrmSession

from thanglong.core import audit
from thanglong.core.domain_settings import InvalidSetting
from thanglong.core.errors import Conflict, InvalidInput, NotFound, TooManyRequests, Unauthenticated
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR, RoleName
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import events, passwords
from thanglong.domains.identity.models import (
    Agency,
    ExternalIdentity,
    LoginAttempt,
    User,
    UserRole,
)
from thanglong.domains.identity.models import Session as SessionRow
from thanglong.domains.identity.roles import ADMINISTRATOR

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PHONE_RE = re.compile(r"^(\+84|0)[0-9]{9,10}$")
LANGUAGES = ("vi", "en")


@dataclass(frozen=True)
class UserDTO:
    """A user account as other code sees it (no password hash)."""

    id: uuid.UUID
    username: str
    full_name: str
    email: str | None
    phone: str | None
    language: str
    is_active: bool
    agency_id: uuid.UUID | None
    roles: tuple[RoleName, ...]
    created_at: datetime
    has_password: bool = False


@dataclass(frozen=True)
class UserContact:
    """How to reach a user (for notifications)."""

    id: uuid.UUID
    username: str
    full_name: str
    email: str | None
    phone: str | None
    language: str


def sha256_hex(value: str) -> str:
    """Return the hex SHA-256 of a text."""
    return hashlib.sha256(value.encode("utf-8")).hexdigest()


def configure(platform: Platform) -> None:
    """Choose the password-hashing profile (fast only in tests); check the single sign-on default role."""
    passwords.use_profile("fast" if platform.settings.env == "test" else "standard")
    role = platform.settings.oidc_default_role
    if role not in platform.roles:
        known = ", ".join(platform.roles.names())
        raise InvalidSetting(
            "invalid_setting",
            f"Biến cấu hình THANGLONG_OIDC_DEFAULT_ROLE không hợp lệ: không lĩnh vực nào đang bật khai báo "
            f"vai trò {role!r} (các vai trò: {known}).",
            f"Setting THANGLONG_OIDC_DEFAULT_ROLE is invalid: no enabled domain declares the role {role!r} "
            f"(known roles: {known}).",
            variable="THANGLONG_OIDC_DEFAULT_ROLE",
        )


def parse_roles(uow: UnitOfWork, values: Iterable[str]) -> tuple[RoleName, ...]:
    """Return role names once each, refusing one that no enabled domain declares (UnknownRole)."""
    return uow.roles.check(values)


def _username_key(username: str) -> str:
    username = username.strip()
    if not USERNAME_RE.fullmatch(username):
        raise InvalidInput(
            "invalid_username",
            "Tên đăng nhập gồm 3–64 ký tự: chữ cái không dấu, chữ số, dấu chấm, gạch dưới hoặc gạch ngang.",
            "A username has 3-64 characters: ASCII letters, digits, dot, underscore or hyphen.",
        )
    return username.lower()


def check_password_policy(password: str) -> None:
    """Refuse a password that is too short or too long."""
    if len(password) < passwords.MIN_LENGTH or len(password) > passwords.MAX_LENGTH:
        raise InvalidInput(
            "weak_password",
            f"Mật khẩu phải có từ {passwords.MIN_LENGTH} đến {passwords.MAX_LENGTH} ký tự.",
            f"A password must have {passwords.MIN_LENGTH} to {passwords.MAX_LENGTH} characters.",
        )


def _check_contact(email: str | None, phone: str | None) -> None:
    if email is not None and not EMAIL_RE.fullmatch(email):
        raise InvalidInput("invalid_email", "Địa chỉ thư điện tử không hợp lệ.", "Invalid e-mail address.")
    if phone is not None and not PHONE_RE.fullmatch(phone):
        raise InvalidInput(
            "invalid_phone",
            "Số điện thoại không hợp lệ (ví dụ 0912345678 hoặc +84912345678).",
            "Invalid phone number (e.g. 0912345678 or +84912345678).",
        )


def roles_of(session: OrmSession, user_id: uuid.UUID) -> tuple[RoleName, ...]:
    """Return the stored roles of a user, including any that no enabled domain declares now."""
    rows = session.scalars(select(UserRole.role).where(UserRole.user_id == user_id).order_by(UserRole.role))
    return tuple(rows)


def to_dto(session: OrmSession, user: User, roles: tuple[RoleName, ...] | None = None) -> UserDTO:
    """Build the DTO of a user row (given its roles, without reading them)."""
    return UserDTO(
        id=user.id,
        username=user.username,
        full_name=user.full_name,
        email=user.email,
        phone=user.phone,
        language=user.language,
        is_active=user.is_active,
        agency_id=user.agency_id,
        roles=roles_of(session, user.id) if roles is None else roles,
        created_at=user.created_at,
        has_password=user.password_hash is not None,
    )


def _snapshot(dto: UserDTO) -> dict[str, Any]:
    return {
        "username": dto.username,
        "full_name": dto.full_name,
        "email": dto.email,
        "phone": dto.phone,
        "language": dto.language,
        "is_active": dto.is_active,
        "agency_id": str(dto.agency_id) if dto.agency_id else None,
        "roles": list(dto.roles),
    }


def get_user_row(session: OrmSession, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user_not_found", "Không tìm thấy tài khoản.", "User not found.", user_id=str(user_id))
    return user


def create_user(
    uow: UnitOfWork,
    *,
    actor: str,
    username: str,
    password: str | None,
    roles: Iterable[RoleName],
    full_name: str = "",
    email: str | None = None,
    phone: str | None = None,
    agency_id: uuid.UUID | None = None,
    language: str = "vi",
    source_ip: str | None = None,
) -> UserDTO:
    """Create an account with its roles; a None password means it cannot sign in by password."""
    session = uow.session
    key = _username_key(username)
    role_list = parse_roles(uow, roles)
    email = (email or "").strip() or None
    phone = (phone or "").strip() or None
    _check_contact(email, phone)
    if language not in LANGUAGES:
        raise InvalidInput("invalid_language", "Ngôn ngữ không hợp lệ.", "Invalid language.")
    if password is not None:
        check_password_policy(password)
    if session.scalar(select(User.id).where(User.username_key == key)) is not None:
        raise Conflict(
            "username_taken", "Tên đăng nhập đã được dùng.", "This username is taken.", username=key
        )
    if agency_id is not None and session.get(Agency, agency_id) is None:
        raise NotFound("agency_not_found", "Không tìm thấy cơ quan.", "Agency not found.")
    user = User(
        username=username.strip(),
        username_key=key,
        full_name=full_name.strip(),
        email=email,
        phone=phone,
        language=language,
        password_hash=passwords.hash_password(password) if password is not None else None,
        is_active=True,
        agency_id=agency_id,
        created_at=uow.clock(),
    )
    session.add(user)
    session.flush()
    for role in role_list:
        session.add(UserRole(user_id=user.id, role=role))
    session.flush()
    dto = to_dto(session, user)
    audit.record(
        uow,
        actor=actor,
        action="identity.user.create",
        object_type="identity_user",
        object_id=str(user.id),
        after=_snapshot(dto),
        source_ip=source_ip,
    )
    uow.emit(events.UserCreated(user_id=user.id, username=user.username, roles=role_list))
    uow.commit()
    return dto


def set_password(
    uow: UnitOfWork, *, actor: str, user_id: uuid.UUID, password: str, source_ip: str | None = None
) -> None:
    """Set a new password and end the user's open sessions."""
    check_password_policy(password)
    user = get_user_row(uow.session, user_id)
    user.password_hash = passwords.hash_password(password)
    ended = revoke_sessions(uow, user.id)
    audit.record(
        uow,
        actor=actor,
        action="identity.user.set_password",
        object_type="identity_user",
        object_id=str(user.id),
        after={"password": "changed", "sessions_ended": ended},
        source_ip=source_ip,
    )
    uow.commit()


def _keep_an_administrator(session: OrmSession, user: User) -> None:
    """Refuse to take away the platform's last active administrator (by roles or by deactivation).

    The active administrators' rows are locked (FOR UPDATE on PostgreSQL), so two administrators
    demoting each other at the same moment cannot both succeed.
    """
    admins = session.scalars(
        select(User.id)
        .where(
            User.is_active.is_(True),
            User.id.in_(select(UserRole.user_id).where(UserRole.role == ADMINISTRATOR)),
        )
        .order_by(User.id)
        .with_for_update()
    ).all()
    if user.id in admins and len(admins) == 1:
        raise Conflict(
            "last_administrator",
            "Không thể bỏ quyền hoặc khoá quản trị viên cuối cùng: "
            "hãy cấp quyền quản trị cho người khác trước.",
            "The last administrator cannot lose the role or be deactivated: make someone else an "
            "administrator first.",
        )


def set_roles(
    uow: UnitOfWork,
    *,
    actor: str,
    user_id: uuid.UUID,
    roles: Iterable[RoleName],
    source_ip: str | None = None,
) -> UserDTO:
    """Replace the roles of a user.

    A role no enabled domain declares is refused, unless the user already holds it: switching a domain
    off must not make the next edit of an account silently drop that domain's role.
    """
    session = uow.session
    user = get_user_row(session, user_id)
    before = roles_of(session, user.id)
    role_list = uow.roles.check(roles, also=before)
    if ADMINISTRATOR in before and ADMINISTRATOR not in role_list:
        _keep_an_administrator(session, user)
    session.execute(delete(UserRole).where(UserRole.user_id == user.id))
    for role in role_list:
        session.add(UserRole(user_id=user.id, role=role))
    session.flush()
    dto = to_dto(session, user)
    audit.record(
        uow,
        actor=actor,
        action="identity.user.set_roles",
        object_type="identity_user",
        object_id=str(user.id),
        before={"roles": list(before)},
        after={"roles": list(dto.roles)},
        source_ip=source_ip,
    )
    uow.emit(events.UserRolesChanged(user_id=user.id, roles=dto.roles))
    uow.commit()
    return dto


def _is_self(actor: str, user: User) -> bool:
    """Tell whether the audit actor string names this user (`user:<id>:<name>`)."""
    return actor.startswith(f"user:{user.id}:")


def deactivate(uow: UnitOfWork, *, actor: str, user_id: uuid.UUID, source_ip: str | None = None) -> UserDTO:
    """Deactivate an account and end its sessions (the row stays, for the audit trail).

    An administrator cannot lock their own account: they would be signed out with nobody told why, and
    locking is a decision about someone else.
    """
    session = uow.session
    user = get_user_row(session, user_id)
    if _is_self(actor, user):
        raise Conflict(
            "cannot_lock_self",
            "Bạn không thể tự khoá tài khoản của mình; hãy nhờ một quản trị viên khác.",
            "You cannot lock your own account; ask another administrator.",
        )
    was_active = user.is_active
    if was_active:
        _keep_an_administrator(session, user)
    user.is_active = False
    ended = revoke_sessions(uow, user.id)
    dto = to_dto(session, user)
    audit.record(
        uow,
        actor=actor,
        action="identity.user.deactivate",
        object_type="identity_user",
        object_id=str(user.id),
        before={"is_active": was_active},
        after={"is_active": False, "sessions_ended": ended},
        source_ip=source_ip,
    )
    uow.emit(events.UserDeactivated(user_id=user.id))
    uow.commit()
    return dto


def reactivate(uow: UnitOfWork, *, actor: str, user_id: uuid.UUID, source_ip: str | None = None) -> UserDTO:
    """Unlock a deactivated account: it may sign in again with its existing password and roles."""
    session = uow.session
    user = get_user_row(session, user_id)
    was_active = user.is_active
    user.is_active = True
    session.flush()
    dto = to_dto(session, user)
    if not was_active:
        audit.record(
            uow,
            actor=actor,
            action="identity.user.reactivate",
            object_type="identity_user",
            object_id=str(user.id),
            before={"is_active": False},
            after={"is_active": True},
            source_ip=source_ip,
        )
    uow.commit()
    return dto


def get_user(uow: UnitOfWork, user_id: uuid.UUID) -> UserDTO | None:
    """Return a user, or None."""
    user = uow.session.get(User, user_id)
    return to_dto(uow.session, user) if user else None


def find_user(uow: UnitOfWork, username: str) -> UserDTO | None:
    """Return the user of a username (case-insensitive), or None."""
    user = uow.session.scalar(select(User).where(User.username_key == username.strip().lower()))
    return to_dto(uow.session, user) if user else None


def count_users(uow: UnitOfWork) -> int:
    """Return how many accounts there are (locked ones included)."""
    return int(uow.session.scalar(select(func.count()).select_from(User)) or 0)


def list_users(
    uow: UnitOfWork, *, role: RoleName | None = None, limit: int = 500, offset: int = 0
) -> list[UserDTO]:
    """List users by username, optionally only those holding a role (stored as is, declared or not)."""
    query = select(User).order_by(User.username_key).limit(limit).offset(offset)
    if role is not None:
        query = query.where(User.id.in_(select(UserRole.user_id).where(UserRole.role == role)))
    return _with_roles(uow, query)


def _with_roles(uow: UnitOfWork, query: Select[User]) -> list[UserDTO]:
    """Return the DTOs of the users a query selects, their roles read in one query, not one per user."""
    users = list(uow.session.scalars(query))
    roles: dict[uuid.UUID, list[RoleName]] = {u.id: [] for u in users}
    if users:
        page = query.with_only_columns(User.id).subquery()
        for user_id, name in uow.session.execute(
            select(UserRole.user_id, UserRole.role)
            .where(UserRole.user_id.in_(select(page.c.id)))
            .order_by(UserRole.role)
        ):
            if user_id in roles:
                roles[user_id].append(name)
    return [to_dto(uow.session, u, tuple(roles[u.id])) for u in users]


def _members(agency_ids: Collection[uuid.UUID], roles: Iterable[RoleName]) -> ColumnElement[bool]:
    return and_(
        User.agency_id.in_(list(agency_ids)),
        User.is_active.is_(True),
        User.id.in_(select(UserRole.user_id).where(UserRole.role.in_(list(roles)))),
    )


def agency_members(uow: UnitOfWork, agency_id: uuid.UUID, roles: Iterable[RoleName]) -> list[uuid.UUID]:
    """Return the active users of an agency holding any of the roles, by username (one query)."""
    query = select(User.id).where(_members([agency_id], roles)).order_by(User.username_key)
    return list(uow.session.scalars(query))


def list_agency_members(
    uow: UnitOfWork, agency_ids: Collection[uuid.UUID], roles: Iterable[RoleName]
) -> list[UserDTO]:
    """List the active users of the agencies holding any of the roles, by username (two queries)."""
    query = select(User).where(_members(agency_ids, roles)).order_by(User.username_key)
    return _with_roles(uow, query)


def get_user_contact(uow: UnitOfWork, user_id: uuid.UUID) -> UserContact | None:
    """Return how to reach a user, or None."""
    user = uow.session.get(User, user_id)
    if user is None:
        return None
    return UserContact(user.id, user.username, user.full_name, user.email, user.phone, user.language)


def _throttle_retry_after(
    session: OrmSession, key: str, ip: str | None, now: datetime, max_failures: int, window: timedelta
) -> int | None:
    """Return seconds to wait when the username or the address is over the failure limit."""
    since = now - window
    last_success = session.scalar(
        select(func.max(LoginAttempt.at)).where(LoginAttempt.username == key, LoginAttempt.success.is_(True))
    )
    user_since = max(since, last_success) if last_success else since
    scopes = [(LoginAttempt.username == key, user_since)]
    if ip:
        scopes.append((LoginAttempt.ip == ip, since))
    waits: list[float] = []
    for condition, start in scopes:
        # The failure that must age out of the window before the count drops below the limit.
        pivot = session.scalar(
            select(LoginAttempt.at)
            .where(condition, LoginAttempt.success.is_(False), LoginAttempt.at > start)
            .order_by(LoginAttempt.at.desc())
            .offset(max_failures - 1)
            .limit(1)
        )
        if pivot is not None:
            waits.append((pivot + window - now).total_seconds())
    if not waits:
        return None
    return max(1, math.ceil(max(waits)))


def authenticate(
    uow: UnitOfWork,
    *,
    username: str,
    password: str,
    ip: str | None,
    max_failures: int,
    window_seconds: int,
) -> UserDTO:
    """Check a username and password; throttle repeated failures by username and by address.

    The attempt is recorded (as a failure) and committed *before* the count and the password check, so
    that parallel attempts see each other: of N simultaneous wrong passwords at most `max_failures` are
    evaluated, whatever the database. A refused attempt takes its record back; a successful one turns
    its record into a success.
    """
    session = uow.session
    now = uow.clock()
    key = username.strip().lower()[:64]
    attempt = LoginAttempt(username=key, ip=ip, at=now, success=False)
    session.add(attempt)
    uow.commit()
    # This attempt is among the failures counted, hence one more than the limit.
    retry_after = _throttle_retry_after(
        session, key, ip, now, max_failures + 1, timedelta(seconds=window_seconds)
    )
    if retry_after is not None:
        session.delete(attempt)
        uow.commit()
        raise TooManyRequests(
            "too_many_attempts",
            f"Bạn đã đăng nhập sai quá nhiều lần. Vui lòng thử lại sau {retry_after} giây.",
            f"Too many failed sign-in attempts. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
    user = session.scalar(select(User).where(User.username_key == key))
    stored = user.password_hash if user is not None and user.is_active else None
    # An unknown user is checked against a dummy hash so the reply takes as long as for a real one.
    ok = passwords.verify_password(stored, password[: passwords.MAX_LENGTH * 4]) and stored is not None
    attempt.success = ok
    if not ok or user is None or stored is None:
        audit.record(
            uow,
            actor="anonymous",
            action="identity.login_failed",
            object_type="identity_user",
            object_id=key,
            source_ip=ip,
        )
        uow.commit()
        raise Unauthenticated(
            "invalid_credentials",
            "Tên đăng nhập hoặc mật khẩu không đúng.",
            "Wrong username or password.",
        )
    if passwords.needs_rehash(stored):
        user.password_hash = passwords.hash_password(password)
    audit.record(
        uow,
        actor=f"user:{user.id}:{user.username}",
        action="identity.login",
        object_type="identity_user",
        object_id=str(user.id),
        source_ip=ip,
    )
    uow.commit()
    return to_dto(session, user)


def revoke_sessions(uow: UnitOfWork, user_id: uuid.UUID) -> int:
    result = uow.session.execute(
        update(SessionRow)
        .where(SessionRow.user_id == user_id, SessionRow.revoked_at.is_(None))
        .values(revoked_at=uow.clock())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _free_username(session: OrmSession, wanted: str) -> str:
    base = re.sub(r"[^A-Za-z0-9._-]", "", wanted)[:50].lstrip("._-") or "user"
    if len(base) < 3:
        base = f"user-{base}"
    candidate = base
    while session.scalar(select(User.id).where(User.username_key == candidate.lower())) is not None:
        candidate = f"{base}-{secrets.randbelow(10**6):06d}"
    return candidate


def link_or_create_oidc_user(
    uow: UnitOfWork,
    *,
    issuer: str,
    subject: str,
    claims: Mapping[str, Any],
    default_role: RoleName,
    source_ip: str | None = None,
) -> UserDTO:
    """Return the user linked to (issuer, subject), creating one with the default role if new."""
    session = uow.session
    link = session.scalar(
        select(ExternalIdentity).where(ExternalIdentity.issuer == issuer, ExternalIdentity.subject == subject)
    )
    if link is not None:
        user = get_user_row(session, link.user_id)
        if not user.is_active:
            raise Unauthenticated("account_disabled", "Tài khoản đã bị khoá.", "This account is disabled.")
        return to_dto(session, user)
    # Accounts are linked by (issuer, subject) only; matching on e-mail would let a provider that
    # does not verify addresses take over a local account.
    (role,) = parse_roles(uow, [default_role])
    preferred = str(claims.get("preferred_username") or "") or f"vneid-{sha256_hex(issuer + subject)[:10]}"
    email = claims.get("email") if claims.get("email_verified") else None
    if email is not None and not EMAIL_RE.fullmatch(str(email)):
        email = None
    user = User(
        username=_free_username(session, preferred),
        username_key="",
        full_name=str(claims.get("name") or "")[:200],
        email=str(email) if email else None,
        language="vi",
        password_hash=None,
        is_active=True,
        created_at=uow.clock(),
    )
    user.username_key = user.username.lower()
    session.add(user)
    session.flush()
    session.add(UserRole(user_id=user.id, role=role))
    session.add(ExternalIdentity(issuer=issuer, subject=subject, user_id=user.id, created_at=uow.clock()))
    session.flush()
    dto = to_dto(session, user)
    audit.record(
        uow,
        actor=SYSTEM_ACTOR,
        action="identity.user.create_from_oidc",
        object_type="identity_user",
        object_id=str(user.id),
        after={**_snapshot(dto), "issuer": issuer, "subject": subject},
        source_ip=source_ip,
    )
    uow.emit(events.UserCreated(user_id=user.id, username=user.username, roles=(role,)))
    uow.commit()
    return dto
