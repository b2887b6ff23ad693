"""Shared helpers of the fleet tests: a controlled clock, households and terminals, status deliveries."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from thanglong.core.consumer_store import handle_batch
from thanglong.core.consumers import BoundConsumer, Delivery, bind
from thanglong.core.platform import Platform
from thanglong.domains.terminals.fleet import services
from thanglong.domains.terminals.manifest import MANIFEST
from thanglong.domains.terminals.wire import topics

T0 = datetime(2026, 12, 3, 1, 0, tzinfo=UTC)
HOAN_KIEM = "00070"
BA_DINH = "00004"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime = T0) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def at(self, minutes: float) -> datetime:
        """Set the time to T0 plus minutes."""
        self.now = T0 + timedelta(minutes=minutes)
        return self.now


def fleet(platform: Platform, commune: str, count: int, *, prefix: str = "TL") -> list[str]:
    """Register `count` households in a commune, each with a terminal; return the serials."""
    serials = []
    with platform.uow() as uow:
        for i in range(count):
            code = f"HN-{commune}-{i:04d}"
            services.register_household(
                uow, actor="op", code=code, head_name=f"Hộ {i}", address=f"{i} phố", commune_code=commune
            )
    with platform.uow() as uow:
        for i in range(count):
            serial = f"{prefix}-{commune}-{i:04d}"
            services.provision_terminal(
                uow,
                actor="op",
                serial=serial,
                household_code=f"HN-{commune}-{i:04d}",
                password="pw-" + serial,
            )
            serials.append(serial)
    return serials


def beat(
    serial: str, *, online: bool = True, health: str = "ok", firmware: str = "1.0.0", volume: int = 60
) -> Delivery:
    """Return a status delivery as the network thread hands it over."""
    body: dict[str, object] = {"online": False}
    if online:
        body = {
            "online": True,
            "at": "2026-12-03T08:00:00+07:00",
            "firmware": firmware,
            "volume": volume,
            "uptime_s": 3600,
            "health": health,
            "playing": None,
        }
    return Delivery(
        topic=topics.status(serial),
        payload=json.dumps(body).encode(),
        qos=1,
        mid=1,
        dup=False,
        retain=False,
        user_properties=(),
        received_at=datetime.now(UTC),
    )


def consumer() -> BoundConsumer:
    """Return the status consumer as the kernel binds it."""
    (spec,) = [c for c in MANIFEST.consumers if c.name == "terminal-status"]
    return bind("terminals", spec)


def deliver(platform: Platform, deliveries: list[Delivery]) -> None:
    """Run one batch through the kernel's batch path (decode, schema, handler, commit)."""
    tally = handle_batch(platform.uow, consumer(), "w1", deliveries)
    assert tally.failed == 0, tally
