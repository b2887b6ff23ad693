"""What other domains may use of notify: queue templated messages, read inboxes, plug channels.

`send(uow, ...)` joins the caller's unit of work and does not commit: the message is queued
together with the caller's change, or not at all. `send_now(uow, ...)` is the standalone use case
that commits. Delivery happens in the background (tasks.deliver_pending) after the commit.
"""

from __future__ import annotations

from thanglong.domains.notify.channels import (
    ChannelAdapter,
    ChannelRegistry,
    DeliveryError,
    DeliveryResult,
    OutgoingMessage,
    normalize_email,
    normalize_vn_phone,
    plug,
)
from thanglong.domains.notify.dto import InboxItemDTO, MessageDTO, StatusCount, TemplateDTO
from thanglong.domains.notify.events import MessageDead, MessageDelivered, MessageFailed, MessageQueued
from thanglong.domains.notify.models import Channel, MessageStatus
from thanglong.domains.notify.rendering import BILINGUAL
from thanglong.domains.notify.services import (
    get_message,
    install_default_templates,
    list_inbox,
    send,
    send_now,
)

__all__ = [
    "BILINGUAL",
    "Channel",
    "ChannelAdapter",
    "ChannelRegistry",
    "DeliveryError",
    "DeliveryResult",
    "InboxItemDTO",
    "MessageDTO",
    "MessageDead",
    "MessageDelivered",
    "MessageFailed",
    "MessageQueued",
    "MessageStatus",
    "OutgoingMessage",
    "StatusCount",
    "TemplateDTO",
    "get_message",
    "install_default_templates",
    "list_inbox",
    "normalize_email",
    "normalize_vn_phone",
    "plug",
    "send",
    "send_now",
]
