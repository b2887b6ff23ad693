"""Public tracking of a dossier by its code and tracking secret, throttled per address."""

from __future__ import annotations

import math
from datetime import timedelta

from sqlalchemy import delete, func, select

from thanglong.core.errors import TooManyRequests
from thanglong.core.security import Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.procedures.dossiers.services import DossierDTO, can_view, dossier_not_found, to_dto
from thanglong.domains.procedures.dossiers.tracking_secret import LENGTH, same_secret
from thanglong.domains.procedures.models import Dossier, TrackingFailure

DEFAULT_MAX_FAILURES = 20
DEFAULT_WINDOW_SECONDS = 600
# Compared against when no dossier has the code, so a missing code costs what a wrong secret costs.
_NO_DOSSIER_SECRET = "#" * LENGTH
UNKNOWN_ADDRESS = "unknown"


def track(
    uow: UnitOfWork,
    *,
    code: str,
    secret: str | None,
    principal: Principal | None = None,
    ip: str | None = None,
    max_failures: int = DEFAULT_MAX_FAILURES,
    window_seconds: int = DEFAULT_WINDOW_SECONDS,
) -> DossierDTO:
    """Return a received dossier by its code and secret, or raise the same 404 for any mismatch.

    Someone who may see the dossier anyway (its applicant or filing system, its agencies' officers) needs
    no secret. Every miss is recorded and committed before the 404 is raised; an address with
    `max_failures` misses in the last `window_seconds` gets 429 before anything is looked up.
    """
    session = uow.session
    now = uow.clock()
    address = (ip or UNKNOWN_ADDRESS)[:64]
    since = now - timedelta(seconds=window_seconds)
    misses = session.scalars(
        select(TrackingFailure.at)
        .where(TrackingFailure.ip == address, TrackingFailure.at > since)
        .order_by(TrackingFailure.at.desc())
        .limit(max_failures)
    ).all()
    if len(misses) >= max_failures:
        # The oldest miss that counts must leave the window before this address may try again.
        free_at = misses[-1] + timedelta(seconds=window_seconds)
        retry_after = max(1, math.ceil((free_at - now).total_seconds()))
        raise TooManyRequests(
            "tracking_throttled",
            f"Tra cứu sai quá nhiều lần. Vui lòng thử lại sau {retry_after} giây.",
            f"Too many failed lookups. Try again in {retry_after} seconds.",
            retry_after=retry_after,
        )
    wanted = code.strip().upper()[:64]
    row = session.scalar(select(Dossier).where(Dossier.code == wanted)) if wanted else None
    matches = same_secret(secret, row.tracking_secret if row is not None else _NO_DOSSIER_SECRET)
    if row is not None and (matches or (principal is not None and can_view(principal, row))):
        return to_dto(session, row)
    session.add(TrackingFailure(ip=address, at=now))
    # This address's misses that left the window are no use any more; the purge job takes the rest.
    session.execute(delete(TrackingFailure).where(TrackingFailure.ip == address, TrackingFailure.at <= since))
    uow.commit()
    raise dossier_not_found(wanted or code[:64])


def purge_failures(uow: UnitOfWork, *, older_than_seconds: int = DEFAULT_WINDOW_SECONDS) -> int:
    """Delete the recorded misses older than the throttling window (commits); return how many."""
    cutoff = uow.clock() - timedelta(seconds=older_than_seconds)
    count = uow.session.scalar(
        select(func.count()).select_from(TrackingFailure).where(TrackingFailure.at <= cutoff)
    )
    uow.session.execute(delete(TrackingFailure).where(TrackingFailure.at <= cutoff))
    uow.commit()
    return int(count or 0)
