"""The relay: publish committed external events to the broker, as jobs of kind core.relay."""

from __future__ import annotations

from thanglong.core.jobs import JobContext, JobHandler, PermanentJobError
from thanglong.core.mqtt import MqttPublisher
from thanglong.core.uow import envelope_bytes


def publish_with(publisher: MqttPublisher | None) -> JobHandler:
    """Return the relay handler publishing through `publisher` (None: the platform's connection)."""

    def publish(ctx: JobContext) -> None:
        payload = ctx.job.payload
        topic = payload.get("topic")
        envelope = payload.get("envelope")
        if not isinstance(topic, str) or not isinstance(envelope, dict):
            raise PermanentJobError("relay job without a topic and an envelope")
        (publisher or ctx.platform.publisher()).publish(topic, envelope_bytes(envelope))

    return publish


def publish_event(ctx: JobContext) -> None:
    """Publish one event's envelope with QoS 1; return only after the broker acknowledged it."""
    publish_with(None)(ctx)
