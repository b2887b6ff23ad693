"""Live events: one broker subscriber per process fans events out to server-sent-event streams.

Every app process subscribes on its own (no shared subscription) to the topics the outbox relay
publishes on, so whichever process a browser is connected to delivers every event. An event's SSE
id is its outbox message id, the same in every process; see docs/live.md for how a reconnecting
client resumes with Last-Event-ID and when it is told to reset instead.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import secrets
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from thanglong.core import mqtt
from thanglong.core.errors import Forbidden, InvalidInput, NotFound, Unauthenticated
from thanglong.core.live_subscriber import Subscriber
from thanglong.core.manifest import DomainManifest, LiveChannel, resolve
from thanglong.core.platform import Platform
from thanglong.core.security import Permission, Principal

logger = logging.getLogger(__name__)

MAX_CHANNELS_PER_STREAM = 16
RESET = "reset"
READY = "ready"
CLOSED = "closed"
# The position "before the first event this process received": handed out while its rings are empty.
ORIGIN_PREFIX = "origin-"
# Ids and names travel in SSE fields, where a newline would start a new field: accept plain tokens only.
_TOKEN = re.compile(r"^[A-Za-z0-9_.:+-]{1,120}$")

Visibility = Callable[[Principal, dict[str, Any]], bool]


@dataclass(frozen=True)
class Channel:
    """A declared channel with its visibility function resolved."""

    spec: LiveChannel
    visible: Visibility | None = None

    @property
    def name(self) -> str:
        """Return the channel's name (the SSE event type of its events)."""
        return self.spec.name

    def shows(self, principal: Principal, payload: dict[str, Any]) -> bool:
        """Tell whether the principal may see one event of this channel."""
        if self.visible is None:
            return True
        try:
            return bool(self.visible(principal, payload))
        except Exception:  # a broken filter hides the event: it must never leak it
            logger.exception("live channel %s: filter failed", self.name)
            return False


class ChannelRegistry:
    """The channels every enabled domain declares, by name and by the events they carry."""

    def __init__(self, channels: Iterable[Channel] = ()) -> None:
        self.channels: dict[str, Channel] = {}
        self._by_event: dict[str, list[Channel]] = {}
        for channel in channels:
            if channel.name in self.channels:
                raise RuntimeError(f"live channel {channel.name!r} declared twice")
            self.channels[channel.name] = channel
            for event in channel.spec.events:
                self._by_event.setdefault(event, []).append(channel)

    @classmethod
    def from_manifests(
        cls, manifests: Sequence[DomainManifest], permissions: dict[str, Permission]
    ) -> ChannelRegistry:
        """Resolve every manifest's live channels, refusing unknown permissions and filters."""
        out = []
        for manifest in manifests:
            for spec in manifest.live_channels:
                if spec.permission not in permissions:
                    raise RuntimeError(
                        f"live channel {spec.name!r} needs the undeclared permission {spec.permission!r}"
                    )
                if not spec.events:
                    raise RuntimeError(f"live channel {spec.name!r} carries no events")
                visible = resolve(spec.filter) if spec.filter else None
                if visible is not None and not callable(visible):
                    raise RuntimeError(f"live channel {spec.name!r}: filter {spec.filter!r} is not callable")
                out.append(Channel(spec, visible))
        return cls(out)

    def for_event(self, event_name: str) -> list[Channel]:
        """Return the channels that carry an event."""
        return self._by_event.get(event_name, [])

    def authorise(self, principal: Principal, names: Sequence[str]) -> list[Channel]:
        """Return the channels asked for, or refuse: 404 for an unknown one, 401/403 without permission."""
        out = []
        for name in names:
            channel = self.channels.get(name)
            if channel is None:
                raise NotFound(
                    "live_channel_not_found",
                    f"Không có kênh cập nhật trực tiếp «{name}».",
                    f"There is no live channel '{name}'.",
                    channel=name,
                )
            if not principal.is_authenticated:
                raise Unauthenticated("not_authenticated", "Vui lòng đăng nhập.", "Please sign in.")
            if not principal.can(channel.spec.permission):
                raise Forbidden(
                    "live_channel_forbidden",
                    f"Bạn không có quyền theo dõi kênh «{name}».",
                    f"You may not follow the live channel '{name}'.",
                    channel=name,
                )
            out.append(channel)
        return out


def parse_channels(raw: str) -> list[str]:
    """Split "a,b" into channel names (order kept, duplicates dropped); refuse none or too many."""
    names = list(dict.fromkeys(part.strip() for part in raw.split(",") if part.strip()))
    if not names:
        raise InvalidInput(
            "live_no_channel", "Hãy chọn ít nhất một kênh.", "Name at least one channel.", field="channels"
        )
    if len(names) > MAX_CHANNELS_PER_STREAM:
        raise InvalidInput(
            "live_too_many_channels",
            f"Tối đa {MAX_CHANNELS_PER_STREAM} kênh trên một kết nối.",
            f"At most {MAX_CHANNELS_PER_STREAM} channels per connection.",
            field="channels",
        )
    return names


@dataclass(frozen=True)
class LiveEvent:
    """One event as the outbox relay published it."""

    id: str
    event: str
    created_at: str
    payload: dict[str, Any]


def parse_envelope(raw: bytes) -> LiveEvent:
    """Decode the relay's JSON envelope; raise ValueError for anything else."""
    body = json.loads(raw)
    if not isinstance(body, dict):
        raise ValueError("envelope is not a JSON object")
    event_id, name, created, payload = (body.get(k) for k in ("id", "event", "created_at", "payload"))
    if not (isinstance(event_id, str) and _TOKEN.match(event_id)):
        raise ValueError("envelope has no usable id")
    if not (isinstance(name, str) and _TOKEN.match(name)):
        raise ValueError("envelope has no usable event name")
    if not isinstance(payload, dict):
        raise ValueError("envelope payload is not an object")
    return LiveEvent(event_id, name, created if isinstance(created, str) else "", payload)


def frame(event_type: str, data: dict[str, Any], event_id: str | None = None) -> str:
    """Format one server-sent event (JSON on a single data line)."""
    head = f"id: {event_id}\n" if event_id else ""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{head}event: {event_type}\ndata: {body}\n\n"


def event_frame(channel: str, event: LiveEvent) -> str:
    """Format a channel's event; its SSE id is the outbox message id."""
    data = {
        "id": event.id,
        "channel": channel,
        "event": event.event,
        "created_at": event.created_at,
        "payload": event.payload,
    }
    return frame(channel, data, event.id)


class _Ring:
    """The last events of one channel, with the position of the newest one it has forgotten."""

    def __init__(self, size: int) -> None:
        self.items: deque[tuple[int, LiveEvent]] = deque()
        self.size = size
        self.forgotten_upto = 0

    def append(self, seq: int, event: LiveEvent) -> None:
        if len(self.items) >= self.size:
            self.forgotten_upto = self.items.popleft()[0]
        self.items.append((seq, event))


@dataclass
class LiveStats:
    """Counters of one process's hub."""

    received: int = 0
    duplicates: int = 0
    invalid: int = 0
    dropped_clients: int = 0
    resets: int = 0


class LiveClient:
    """One open stream: what it follows, its bounded queue of frames, and why it ends."""

    def __init__(self, hub: LiveHub, principal: Principal, channels: list[Channel]) -> None:
        self.hub = hub
        self.principal = principal
        self.channels = channels
        self.first: list[str] = []
        self.pending: deque[str] = deque()
        self.wake = asyncio.Event()
        self.ending: str | None = None

    def offer(self, text: str) -> None:
        """Queue a frame; a client whose queue is full is dropped instead of slowing anyone down."""
        if self.ending is not None:
            return
        if len(self.pending) >= self.hub.queue_size:
            self.pending.clear()
            self.hub.stats.dropped_clients += 1
            self.end("too_slow")
            return
        self.pending.append(text)
        self.wake.set()

    def end(self, reason: str) -> None:
        """Finish the stream after one last `closed` event (the browser reconnects by itself)."""
        if self.ending is None:
            self.ending = reason
            self.wake.set()

    async def stream(self) -> AsyncIterator[str]:
        """Yield the frames of this stream until it ends; heartbeat comments keep proxies from closing it."""
        hub = self.hub
        loop = asyncio.get_running_loop()
        deadline = loop.time() + hub.max_stream_seconds
        try:
            yield f"retry: {hub.retry_ms}\n\n"
            first, self.first = self.first, []
            for text in first:
                yield text
            while True:
                if not self.pending and self.ending is None:
                    self.wake.clear()
                    left = deadline - loop.time()
                    try:
                        await asyncio.wait_for(self.wake.wait(), min(hub.heartbeat_seconds, max(left, 0)))
                    except TimeoutError:
                        if loop.time() < deadline:
                            yield ": keepalive\n\n"
                            continue
                        # Streams are renewed so that a revoked session stops receiving within minutes.
                        self.end("renew")
                while self.pending:
                    yield self.pending.popleft()
                if self.ending is not None:
                    yield frame(CLOSED, {"reason": self.ending})
                    return
        finally:
            hub.forget(self)

    async def close(self) -> None:
        """Forget the client (run when the response ends, however it ends)."""
        self.hub.forget(self)


class LiveHub:
    """Per-process fan-out: broker messages to channel rings and to the clients that may see them."""

    def __init__(
        self,
        registry: ChannelRegistry,
        *,
        broker_url: str | None = None,
        ring_size: int = 256,
        queue_size: int = 64,
        index_size: int = 8192,
        heartbeat_seconds: float = 15.0,
        max_stream_seconds: float = 900.0,
        retry_ms: int = 2000,
    ) -> None:
        self.registry = registry
        self.broker_url = broker_url
        self.queue_size = queue_size
        self.index_size = index_size
        self.heartbeat_seconds = heartbeat_seconds
        self.max_stream_seconds = max_stream_seconds
        self.retry_ms = retry_ms
        self.origin = f"{ORIGIN_PREFIX}{secrets.token_hex(8)}"
        self.stats = LiveStats()
        self._seq = 0
        self._index: OrderedDict[str, int] = OrderedDict()
        self._rings = {name: _Ring(ring_size) for name in registry.channels}
        self._subscribers: dict[str, set[LiveClient]] = {name: set() for name in registry.channels}
        self._gap_after: int | None = None
        self._ever_subscribed = False
        self._closing = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._subscriber: Subscriber | None = None

    @classmethod
    def for_platform(cls, platform: Platform, **options: Any) -> LiveHub:
        """Build the hub of a platform: its manifests' channels and its broker."""
        registry = ChannelRegistry.from_manifests(platform.manifests, platform.permissions)
        return cls(registry, broker_url=mqtt.client_url(platform.settings), **options)

    @property
    def clients(self) -> int:
        """Return how many streams are open."""
        return len({c for subs in self._subscribers.values() for c in subs})

    @property
    def subscribed(self) -> bool:
        """Tell whether the broker subscription is active now."""
        return self._subscriber is not None and self._subscriber.subscribed.is_set()

    async def start(self, wait_seconds: float = 5.0) -> None:
        """Subscribe to the broker (waiting briefly for it), then keep reconnecting in a thread."""
        self._loop = asyncio.get_running_loop()
        self._closing = False
        if not self.registry.channels or not self.broker_url or self._subscriber is not None:
            return
        self._subscriber = Subscriber(self.broker_url, self._from_thread)
        await asyncio.to_thread(self._subscriber.start, wait_seconds)

    async def stop(self) -> None:
        """End every stream and disconnect from the broker."""
        self._end_all("shutdown")
        subscriber, self._subscriber = self._subscriber, None
        if subscriber is not None:
            await asyncio.to_thread(subscriber.stop)

    def close_streams(self) -> None:
        """End every stream soon; safe from any thread or a signal handler (server shutting down)."""
        if self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._end_all, "shutdown")

    def open(self, principal: Principal, names: Sequence[str], last_event_id: str | None) -> LiveClient:
        """Open a stream on channels the principal may follow, resuming after last_event_id if known."""
        channels = self.registry.authorise(principal, names)
        client = LiveClient(self, principal, channels)
        client.first = self._catch_up(client, last_event_id)
        if self._closing:
            client.end("shutdown")
        for channel in channels:
            self._subscribers[channel.name].add(client)
        return client

    def forget(self, client: LiveClient) -> None:
        """Stop sending to a client."""
        for channel in client.channels:
            self._subscribers[channel.name].discard(client)

    def receive(self, raw: bytes) -> None:
        """Take one broker message (on the event loop's thread): index it, keep it, send it out."""
        try:
            event = parse_envelope(raw)
        except ValueError as exc:
            self.stats.invalid += 1
            logger.warning("live: message set aside: %s", exc)
            return
        channels = self.registry.for_event(event.event)
        if not channels:
            return
        if event.id in self._index:
            # The relay and QoS 1 deliver at least once: a repeat is dropped here, not by every page.
            self.stats.duplicates += 1
            return
        self.stats.received += 1
        self._seq += 1
        self._index[event.id] = self._seq
        if len(self._index) > self.index_size:
            self._index.popitem(last=False)
        served: set[LiveClient] = set()
        for channel in channels:
            self._rings[channel.name].append(self._seq, event)
            text: str | None = None
            for client in self._subscribers[channel.name]:
                if client in served or not channel.shows(client.principal, event.payload):
                    continue
                text = text or event_frame(channel.name, event)
                client.offer(text)
                served.add(client)

    def resubscribed(self) -> None:
        """Note a (re)subscription: events sent while this process was away are lost to its clients."""
        # The first subscription is no gap for resuming (the rings start there), but streams opened
        # before it (the broker was down at start-up) may have missed events, as after any other.
        if self._ever_subscribed:
            self._gap_after = self._seq
        self._ever_subscribed = True
        for subs in self._subscribers.values():
            for client in subs:
                if client.ending is None:
                    client.offer(self._reset_frame(client, "broker_reconnected"))

    def _from_thread(self, kind: str, raw: bytes) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        target: Callable[..., None] = self.receive if kind == "message" else self.resubscribed
        try:
            loop.call_soon_threadsafe(target, *((raw,) if kind == "message" else ()))
        except RuntimeError:  # the loop closed between the check and the call: the process is stopping
            return

    def _end_all(self, reason: str) -> None:
        self._closing = reason == "shutdown"
        for subs in self._subscribers.values():
            for client in subs:
                client.end(reason)

    def _baseline(self, client: LiveClient) -> str:
        """Return the id of the newest event the client may see, or this process's origin."""
        best: tuple[int, str] | None = None
        for channel in client.channels:
            for seq, event in reversed(self._rings[channel.name].items):
                if best is not None and seq <= best[0]:
                    break
                if channel.shows(client.principal, event.payload):
                    best = (seq, event.id)
                    break
        return best[1] if best else self.origin

    def _reset_frame(self, client: LiveClient, reason: str) -> str:
        self.stats.resets += 1
        return frame(RESET, {"reason": reason}, self._baseline(client))

    def _catch_up(self, client: LiveClient, last_event_id: str | None) -> list[str]:
        """Return the first frames: `ready`, the events missed since last_event_id, or `reset`."""
        if not last_event_id:
            return [frame(READY, {"subscribed": self.subscribed}, self._baseline(client))]
        after = 0 if last_event_id == self.origin else self._index.get(last_event_id)
        if after is None:
            return [self._reset_frame(client, "unknown_last_event_id")]
        if self._gap_after is not None and after <= self._gap_after:
            return [self._reset_frame(client, "broker_reconnected")]
        if any(self._rings[c.name].forgotten_upto > after for c in client.channels):
            return [self._reset_frame(client, "too_old")]
        missed: dict[int, str] = {}
        for channel in client.channels:
            for seq, event in self._rings[channel.name].items:
                if seq > after and seq not in missed and channel.shows(client.principal, event.payload):
                    missed[seq] = event_frame(channel.name, event)
        return [missed[seq] for seq in sorted(missed)]
