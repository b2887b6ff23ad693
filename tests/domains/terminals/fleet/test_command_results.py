"""A terminal's command results, through the receipts consumer as the kernel runs it, end on the command."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import make_user, sign_in
from tests.domains.terminals.fleet.helpers import HOAN_KIEM, Clock, fleet
from thanglong.core.consumer_store import handle_batch
from thanglong.core.consumers import BoundConsumer, Delivery, bind
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.domains.identity.api import OPERATOR
from thanglong.domains.terminals.agent import wire as agent_wire
from thanglong.domains.terminals.delivery import receipts
from thanglong.domains.terminals.fleet import commands
from thanglong.domains.terminals.manifest import MANIFEST
from thanglong.domains.terminals.wire import topics


@pytest.fixture
def signer() -> commands.KeySigner:
    return commands.KeySigner(Ed25519PrivateKey.generate())


def receipts_consumer() -> BoundConsumer:
    """Return the receipts consumer as the kernel binds it from the manifest."""
    (spec,) = [c for c in MANIFEST.consumers if c.name == "receipts"]
    return bind("terminals", spec)


def result(serial: str, message_id: str, kind: str, at: datetime) -> Delivery:
    """Return a command result as the reference agent publishes it, handed over by the network thread."""
    body = agent_wire.receipt(message_id, message_id, kind, at)  # type: ignore[arg-type]
    return Delivery(
        topic=topics.receipt(serial),
        payload=json.dumps(body).encode(),
        qos=1,
        mid=7,
        dup=False,
        retain=False,
        user_properties=(),
        received_at=datetime.now(UTC),
    )


def send(platform: Platform, serial: str, command: str, signer: commands.KeySigner, **args: object) -> str:
    """Issue a command and publish it (to nowhere); return its envelope id."""
    with platform.uow() as uow:
        sent = commands.issue(uow, actor="user:op", serial=serial, command=command, args=args, signer=signer)
    with platform.uow() as uow:
        assert commands.publish_queued(uow, sent.id, lambda _t, _p: None)
        uow.commit()
    return sent.message_id


def statuses(platform: Platform, serial: str) -> dict[str, tuple[str, datetime | None]]:
    with platform.uow() as uow:
        return {c.message_id: (c.status, c.result_at) for c in commands.recent(uow, serial)}


def test_results_through_the_consumer_finish_commands_and_show_on_the_page(
    client: TestClient, platform: Platform, signer: commands.KeySigner
) -> None:
    clock = Clock()
    platform.clock = clock
    a, b = fleet(platform, HOAN_KIEM, 2)
    tone = send(platform, a, "test_tone", signer)
    volume = send(platform, a, "volume", signer, level=30)
    other = send(platform, b, "reboot", signer)
    answered = clock.now + timedelta(seconds=3)
    batch = [
        result(a, tone, "command_done", answered),
        result(a, volume, "command_failed", answered),
        result(a, tone, "command_done", answered),  # a QoS 1 redelivery in the same batch
        result(a, other, "command_done", answered),  # A claims B's command: ignored
        result(a, "no-such-command", "command_done", answered),
    ]
    tally = handle_batch(platform.uow, receipts_consumer(), "w1", batch)
    assert tally.failed == 0, tally
    shown = statuses(platform, a)
    assert shown[tone][0] == commands.DONE and shown[volume][0] == commands.FAILED
    assert shown[tone][1] is not None and shown[tone][1].replace(tzinfo=UTC) == answered.astimezone(UTC)
    assert statuses(platform, b)[other] == (commands.SENT, None)
    # B answers for itself; a late, contradicting second answer from A changes nothing.
    later = [result(b, other, "command_done", answered), result(a, tone, "command_failed", answered)]
    assert handle_batch(platform.uow, receipts_consumer(), "w1", later).failed == 0
    assert statuses(platform, b)[other][0] == commands.DONE
    assert statuses(platform, a)[tone][0] == commands.DONE
    with platform.uow() as uow:
        counts = receipts.outcome_counts(uow)
        audited = uow.session.execute(
            select(AuditRecord.actor, AuditRecord.action)
            .where(AuditRecord.action.in_(("terminals.command.done", "terminals.command.failed")))
            .order_by(AuditRecord.actor, AuditRecord.action)
        ).all()
    assert counts["command"] == 3 and counts["command_ignored"] == 4 and counts["stored"] == 0
    assert audited == [
        (f"terminal:{a}", "terminals.command.done"),
        (f"terminal:{a}", "terminals.command.failed"),
        (f"terminal:{b}", "terminals.command.done"),
    ]
    sign_in(client, platform, make_user(platform, OPERATOR))
    page = client.get(f"/terminals/fleet/terminals/{a}")
    assert page.status_code == 200
    assert '<td data-status="done">Đã thực hiện</td>' in page.text
    assert '<td data-status="failed">Thất bại</td>' in page.text
