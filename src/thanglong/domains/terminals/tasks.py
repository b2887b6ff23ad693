"""Background jobs of the terminals domain: the fleet monitor, rollout waves, command publishing."""

from __future__ import annotations

import logging
import threading
import uuid
from typing import TYPE_CHECKING

from thanglong.core import mqtt
from thanglong.domains.terminals.fleet import commands, monitor, rollouts

if TYPE_CHECKING:
    from thanglong.core.jobs import JobContext
    from thanglong.core.platform import Platform

logger = logging.getLogger(__name__)
ROLLOUT_ACTOR = "system:terminals.rollouts"
# One connection per worker process for commands, opened at the first command (never at import).
_publishers: dict[str, mqtt.MqttPublisher] = {}
_lock = threading.Lock()


def _publisher(url: str) -> mqtt.MqttPublisher:
    with _lock:
        if url not in _publishers:
            _publishers[url] = mqtt.MqttPublisher(url)
        return _publishers[url]


def monitor_fleet(platform: Platform) -> None:
    """Mark silent terminals offline, record the communes' online figures, raise or clear alarms."""
    with platform.uow() as uow:
        monitor.run(uow)


def publish_command(ctx: JobContext) -> None:
    """Publish one queued command's signed envelope to its terminal (retried with backoff on failure)."""
    publisher = _publisher(mqtt.client_url(ctx.platform.settings))
    with _lock:
        commands.publish_queued(ctx.uow, uuid.UUID(str(ctx.job.payload["command_id"])), publisher.publish)


def step_rollouts(platform: Platform) -> None:
    """Step every running rollout: start its first wave, judge the current one, halt or advance."""
    with platform.uow() as uow:
        running = rollouts.running_ids(uow)
    if not running:
        return
    try:
        signer = commands.platform_signer(platform.settings)
    except commands.NoSigningKey as exc:
        logger.warning("rollouts not stepped: %s", exc.message_en)
        return
    for rollout_id in running:
        with platform.uow() as uow:
            rollouts.step(uow, rollout_id, signer=signer, actor=ROLLOUT_ACTOR)
