"""Who signs a result: the person who approved it, with their own key (read from the control slip)."""

from __future__ import annotations

import uuid

from thanglong.core.security import SYSTEM_ACTOR, Principal
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.procedures.documents.signing import PdfSigner
from thanglong.domains.procedures.documents.signing_key import (
    Approver,
    approver_signer,
    check_approver_signs,
)

SYSTEM = Principal(kind="system", name=SYSTEM_ACTOR)


def author(actor: str) -> Principal:
    """Return who took an action from the actor string of its control-slip line."""
    kind, _, rest = actor.partition(":")
    ident, _, name = rest.partition(":")
    if kind not in ("user", "api_key"):
        return SYSTEM
    try:
        return Principal(kind=kind, id=uuid.UUID(ident), name=name)
    except ValueError:
        return SYSTEM


def approver_of(uow: UnitOfWork, principal: Principal, agency_id: uuid.UUID) -> Approver | None:
    """Return the approving person (full name, agency), or None when the action was not a person's."""
    if principal.kind != "user" or principal.id is None:
        return None
    user = identity.get_user(uow, principal.id)
    if user is None:
        return None
    agency = identity.get_agency(uow, agency_id)
    return Approver(user.id, user.full_name or user.username, agency.name if agency else "")


def result_signer(uow: UnitOfWork, approver: Approver) -> PdfSigner:
    """Return the approver's signer under the platform's settings (see signing_key.approver_signer)."""
    settings = uow.settings
    if settings is None:
        raise RuntimeError("signing needs the platform's settings: open the unit with platform.uow()")
    return approver_signer(settings.data_dir, approver, production=settings.env == "production")


def check_result_signer(uow: UnitOfWork, approver: Approver) -> None:
    """Refuse, in the approval's transaction, an approver whose key is not the one installed."""
    settings = uow.settings
    if settings is not None:
        check_approver_signs(settings.data_dir, approver, production=settings.env == "production")
