"""After-commit reactions to alarms: the operators hear of a raised or escalated alarm through notify.

Run as durable jobs (the manifest's event handlers). Each message carries an idempotency key naming the
alarm, the change and the recipient, so a job that runs twice queues each message once.
"""

from __future__ import annotations

import logging
import uuid

from thanglong.core.clock import to_hanoi
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.uow import UnitOfWork
from thanglong.domains.identity import api as identity
from thanglong.domains.notify import api as notify
from thanglong.domains.operations.alarms.rules import SEVERITY_LABELS
from thanglong.domains.operations.events import AlarmEscalated, AlarmRaised
from thanglong.domains.operations.models import Alarm

logger = logging.getLogger(__name__)

TEMPLATE = "operations.alarm"
NOTICE_ACTOR = "system:operations.alarms"
CONSOLE = "/operations/alarms"


def _tell_operators(uow: UnitOfWork, alarm_id: str, what_vi: str, what_en: str, key: str) -> int:
    """Queue the alarm's notice to every active operator (in the app, and by e-mail when they have one)."""
    row = uow.session.get(Alarm, uuid.UUID(alarm_id))
    if row is None:
        return 0
    label_vi, label_en = SEVERITY_LABELS.get(row.severity, (row.severity, row.severity))
    base = uow.settings.public_base_url.rstrip("/") if uow.settings is not None else ""
    context = {
        "what_vi": what_vi,
        "what_en": what_en,
        "rule": row.rule_name,
        "title": row.title or row.rule_name,
        "title_en": row.title_en or row.title or row.rule_name,
        "severity_vi": label_vi,
        "severity_en": label_en,
        "series": row.series,
        "value": "—" if row.last_value is None else f"{row.last_value:g}",
        "raised_at": to_hanoi(row.raised_at).strftime("%H:%M %d/%m/%Y"),
        "console_url": f"{base}{CONSOLE}",
    }
    told = 0
    for user_id in identity.user_ids_with_role(uow, identity.OPERATOR):
        try:
            notify.send(
                uow,
                actor=NOTICE_ACTOR,
                template_key=TEMPLATE,
                context=context,
                to_user=user_id,
                idempotency_key=f"{key}:{user_id}",
                link=CONSOLE,
            )
        except (InvalidInput, NotFound) as exc:
            # An operator without any channel is logged, not retried: the console still shows the alarm.
            logger.info("alarm notice to %s not sent: %s", user_id, exc.code)
            continue
        told += 1
    return told


def notify_raised(uow: UnitOfWork, event: AlarmRaised) -> None:
    """Tell the operators that an alarm was raised (after commit)."""
    _tell_operators(
        uow, event.alarm_id, "Có cảnh báo mới", "New alarm", f"operations.alarm:{event.alarm_id}:raised"
    )


def notify_escalated(uow: UnitOfWork, event: AlarmEscalated) -> None:
    """Tell the operators that an alarm rose to a higher severity (after commit)."""
    _tell_operators(
        uow,
        event.alarm_id,
        "Cảnh báo đã nâng mức",
        "Alarm escalated",
        f"operations.alarm:{event.alarm_id}:escalated:{event.severity}",
    )
