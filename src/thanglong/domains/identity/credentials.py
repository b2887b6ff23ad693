"""Use cases for credentials: server-side sessions and API keys (only hashes are stored)."""

from __future__ import annotations

import hmac
import re
import secrets
import string
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session as OrmSession

from thanglong.core import audit
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import Permission, Principal, RoleName, permissions_for
from thanglong.core.ttlcache import TtlCache
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import events
from thanglong.domains.identity.models import ApiKey, User
from thanglong.domains.identity.models import Session as SessionRow
from thanglong.domains.identity.services import get_user_row, parse_roles, roles_of, sha256_hex

API_KEY_RE = re.compile(r"^tl_([a-z0-9]{8})_([A-Za-z0-9_-]{20,100})$")
PREFIX_ALPHABET = string.ascii_lowercase + string.digits
# Session and key bookkeeping is written at most once a minute, not on every request.
TOUCH_INTERVAL = timedelta(seconds=60)
# A sliding session never outlives this many times the idle limit, however active it is.
ABSOLUTE_SESSION_FACTOR = 3
# A key that resolved is trusted by the process that resolved it for this long without reading the
# database again: a revocation made in another process takes effect within this bound, one made in this
# process at once (docs/identity.md). Keyed by the key's SHA-256, as stored; never the key itself.
API_KEY_CACHE_SECONDS = 5.0
API_KEYS: TtlCache[str, Principal] = TtlCache(API_KEY_CACHE_SECONDS, size=4096)


@dataclass(frozen=True)
class ApiKeyDTO:
    """An API key without its secret."""

    id: uuid.UUID
    name: str
    prefix: str
    role: RoleName
    created_by: str
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class NewSession:
    """A session just opened: the raw token is handed out once, only its hash is kept."""

    id: uuid.UUID
    token: str
    expires_at: datetime


def create_session(
    uow: UnitOfWork,
    *,
    user_id: uuid.UUID,
    max_age_seconds: int,
    ip: str | None = None,
    user_agent: str | None = None,
    method: str = "password",
) -> NewSession:
    """Open a server-side session; the raw token is returned once and never stored."""
    user = get_user_row(uow.session, user_id)
    now = uow.clock()
    token = secrets.token_urlsafe(32)
    row = SessionRow(
        token_hash=sha256_hex(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + timedelta(seconds=max_age_seconds),
        last_seen_at=now,
        ip=ip,
        user_agent=(user_agent or "")[:300] or None,
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=f"user:{user.id}:{user.username}",
        action="identity.session.create",
        object_type="identity_session",
        object_id=str(row.id),
        after={"method": method, "expires_at": row.expires_at.isoformat()},
        source_ip=ip,
    )
    uow.emit(events.UserSignedIn(user_id=user.id, method=method))
    uow.commit()
    return NewSession(id=row.id, token=token, expires_at=row.expires_at)


def principal_for_user(session: OrmSession, user: User, catalogue: Mapping[str, Permission]) -> Principal:
    """Build the principal of a user from its roles."""
    roles = frozenset(roles_of(session, user.id))
    return Principal(
        kind="user",
        id=user.id,
        name=user.username,
        roles=roles,
        agency_id=user.agency_id,
        permissions=permissions_for(roles, catalogue),
    )


def resolve_session(
    uow: UnitOfWork, token: str, *, max_age_seconds: int, catalogue: Mapping[str, Permission]
) -> Principal | None:
    """Return the principal of a live session token and slide its expiry, or None."""
    session = uow.session
    now = uow.clock()
    row = session.scalar(select(SessionRow).where(SessionRow.token_hash == sha256_hex(token)))
    if row is None or row.revoked_at is not None:
        return None
    cap = row.created_at + timedelta(seconds=max_age_seconds * ABSOLUTE_SESSION_FACTOR)
    if now >= min(row.expires_at, cap):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if now - row.last_seen_at >= TOUCH_INTERVAL:
        # Bookkeeping on the read path: not audited, or every page view would fill the audit log.
        row.last_seen_at = now
        row.expires_at = min(now + timedelta(seconds=max_age_seconds), cap)
        uow.commit()
    return principal_for_user(session, user, catalogue)


def end_session(uow: UnitOfWork, *, token: str, source_ip: str | None = None) -> bool:
    """Revoke the session of a token; tell whether one was open."""
    session = uow.session
    row = session.scalar(select(SessionRow).where(SessionRow.token_hash == sha256_hex(token)))
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = uow.clock()
    user = session.get(User, row.user_id)
    audit.record(
        uow,
        actor=f"user:{row.user_id}:{user.username if user else ''}",
        action="identity.session.end",
        object_type="identity_session",
        object_id=str(row.id),
        source_ip=source_ip,
    )
    uow.commit()
    return True


def _key_dto(row: ApiKey) -> ApiKeyDTO:
    return ApiKeyDTO(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        role=row.role,
        created_by=row.created_by,
        created_at=row.created_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def create_api_key(
    uow: UnitOfWork, *, actor: str, name: str, role: RoleName, source_ip: str | None = None
) -> tuple[ApiKeyDTO, str]:
    """Issue an API key `tl_<prefix>_<secret>`; the key is returned once, only its hash is kept."""
    (the_role,) = parse_roles(uow, [role])
    name = name.strip()
    if not 1 <= len(name) <= 100:
        raise InvalidInput(
            "invalid_name", "Tên khoá API phải có 1–100 ký tự.", "A key name has 1-100 characters."
        )
    session = uow.session
    while True:
        prefix = "".join(secrets.choice(PREFIX_ALPHABET) for _ in range(8))
        if session.scalar(select(ApiKey.id).where(ApiKey.prefix == prefix)) is None:
            break
    key = f"tl_{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiKey(
        name=name,
        prefix=prefix,
        key_hash=sha256_hex(key),
        role=the_role,
        created_by=actor,
        created_at=uow.clock(),
    )
    session.add(row)
    session.flush()
    audit.record(
        uow,
        actor=actor,
        action="identity.api_key.create",
        object_type="identity_api_key",
        object_id=str(row.id),
        after={"name": name, "prefix": prefix, "role": the_role},
        source_ip=source_ip,
    )
    uow.emit(events.ApiKeyCreated(key_id=row.id, prefix=prefix, role=the_role))
    uow.commit()
    return _key_dto(row), key


def cached_api_key(key: str) -> Principal | None:
    """Return the principal of a key this process resolved less than API_KEY_CACHE_SECONDS ago, else None."""
    if API_KEY_RE.fullmatch(key) is None:
        return None
    return API_KEYS.get(sha256_hex(key))


def resolve_api_key(uow: UnitOfWork, key: str, *, catalogue: Mapping[str, Permission]) -> Principal | None:
    """Return the principal of a valid, unrevoked API key, or None (read from the database, then cached)."""
    match = API_KEY_RE.fullmatch(key)
    if match is None:
        return None
    row = uow.session.scalar(select(ApiKey).where(ApiKey.prefix == match.group(1)))
    if row is None or row.revoked_at is not None:
        return None
    digest = sha256_hex(key)
    if not hmac.compare_digest(row.key_hash, digest):
        return None
    now = uow.clock()
    if row.last_used_at is None or now - row.last_used_at >= TOUCH_INTERVAL:
        # Bookkeeping on the read path, not audited (see resolve_session).
        row.last_used_at = now
        uow.commit()
    roles = frozenset({row.role})
    principal = Principal(
        kind="api_key",
        id=row.id,
        name=row.name,
        roles=roles,
        permissions=permissions_for(roles, catalogue),
    )
    API_KEYS.put(digest, principal)
    return principal


def revoke_api_key(uow: UnitOfWork, *, actor: str, prefix: str, source_ip: str | None = None) -> ApiKeyDTO:
    """Revoke an API key by its prefix (revoking twice changes nothing)."""
    row = uow.session.scalar(select(ApiKey).where(ApiKey.prefix == prefix.strip().lower()))
    if row is None:
        raise NotFound("api_key_not_found", "Không tìm thấy khoá API.", "API key not found.", prefix=prefix)
    if row.revoked_at is None:
        row.revoked_at = uow.clock()
        audit.record(
            uow,
            actor=actor,
            action="identity.api_key.revoke",
            object_type="identity_api_key",
            object_id=str(row.id),
            after={"prefix": row.prefix},
            source_ip=source_ip,
        )
        uow.emit(events.ApiKeyRevoked(key_id=row.id, prefix=row.prefix))
        uow.commit()
        # This process stops trusting the key at once; the others within API_KEY_CACHE_SECONDS.
        API_KEYS.discard(row.key_hash)
    return _key_dto(row)


def list_api_keys(uow: UnitOfWork) -> list[ApiKeyDTO]:
    """List API keys, newest first."""
    rows = uow.session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc()))
    return [_key_dto(r) for r in rows]
