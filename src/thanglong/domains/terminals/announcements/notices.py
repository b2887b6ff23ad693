"""Who hears of an announcement's steps: the approvers of a submitted draft, the drafter of a decision.

Messages are queued through notify in the caller's transaction (notify.send does not commit), each with
an idempotency key naming the announcement, the step and the recipient. A recipient without any channel
is logged and skipped: the list page still shows the draft.
"""

from __future__ import annotations

import logging
import uuid

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.notify import api as notify
from thanglong.domains.terminals.announcements.levels import LEVEL_LABELS
from thanglong.domains.terminals.announcements.models import Announcement

logger = logging.getLogger(__name__)

NOTICE_ACTOR = f"{SYSTEM_ACTOR}:terminals.announcements"
SUBMITTED_TEMPLATE = "terminals.announcement_submitted"
DECIDED_TEMPLATE = "terminals.announcement_decided"


def page(row: Announcement) -> str:
    """Return the officers' page of an announcement (a path in the app)."""
    return f"/terminals/announcements/{row.id}"


def _context(uow: UnitOfWork, row: Announcement) -> dict[str, str]:
    base = uow.settings.public_base_url.rstrip("/") if uow.settings is not None else ""
    level_vi, level_en = LEVEL_LABELS.get(row.level, (row.level, row.level))
    return {
        "identifier": row.identifier,
        "msg_type": row.msg_type,
        "headline": row.headline,
        "level_vi": level_vi,
        "level_en": level_en,
        "expires": f"{to_hanoi(row.expires_at):%H:%M %d/%m/%Y}",
        "reason": row.reason,
        "url": f"{base}{page(row)}",
    }


def _send(
    uow: UnitOfWork, template: str, user_id: uuid.UUID, context: dict[str, str], key: str, row: Announcement
) -> bool:
    try:
        notify.send(
            uow,
            actor=NOTICE_ACTOR,
            template_key=template,
            context=context,
            to_user=user_id,
            idempotency_key=f"{key}:{user_id}",
            link=page(row),
        )
    except (InvalidInput, NotFound) as exc:
        logger.info("announcement notice to %s not sent: %s", user_id, exc.code)
        return False
    return True


def tell_approvers(uow: UnitOfWork, row: Announcement) -> int:
    """Tell every agency head but the drafter that an announcement awaits approval; return how many."""
    context = _context(uow, row)
    told = 0
    for user_id in identity.user_ids_with_role(uow, identity.AGENCY_HEAD):
        if user_id == row.drafter_id:
            continue
        told += _send(
            uow, SUBMITTED_TEMPLATE, user_id, context, f"terminals.announcement:{row.id}:submitted", row
        )
    return told


def tell_drafter(uow: UnitOfWork, row: Announcement, *, approved: bool) -> bool:
    """Tell the drafter that their announcement was approved or rejected (with the reason)."""
    if row.drafter_id is None:
        return False
    context = _context(uow, row) | {
        "decision_vi": "đã được duyệt và phát đi" if approved else "bị từ chối",
        "decision_en": "was approved and released" if approved else "was rejected",
    }
    step = "approved" if approved else "rejected"
    return _send(
        uow, DECIDED_TEMPLATE, row.drafter_id, context, f"terminals.announcement:{row.id}:{step}", row
    )
