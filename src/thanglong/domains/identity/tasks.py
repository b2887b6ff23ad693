"""Background jobs of the identity domain."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_

from thanglong.core import audit
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.identity.models import LoginAttempt, Session

# Sign-in attempts are kept a day beyond the throttling window, for investigations.
ATTEMPT_RETENTION = timedelta(days=1)


def purge_expired(platform: Platform) -> dict[str, int]:
    """Delete ended or expired sessions and old sign-in attempts; return the counts."""
    with platform.uow() as uow:
        now = uow.clock()
        sessions = uow.session.execute(
            delete(Session).where(or_(Session.expires_at <= now, Session.revoked_at.is_not(None)))
        )
        window = timedelta(seconds=platform.settings.login_window_seconds)
        attempts = uow.session.execute(
            delete(LoginAttempt).where(LoginAttempt.at < now - window - ATTEMPT_RETENTION)
        )
        counts = {
            "sessions": int(getattr(sessions, "rowcount", 0) or 0),
            "login_attempts": int(getattr(attempts, "rowcount", 0) or 0),
        }
        if any(counts.values()):
            audit.record(
                uow,
                actor=SYSTEM_ACTOR,
                action="identity.purge",
                object_type="identity_session",
                object_id="*",
                after=counts,
            )
        uow.commit()
    return counts
