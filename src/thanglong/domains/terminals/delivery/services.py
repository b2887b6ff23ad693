"""Publishing released announcements: one retained active list per topic, carrying the new envelope."""

from __future__ import annotations

import logging
from datetime import datetime

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select, update

from thanglong.core import audit
from thanglong.core.config import Settings
from thanglong.core.mqtt import client_url, speaks_mqtt5
from thanglong.core.uow import UnitOfWork
from thanglong.domains.terminals.delivery import active, plan
from thanglong.domains.terminals.delivery.broker import BrokerPublisher, Outgoing, Publisher
from thanglong.domains.terminals.delivery.events import AnnouncementPublished
from thanglong.domains.terminals.delivery.models import Publication, Release
from thanglong.domains.terminals.events import AnnouncementReleased
from thanglong.domains.terminals.wire import envelope, keys
from thanglong.domains.terminals.wire import services as wire_services

logger = logging.getLogger(__name__)

ACTOR = "system:terminals.delivery"
PUBLISHED = "published"
EXPIRED = "expired"


def signing_key(settings: Settings) -> Ed25519PrivateKey:
    """Return the platform's signing key, from THANGLONG_TERMINALS_SIGNING_KEY_PATH or the data directory."""
    return wire_services.platform_private_key(settings)


def broker_publisher(settings: Settings) -> BrokerPublisher:
    """Return a publisher to the platform's broker, MQTT 5 when it speaks it."""
    return BrokerPublisher(client_url(settings), mqtt5=speaks_mqtt5(settings))


def on_announcement_released(uow: UnitOfWork, event: AnnouncementReleased) -> None:
    """Publish a released announcement after its commit (durable job: retried until the broker has it)."""
    if uow.settings is None:
        raise RuntimeError("delivery needs the platform's settings (data directory, broker)")
    publisher = broker_publisher(uow.settings)
    try:
        publish_release(uow, event, publisher=publisher, key=signing_key(uow.settings))
    finally:
        publisher.close()


def _active_messages(
    uow: UnitOfWork, key: Ed25519PrivateKey, topic_names: set[str], now: datetime, mqtt5: bool
) -> list[Outgoing]:
    """Return the retained message of each topic: its active list, or an empty payload to clear it."""
    rows = uow.session.execute(
        select(Publication.topic, Publication.envelope, Publication.expires_at)
        .join(Release, Release.id == Publication.release_id)
        .where(
            Publication.topic.in_(sorted(topic_names)),
            Publication.expires_at > now,
            Release.replaced_by.is_(None),
        )
        .order_by(Publication.published_at, Publication.identifier)
    ).all()
    by_topic: dict[str, list[tuple[bytes, datetime]]] = {name: [] for name in topic_names}
    for topic, data, expires_at in rows:
        by_topic[topic].append((data.encode("utf-8"), expires_at))
    out = []
    for topic in sorted(by_topic):
        sealed = active.seal_active(key, topic=topic, issued=now, envelopes=by_topic[topic])
        if sealed is None:
            # An empty retained payload deletes the topic's retained message (MQTT 3.1.1 and 5 alike).
            out.append(Outgoing(topic, b"", retain=True))
            continue
        sealed_bytes, expires = sealed
        expiry = plan.expiry_seconds(expires, now) if mqtt5 else None
        out.append(Outgoing(topic, sealed_bytes, retain=True, expiry_seconds=expiry))
    return out


def publish_release(
    uow: UnitOfWork, event: AnnouncementReleased, *, publisher: Publisher, key: Ed25519PrivateKey
) -> Release:
    """Publish a release as one retained active list per touched topic: the list carries the new envelope.

    One message per topic, not the announcement and then the topic's list: connected terminals get the
    new envelope inside the list (the others listed are replays to them), late ones get the same list as
    the retained message; a city-wide release is one fan-out, not two (docs/terminals-delivery.md).
    Nothing is published once the announcement has expired (the release is kept as "expired"). An
    Update or Cancel takes the announcements it references out of the active lists. A job run again
    after its commit failed publishes the same lists again, whose envelopes terminals drop as replays.
    """
    now = uow.clock()
    session = uow.session
    existing = session.scalar(select(Release).where(Release.identifier == event.identifier))
    if existing is not None:
        logger.info("release %s already handled", event.identifier)
        return existing
    release = Release(
        announcement_id=event.announcement_id,
        identifier=event.identifier,
        msg_type=event.msg_type,
        level=event.level,
        communes=" ".join(sorted(set(event.communes))),
        expires_at=event.expires_at,
        released_at=now,
        status=PUBLISHED,
    )
    session.add(release)
    expiry = plan.expiry_seconds(event.expires_at, now)
    if expiry is None:
        release.status = EXPIRED
        session.flush()
        audit.record(
            uow,
            actor=ACTOR,
            action="terminals.announcement.expired_before_publication",
            object_type="terminals.release",
            object_id=event.identifier,
            after={"expires_at": event.expires_at.isoformat()},
        )
        return release
    touched: set[str] = set()
    replaced: list[str] = []
    if event.msg_type in (plan.UPDATE, plan.CANCEL):
        replaced = plan.referenced_identifiers(event.cap_xml)
        if replaced:
            touched.update(
                session.scalars(
                    select(Publication.topic)
                    .join(Release, Release.id == Publication.release_id)
                    .where(Release.identifier.in_(replaced))
                )
            )
            session.execute(
                update(Release)
                .where(Release.identifier.in_(replaced), Release.replaced_by.is_(None))
                .values(replaced_by=event.identifier)
                .execution_options(synchronize_session=False)
            )
    session.flush()
    targets: list[str] = []
    sent_expiry = expiry if publisher.mqtt5 else None
    payload = event.cap_xml.encode("utf-8")
    for topic in plan.target_topics(event.communes):
        data = envelope.seal(
            key,
            message_id=event.identifier,
            kind=active.CAP,
            topic=topic,
            issued=now,
            expires=event.expires_at,
            payload=payload,
        )
        session.add(
            Publication(
                release_id=release.id,
                identifier=event.identifier,
                topic=topic,
                message_id=event.identifier,
                envelope=data.decode("utf-8"),
                expires_at=event.expires_at,
                published_at=now,
                expiry_seconds=sent_expiry,
            )
        )
        targets.append(topic)
        touched.add(topic)
    session.flush()
    publisher.send(_active_messages(uow, key, touched, now, publisher.mqtt5))
    audit.record(
        uow,
        actor=ACTOR,
        action="terminals.announcement.published",
        object_type="terminals.release",
        object_id=event.identifier,
        after={
            "announcement_id": str(event.announcement_id),
            "msg_type": event.msg_type,
            "topics": targets,
            "retained_topics": sorted(touched),
            "replaced": replaced,
            "key_id": keys.public_key_id(key),
            "mqtt5": publisher.mqtt5,
        },
    )
    uow.emit(AnnouncementPublished(event.announcement_id, event.identifier, len(targets)))
    return release


def refresh_retained(uow: UnitOfWork, *, publisher: Publisher, key: Ed25519PrivateKey) -> int:
    """Republish the retained active list of every topic that has had a publication; return how many.

    After a key rotation (lists signed by the new key) or on an MQTT 3.1.1 broker, which never expires
    a retained message by itself.
    """
    now = uow.clock()
    topic_names = set(uow.session.scalars(select(Publication.topic).distinct()))
    if not topic_names:
        return 0
    publisher.send(_active_messages(uow, key, topic_names, now, publisher.mqtt5))
    return len(topic_names)
