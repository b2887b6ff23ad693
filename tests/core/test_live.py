"""Live events: channel registry, fan-out through bounded queues, resume by Last-Event-ID, the broker."""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Awaitable, Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest

from thanglong.core import mqtt
from thanglong.core.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from thanglong.core.live import (
    MAX_CHANNELS_PER_STREAM,
    Channel,
    ChannelRegistry,
    LiveClient,
    LiveHub,
    parse_channels,
    parse_envelope,
)
from thanglong.core.live_subscriber import EVENTS_TOPIC_PREFIX
from thanglong.core.manifest import DomainManifest, LiveChannel
from thanglong.core.mqtt import EMBEDDED_USERNAME, BrokerCredentials, EmbeddedBroker
from thanglong.core.security import ANONYMOUS, Permission, Principal
from thanglong.core.testing.plugin import free_port
from thanglong.core.uow import EVENT_TOPIC_PREFIX, envelope_bytes
from thanglong.domains.identity.api import OFFICER

T = TypeVar("T")
AGENCY_A = uuid.uuid4()
AGENCY_B = uuid.uuid4()
READ = "live_test.read"


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh loop in its own thread (a browser test may hold this thread's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def same_agency(principal: Principal, payload: dict[str, Any]) -> bool:
    """Show an event to the principal of the agency named in it."""
    return payload.get("agency") == str(principal.agency_id)


def broken_filter(_principal: Principal, _payload: dict[str, Any]) -> bool:
    """Fail, as a buggy domain filter would."""
    raise RuntimeError("filter bug")


def user(agency: uuid.UUID | None = AGENCY_A, *permissions: str) -> Principal:
    return Principal(
        kind="user",
        id=uuid.uuid4(),
        name="canbo",
        roles=frozenset({OFFICER}),
        agency_id=agency,
        permissions=frozenset(permissions or (READ,)),
    )


def registry(event: str = "live_test.Happened") -> ChannelRegistry:
    return ChannelRegistry(
        [
            Channel(LiveChannel("t.agency", READ, (event,)), same_agency),
            Channel(LiveChannel("t.all", READ, (event, "live_test.Other"))),
            Channel(LiveChannel("t.secret", "live_test.secret", (event,))),
            Channel(LiveChannel("t.broken", READ, (event,)), broken_filter),
        ]
    )


def envelope(event: str = "live_test.Happened", agency: uuid.UUID = AGENCY_A, **extra: Any) -> bytes:
    body = {
        "id": str(uuid.uuid4()),
        "event": event,
        "created_at": datetime.now(UTC).isoformat(),
        "payload": {"agency": str(agency), **extra},
    }
    return json.dumps(body).encode()


def event_id(raw: bytes) -> str:
    return str(json.loads(raw)["id"])


def parse_frames(text: str) -> list[dict[str, str]]:
    """Split SSE text into frames: {"id", "event", "data"} or {"comment"} / {"retry"}."""
    out = []
    for block in text.split("\n\n"):
        if not block:
            continue
        fields: dict[str, str] = {}
        for line in block.split("\n"):
            name, _, value = line.partition(": ") if not line.startswith(":") else ("comment", "", line)
            fields[name] = value
        out.append(fields)
    return out


class Reader:
    """Read one client's stream frame by frame, across several waits."""

    def __init__(self, client: LiveClient) -> None:
        self.stream = client.stream()
        self.frames: list[dict[str, str]] = []

    async def until(self, match: Callable[[dict[str, str]], bool], within: float = 5.0) -> list:
        """Read until a frame matches (inclusive); return the frames read by this call."""
        start = len(self.frames)

        async def read() -> None:
            async for text in self.stream:
                for f in parse_frames(text):
                    self.frames.append(f)
                    if match(f):
                        return

        await asyncio.wait_for(read(), within)
        return self.frames[start:]

    async def close(self) -> None:
        await self.stream.aclose()  # type: ignore[attr-defined]


async def take(client: LiveClient, until: Callable[[dict[str, str]], bool], within: float = 5.0) -> list:
    """Read a client's frames until one matches `until` (inclusive), then close the stream."""
    reader = Reader(client)
    try:
        return await reader.until(until, within)
    finally:
        await reader.close()


def events_of(frames: list[dict[str, str]]) -> list[dict[str, Any]]:
    return [json.loads(f["data"]) | {"_type": f["event"], "_id": f.get("id")} for f in frames if "data" in f]


def closed(f: dict[str, str]) -> bool:
    return f.get("event") == "closed"


def test_channels_are_parsed_from_the_query() -> None:
    assert parse_channels(" a, b ,a,,") == ["a", "b"]
    with pytest.raises(InvalidInput):
        parse_channels(" , ")
    with pytest.raises(InvalidInput):
        parse_channels(",".join(f"c{i}" for i in range(MAX_CHANNELS_PER_STREAM + 1)))


def test_registry_from_manifests_checks_permissions_and_filters() -> None:
    perm = Permission(READ, "Đọc", "Read", frozenset({OFFICER}))
    good = LiveChannel("t.a", READ, ("x.Y",), filter="tests.core.test_live:same_agency")
    manifest = DomainManifest(name="t", title_vi="T", title_en="T", live_channels=(good,))
    reg = ChannelRegistry.from_manifests([manifest], {READ: perm})
    assert reg.channels["t.a"].visible is same_agency
    assert [c.name for c in reg.for_event("x.Y")] == ["t.a"]
    bad = [
        (LiveChannel("t.a", "nobody.declared", ("x.Y",)), "undeclared permission"),
        (LiveChannel("t.a", READ, ()), "carries no events"),
        (LiveChannel("t.a", READ, ("x.Y",), filter="tests.core.test_live:AGENCY_A"), "not callable"),
    ]
    for channel, message in bad:
        with pytest.raises(RuntimeError, match=message):
            ChannelRegistry.from_manifests(
                [DomainManifest(name="t", title_vi="T", title_en="T", live_channels=(channel,))], {READ: perm}
            )
    with pytest.raises(RuntimeError, match="declared twice"):
        ChannelRegistry.from_manifests([manifest, manifest], {READ: perm})


def test_unknown_channel_is_404_and_a_forbidden_one_403_in_both_languages() -> None:
    hub = LiveHub(registry())
    with pytest.raises(NotFound) as missing:
        hub.open(user(), ["t.agency", "t.nope"], None)
    assert missing.value.status == 404 and "t.nope" in missing.value.message_vi
    with pytest.raises(Forbidden) as refused:
        hub.open(user(), ["t.agency", "t.secret"], None)
    error = refused.value
    assert (error.status, error.code) == (403, "live_channel_forbidden")
    assert "Bạn không có quyền theo dõi kênh «t.secret»" in error.message_vi
    assert "You may not follow the live channel 't.secret'" in error.message_en
    with pytest.raises(Unauthenticated):
        hub.open(ANONYMOUS, ["t.agency"], None)
    assert hub.clients == 0


def test_events_reach_only_the_clients_allowed_to_see_them() -> None:
    async def scenario() -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        hub = LiveHub(registry())
        officer_a = hub.open(user(AGENCY_A), ["t.agency"], None)
        officer_b = hub.open(user(AGENCY_B), ["t.agency"], None)
        both = hub.open(user(AGENCY_B), ["t.agency", "t.all"], None)
        broken = hub.open(user(AGENCY_A), ["t.broken"], None)
        for raw in (envelope(agency=AGENCY_A, n=1), envelope(agency=AGENCY_B, n=2)):
            hub.receive(raw)
        hub.close_streams()
        hub._end_all("shutdown")
        return [events_of(await take(c, closed)) for c in (officer_a, officer_b, both, broken)]

    a, b, both, broken = run(scenario())
    assert [(e["_type"], e.get("payload", {}).get("n")) for e in a] == [
        ("ready", None),
        ("t.agency", 1),
        ("closed", None),
    ]
    assert [e.get("payload", {}).get("n") for e in b if e["_type"] == "t.agency"] == [2]
    # An event in two followed channels arrives once, by the first channel that shows it.
    assert [(e["_type"], e["payload"]["n"]) for e in both if "payload" in e] == [
        ("t.all", 1),
        ("t.agency", 2),
    ]
    assert [e["_type"] for e in broken] == ["ready", "closed"], "a failing filter hides the event"


def test_frames_carry_the_outbox_id_and_the_envelope() -> None:
    raw = envelope(n=7)

    async def scenario() -> list[dict[str, str]]:
        hub = LiveHub(registry())
        client = hub.open(user(), ["t.all"], None)
        hub.receive(raw)
        return await take(client, lambda f: f.get("event") == "t.all")

    frames = run(scenario())
    assert frames[0] == {"retry": "2000"}
    ready, sent = frames[1], frames[2]
    assert ready["event"] == "ready" and ready["id"].startswith("origin-")
    assert sent["id"] == event_id(raw)
    body = json.loads(sent["data"])
    assert body == {
        "id": event_id(raw),
        "channel": "t.all",
        "event": "live_test.Happened",
        "created_at": json.loads(raw)["created_at"],
        "payload": {"agency": str(AGENCY_A), "n": 7},
    }


def test_duplicates_and_bad_messages_are_dropped() -> None:
    async def scenario() -> tuple[LiveHub, list[dict[str, Any]]]:
        hub = LiveHub(registry())
        client = hub.open(user(), ["t.all"], None)
        raw = envelope(n=1)
        for message in (raw, raw, b"not json", b"[]", json.dumps({"id": "a\nb", "event": "x"}).encode()):
            hub.receive(message)
        hub.receive(envelope(event="live_test.Unrelated"))
        hub._end_all("test")
        return hub, events_of(await take(client, closed))

    hub, events = run(scenario())
    assert [e["_type"] for e in events] == ["ready", "t.all", "closed"]
    assert (hub.stats.received, hub.stats.duplicates, hub.stats.invalid) == (1, 1, 3)


def test_a_slow_client_is_dropped_with_a_final_event_and_never_holds_back_the_others() -> None:
    async def scenario() -> tuple[LiveHub, list[Any], list[Any], list[str]]:
        hub = LiveHub(registry(), queue_size=3)
        slow = hub.open(user(), ["t.all"], None)
        fast = hub.open(user(), ["t.all"], None)
        fast_frames: list[dict[str, str]] = []
        fast_stream = fast.stream()
        ids = []
        for n in range(10):
            raw = envelope(n=n)
            ids.append(event_id(raw))
            hub.receive(raw)
            # The fast client reads as events come; the slow one never does.
            while len([f for f in fast_frames if f.get("event") == "t.all"]) < n + 1:
                fast_frames += parse_frames(await asyncio.wait_for(fast_stream.__anext__(), 2))
        await fast_stream.aclose()  # type: ignore[attr-defined]
        return hub, await take(slow, closed), fast_frames, ids

    hub, slow, fast, ids = run(scenario())
    assert [f.get("id") for f in fast if f.get("event") == "t.all"] == ids
    assert [f.get("event") for f in slow if "event" in f] == ["ready", "closed"]
    assert json.loads(slow[-1]["data"]) == {"reason": "too_slow"}
    assert hub.stats.dropped_clients == 1
    assert hub.clients == 0, "both streams ended and were forgotten"


def test_a_client_resumes_after_its_last_event_id_with_only_what_it_may_see() -> None:
    async def scenario() -> tuple[list[str], list[Any]]:
        hub = LiveHub(registry())
        raws = [envelope(agency=AGENCY_A if n % 2 == 0 else AGENCY_B, n=n) for n in range(6)]
        for raw in raws:
            hub.receive(raw)
        client = hub.open(user(AGENCY_A), ["t.agency"], event_id(raws[1]))
        hub._end_all("test")
        return [event_id(r) for r in raws], await take(client, closed)

    ids, frames = run(scenario())
    replayed = [f for f in frames if f.get("event") == "t.agency"]
    assert [f["id"] for f in replayed] == [ids[2], ids[4]]
    assert [f.get("event") for f in frames if "event" in f] == ["t.agency", "t.agency", "closed"]


def test_resume_from_the_origin_replays_everything_since_the_process_started() -> None:
    async def scenario() -> list[Any]:
        hub = LiveHub(registry())
        first = hub.open(user(), ["t.all"], None)
        origin = (await take(first, lambda f: f.get("event") == "ready"))[-1]["id"]
        hub.receive(envelope(n=1))
        hub.receive(envelope(n=2))
        again = hub.open(user(), ["t.all"], origin)
        hub._end_all("test")
        return events_of(await take(again, closed))

    events = run(scenario())
    assert [e.get("payload", {}).get("n") for e in events if e["_type"] == "t.all"] == [1, 2]


def test_unknown_forgotten_or_gapped_positions_get_a_reset_with_a_new_baseline() -> None:
    async def scenario() -> dict[str, list[dict[str, str]]]:
        hub = LiveHub(registry(), ring_size=3)
        raws = [envelope(n=n) for n in range(5)]
        for raw in raws:
            hub.receive(raw)
        out = {}
        out["unknown"] = await take(hub.open(user(), ["t.all"], str(uuid.uuid4())), lambda f: "event" in f)
        out["other_origin"] = await take(hub.open(user(), ["t.all"], "origin-0000"), lambda f: "event" in f)
        # Five events through a ring of three: what followed the first one is partly forgotten.
        out["too_old"] = await take(hub.open(user(), ["t.all"], event_id(raws[0])), lambda f: "event" in f)
        out["recent"] = await take(hub.open(user(), ["t.all"], event_id(raws[2])), lambda f: "event" in f)
        hub.resubscribed()  # the first subscription: no gap
        out["after_first"] = await take(
            hub.open(user(), ["t.all"], event_id(raws[3])), lambda f: "event" in f
        )
        hub.resubscribed()
        out["gap"] = await take(hub.open(user(), ["t.all"], event_id(raws[3])), lambda f: "event" in f)
        out["last_id"] = [{"id": event_id(raws[4])}]
        out["fourth"] = [{"id": event_id(raws[3])}]
        return out

    out = run(scenario())
    last = out["last_id"][0]["id"]
    for case, reason in [
        ("unknown", "unknown_last_event_id"),
        ("other_origin", "unknown_last_event_id"),
        ("too_old", "too_old"),
        ("gap", "broker_reconnected"),
    ]:
        reset = out[case][-1]
        assert reset["event"] == "reset", case
        assert json.loads(reset["data"]) == {"reason": reason}, case
        assert reset["id"] == last, f"{case}: the reset carries the newest visible id as the new baseline"
    assert out["recent"][-1]["event"] == "t.all"
    assert out["after_first"][-1]["event"] == "t.all" and out["after_first"][-1]["id"] == last
    assert out["recent"][-1]["id"] == out["fourth"][0]["id"]


def test_live_clients_get_a_reset_when_the_broker_subscription_comes_back() -> None:
    async def scenario() -> list[dict[str, str]]:
        hub = LiveHub(registry())
        client = hub.open(user(), ["t.all"], None)
        hub.resubscribed()
        return await take(client, lambda f: f.get("event") == "reset")

    frames = run(scenario())
    assert json.loads(frames[-1]["data"]) == {"reason": "broker_reconnected"}


def test_heartbeats_and_renewal_keep_long_streams_honest() -> None:
    async def scenario() -> list[dict[str, str]]:
        hub = LiveHub(registry(), heartbeat_seconds=0.05, max_stream_seconds=0.3)
        return await take(hub.open(user(), ["t.all"], None), closed)

    frames = run(scenario())
    assert sum(1 for f in frames if f.get("comment") == ": keepalive") >= 3
    assert json.loads(frames[-1]["data"]) == {"reason": "renew"}


def test_envelope_parsing_refuses_what_the_relay_never_sends() -> None:
    good = parse_envelope(envelope(n=1))
    assert good.event == "live_test.Happened" and good.payload["n"] == 1
    for bad in (b"{", b"1", b'{"id": "x"}', b'{"id": "a b", "event": "e", "payload": {}}'):
        with pytest.raises(ValueError):
            parse_envelope(bad)


def test_the_hub_listens_where_the_relay_publishes() -> None:
    assert EVENT_TOPIC_PREFIX == EVENTS_TOPIC_PREFIX
    event_id = str(uuid.uuid4())
    envelope = {
        "id": event_id,
        "event": "live_test.Happened",
        "created_at": datetime.now(UTC).isoformat(),
        "payload": {"n": 1},
    }
    parsed = parse_envelope(envelope_bytes(envelope))
    assert (parsed.id, parsed.event, parsed.payload) == (event_id, "live_test.Happened", {"n": 1})


async def _until(check: Callable[[], bool], within: float = 10.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while not check():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


async def _with_hub(hub: LiveHub, body: Callable[[LiveHub], Awaitable[T]]) -> T:
    await hub.start()
    try:
        return await body(hub)
    finally:
        await hub.stop()


@pytest.mark.mqtt
def test_events_published_on_the_broker_reach_the_streams(mqtt_url: str) -> None:
    # Other tests share the broker: a unique event name keeps their events out of this hub.
    name = f"live_test.Happened{uuid.uuid4().hex[:8]}"
    raw = envelope(event=name, n=42)

    async def body(hub: LiveHub) -> list[dict[str, str]]:
        assert hub.subscribed, "start() waits for the subscription when the broker is up"
        client = hub.open(user(), ["t.all"], None)
        await asyncio.to_thread(mqtt.publish, mqtt_url, f"{EVENTS_TOPIC_PREFIX}{name}", raw)
        return await take(client, lambda f: f.get("event") == "t.all")

    frames = run(_with_hub(LiveHub(registry(name), broker_url=mqtt_url), body))
    assert frames[-1]["id"] == event_id(raw)
    assert json.loads(frames[-1]["data"])["payload"]["n"] == 42


@pytest.mark.mqtt
def test_the_hub_reconnects_after_the_broker_restarts_and_resets_its_clients() -> None:
    port = free_port()
    creds = BrokerCredentials(EMBEDDED_USERNAME, secrets.token_urlsafe(32))
    broker = EmbeddedBroker("127.0.0.1", port, creds)
    broker.start()
    url = broker.url
    raw = envelope(n=9)

    async def body(hub: LiveHub) -> list[dict[str, str]]:
        nonlocal broker
        reader = Reader(hub.open(user(), ["t.all"], None))
        await reader.until(lambda f: f.get("event") == "ready")
        await asyncio.to_thread(broker.stop)
        await _until(lambda: not hub.subscribed)
        broker = EmbeddedBroker("127.0.0.1", port, creds)
        await asyncio.to_thread(broker.start)
        frames = await reader.until(lambda f: f.get("event") == "reset", within=20)
        # The same stream goes on: the next event arrives through the new subscription.
        await asyncio.to_thread(mqtt.publish, url, f"{EVENTS_TOPIC_PREFIX}live_test.Happened", raw)
        frames += await reader.until(lambda f: f.get("event") == "t.all", within=10)
        await reader.close()
        return frames

    try:
        frames = run(_with_hub(LiveHub(registry(), broker_url=url), body))
    finally:
        broker.stop()
    reset = next(f for f in frames if f.get("event") == "reset")
    assert json.loads(reset["data"]) == {"reason": "broker_reconnected"}
    assert frames[-1]["id"] == event_id(raw)


def test_a_hub_without_a_broker_starts_and_stops_at_once() -> None:
    async def body(hub: LiveHub) -> bool:
        return hub.subscribed

    async def timed() -> tuple[bool, float]:
        loop = asyncio.get_running_loop()
        started = loop.time()
        subscribed = await _with_hub(LiveHub(registry(), broker_url=f"mqtt://127.0.0.1:{free_port()}"), body)
        return subscribed, loop.time() - started

    subscribed, elapsed = run(timed())
    assert subscribed is False
    assert elapsed < 1.0, "an absent broker must not delay the app's start or stop"
