"""Helpers of the delivery tests: terminals in communes, released announcements, a recording publisher."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from thanglong.core.platform import Platform
from thanglong.domains.terminals.delivery.broker import Outgoing
from thanglong.domains.terminals.events import AnnouncementReleased
from thanglong.domains.terminals.fleet.models import Household, Terminal

HOAN_KIEM = "00070"
BA_DINH = "00004"
# A third commune that no test announcement targets.
THIRD = "00008"
# Any valid mosquitto_passwd-style hash: the tests never log terminals in with it.
PASSWORD_HASH = "$7$101$c2FsdA==$aGFzaA=="


class Recorder:
    """A publisher that keeps what it was asked to send (MQTT 5 or not, as told)."""

    def __init__(self, *, mqtt5: bool = True, fail: bool = False) -> None:
        self.mqtt5 = mqtt5
        self.fail = fail
        self.sent: list[Outgoing] = []

    def send(self, messages: list[Outgoing]) -> None:
        """Record the messages, or fail as a broker that is away would."""
        if self.fail:
            from thanglong.core.mqtt import PublishFailed  # noqa: PLC0415

            raise PublishFailed("broker away")
        self.sent.extend(messages)


def add_terminals(platform: Platform, commune: str, n: int, *, prefix: str | None = None) -> list[str]:
    """Put n terminals in service in a commune (rows written directly, no password hashing)."""
    serials = []
    tag = prefix or f"T{commune}"
    with platform.uow() as uow:
        for i in range(n):
            household = Household(
                id=uuid.uuid4(),
                code=f"HN-{tag}-{i:05d}-{uuid.uuid4().hex[:4]}".upper(),
                head_name="Nguyễn Văn A",
                address="1 phố Tràng Tiền",
                commune_code=commune,
                created_at=uow.clock(),
            )
            serial = f"{tag}-{i:05d}-{uuid.uuid4().hex[:6]}".upper()
            uow.session.add(household)
            uow.session.add(
                Terminal(
                    id=uuid.uuid4(),
                    serial=serial,
                    household_id=household.id,
                    commune_code=commune,
                    status="active",
                    password_hash=PASSWORD_HASH,
                    provisioned_at=uow.clock(),
                    provisioned_by="test",
                )
            )
            serials.append(serial)
        uow.commit()
    return serials


def cap_xml(identifier: str, msg_type: str = "Alert", references: str = "") -> str:
    """Return a small CAP message (what delivery carries; authoring validates the real ones)."""
    refs = f"<references>{references}</references>" if references else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
        f"<identifier>{identifier}</identifier><sender>ubnd@hanoi.gov.vn</sender>"
        "<sent>2026-12-04T10:00:00+07:00</sent><status>Actual</status>"
        f"<msgType>{msg_type}</msgType><scope>Public</scope>{refs}</alert>"
    )


def released(
    now: datetime,
    communes: tuple[str, ...] = (HOAN_KIEM, BA_DINH),
    *,
    identifier: str | None = None,
    announcement_id: uuid.UUID | None = None,
    msg_type: str = "Alert",
    references: str = "",
    hours: float = 6,
) -> AnnouncementReleased:
    """Return an AnnouncementReleased as authoring would emit it."""
    ident = identifier or f"hn-{uuid.uuid4().hex[:12]}"
    return AnnouncementReleased(
        announcement_id=announcement_id or uuid.uuid4(),
        identifier=ident,
        msg_type=msg_type,
        level="emergency",
        communes=communes,
        expires_at=now + timedelta(hours=hours),
        cap_xml=cap_xml(ident, msg_type, references),
    )


KEY = Ed25519PrivateKey.generate()
