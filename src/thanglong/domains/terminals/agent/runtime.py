"""The reference terminal at run time: one MQTT 5 session, checks, the playback engine, receipts, commands.

Everything runs on one asyncio loop (paho driven through `mqttio.Hub`), so the engine and the state
need no locks. Blocking work (fetching audio or an update) runs in the default executor.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
import logging
import math
import random
import shlex
import struct
import sys
import time
import wave
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import paho.mqtt.client as paho

from thanglong.core.mqtt import parse_url
from thanglong.domains.terminals.agent import announcement, fetch, mqttio, playback, wire
from thanglong.domains.terminals.agent.config import CONSOLE, AgentConfig
from thanglong.domains.terminals.agent.state import State, write_atomic
from thanglong.domains.terminals.cap.services import validate_message
from thanglong.domains.terminals.delivery import active
from thanglong.domains.terminals.wire import envelope, topics

log = logging.getLogger("thanglong.terminals.agent")

BACKOFF_FIRST_S = 1.0
BACKOFF_MAX_S = 60.0
TICK_S = 1.0
DEFAULT_VOLUME = 70


def _now() -> datetime:
    return datetime.now(UTC)


class Agent:
    """One household terminal."""

    def __init__(
        self,
        config: AgentConfig,
        *,
        out: TextIO | None = None,
        auto_ack: bool = False,
        read_stdin: bool = False,
        clock: Callable[[], datetime] = _now,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self.out = out if out is not None else sys.stdout
        self.auto_ack = auto_ack
        self.read_stdin = read_stdin
        self.clock = clock
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not a secret
        self.state = State(config.state_dir)
        self.engine = playback.Engine()
        self.connected = asyncio.Event()
        self.subscribed = asyncio.Event()
        self.refused: list[tuple[str, str]] = []
        self.health: wire.Health = "ok"
        self._started = time.monotonic()
        self._client: paho.Client | None = None
        self._hub: mqttio.Hub | None = None
        self._mids: dict[int, str] = {}
        self._tasks: set[asyncio.Future[Any]] = set()
        self._play: asyncio.Task[None] | None = None
        self._last_played: playback.Item | None = None
        self._acked: set[str] = set()
        self._stopping = False
        self._backoff = BACKOFF_FIRST_S
        self._sub_mid: int | None = None

    @property
    def volume(self) -> int:
        """Return the volume the terminal plays at."""
        return int(self.state.terminal.get("volume", DEFAULT_VOLUME))

    @property
    def firmware(self) -> str:
        """Return the installed firmware version (an update command may have changed it)."""
        return str(self.state.terminal.get("firmware", self.config.firmware_version))

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set: connect (and reconnect), then hand everything to the callbacks."""
        loop = asyncio.get_running_loop()
        self._hub = mqttio.Hub(loop)
        self._client = self._make_client()
        self._hub.attach(self._client)
        for key, entry in list(self.state.outbox.items()):
            self._publish_receipt(key, entry["topic"], entry["body"])
        self._restore_queue()
        self._spawn(self._connect_soon(0.0))
        self._spawn(self._heartbeats())
        self._spawn(self._ticks())
        if self.read_stdin:
            loop.add_reader(sys.stdin, self._stdin_line)
        try:
            await stop.wait()
        finally:
            await self._shutdown(loop)

    def _make_client(self) -> paho.Client:
        cfg = self.config
        client = mqttio.new_client(cfg.serial, cfg.mqtt_version)
        mqttio.log_in(client, cfg.serial, cfg.password, cfg.broker_url)
        client.will_set(topics.status(cfg.serial), wire.OFFLINE, qos=1)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        client.on_publish = self._on_publish
        client.on_subscribe = self._on_subscribe
        return client

    async def _connect_soon(self, delay: float) -> None:
        await asyncio.sleep(delay)
        if self._stopping or self._client is None:
            return
        address = parse_url(self.config.broker_url)
        try:
            # A persistent session: the broker keeps the subscriptions and the QoS 1 messages that
            # arrive while the terminal is offline, until they or the session expire.
            mqttio.open_session(
                self._client,
                address.host,
                address.port,
                keepalive=self.config.keepalive_s,
                session_expiry_s=self.config.session_expiry_s,
            )
        except OSError as exc:
            log.warning("cannot reach the broker (%s); retrying in %.0f s", exc, self._backoff)
            self._retry()

    def _retry(self) -> None:
        delay = self._backoff * (0.5 + self.rng.random() / 2)
        self._backoff = min(self._backoff * 2, BACKOFF_MAX_S)
        self._spawn(self._connect_soon(delay))

    def _on_connect(self, client: paho.Client, _u: Any, flags: Any, reason: Any, _p: Any) -> None:
        if reason.is_failure:
            log.warning("the broker refused the connection: %s", reason)
            return
        self._backoff = BACKOFF_FIRST_S
        self.connected.set()
        log.info("connected (session present: %s)", flags.session_present)
        cfg = self.config
        _rc, self._sub_mid = client.subscribe(
            mqttio.qos1(
                client,
                [
                    topics.announce_city(),
                    topics.announce_commune(cfg.commune_code),
                    topics.command(cfg.serial),
                ],
            )
        )
        self._send_status()

    def _on_subscribe(self, _c: paho.Client, _u: Any, mid: int, reasons: Any, _p: Any) -> None:
        if mid == self._sub_mid:
            failed = [str(r) for r in reasons if r.is_failure]
            if failed:
                log.error("subscription refused: %s", ", ".join(failed))
                self.health = "fault"
            else:
                self.subscribed.set()

    def _on_disconnect(self, _c: paho.Client, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if self._stopping:
            return
        log.warning("disconnected (%s); reconnecting", reason)
        self._retry()

    def _on_publish(self, _c: paho.Client, _u: Any, mid: int, _reason: Any, _p: Any) -> None:
        key = self._mids.pop(mid, None)
        if key is not None:
            self.state.receipt_sent(key)

    def _on_message(self, _c: paho.Client, _u: Any, message: paho.MQTTMessage) -> None:
        try:
            self.handle(message.topic, bytes(message.payload))
        except Exception:  # one bad message must not stop the terminal
            log.exception("failed to handle a message on %s", message.topic)

    def handle(self, topic: str, data: bytes) -> None:
        """Check one received envelope and act on it, or refuse it with a logged reason."""
        now = self.clock()
        if topic == topics.command(self.config.serial):
            try:
                checked = envelope.check(
                    data, keys=self.config.keys, topic=topic, now=now, seen=self.state.seen
                )
            except envelope.Refused as exc:
                self._refuse(exc.reason, str(exc), topic)
                return
            self.state.save_seen(now)
            if checked.kind == "command":
                self._spawn(self._command(checked))
            else:
                self._refuse("wrong_kind", f"a {checked.kind!r} envelope on {topic}", topic)
            return
        # An announce topic: one announcement, or the topic's retained "active" list, which a terminal
        # that connects after a release receives instead of the live message.
        try:
            opened = active.open_message(
                data, keys=self.config.keys, topic=topic, now=now, seen=self.state.seen
            )
        except envelope.Refused as exc:
            self._refuse(exc.reason, str(exc), topic)
            return
        self.state.save_seen(now)
        for skipped in opened.refused:
            # Expired or already received entries are normal in a retained list: logged, not refusals.
            log.info("skipped a listed envelope on %s [%s]: %s", topic, skipped.reason, skipped)
        for checked in opened.accepted:
            if checked.kind == "cap":
                self._announcement(checked, now)
            else:
                self._refuse("wrong_kind", f"a {checked.kind!r} envelope on {topic}", topic)

    def _refuse(self, reason: str, why: str, topic: str) -> None:
        self.refused.append((reason, why))
        log.warning("refused [%s] on %s: %s", reason, topic, why)

    def _announcement(self, checked: envelope.Envelope, now: datetime) -> None:
        report = validate_message(checked.payload)
        if not report.valid:
            first = report.errors[0]
            self._refuse("invalid_cap", f"{first.rule}: {first.message_en}", checked.topic)
            return
        ann = announcement.read(checked.payload)
        if ann.identifier != checked.message_id:
            why = f"CAP identifier {ann.identifier!r} is not the envelope's id {checked.message_id!r}"
            self._refuse("identifier_mismatch", why, checked.topic)
            return
        delay = self.rng.uniform(self.config.jitter_min_s, self.config.jitter_max_s)
        self.receipt(checked.message_id, ann.identifier, "delivered", now, delay=delay)
        expires = min(checked.expires, ann.expires) if ann.expires else checked.expires
        if ann.msg_type == "Cancel":
            log.info("cancel %s: stops %s", ann.identifier, ", ".join(ann.references))
            self._apply(self.engine.cancel(ann.references, now))
        elif ann.played:
            self.state.enqueue(ann.identifier, checked.payload, expires)
            self._offer(ann, expires, now)
        else:
            log.info("received %s (%s %s): not played", ann.identifier, ann.status, ann.msg_type)

    def _offer(self, ann: announcement.Announcement, expires: datetime, now: datetime) -> None:
        item = playback.Item(ann.identifier, ann.level, expires, ann)
        replaces = ann.references if ann.msg_type == "Update" else ()
        self._apply(self.engine.offer(item, now, replaces=replaces))

    def _restore_queue(self) -> None:
        now = self.clock()
        for key, cap_xml, expires in self.state.queued():
            if expires <= now:
                self.state.dequeue(key)
                continue
            self._offer(announcement.read(cap_xml), expires, now)

    def _apply(self, actions: list[playback.Action]) -> None:
        for action in actions:
            if isinstance(action, playback.Play):
                self._play = asyncio.get_running_loop().create_task(self._perform(action.item))
            elif isinstance(action, playback.Stop):
                log.info("stop %s (%s)", action.item.key, action.reason)
                if self._play is not None:
                    self._play.cancel()
                    self._play = None
                if action.reason != "preempted":
                    self.state.dequeue(action.item.key)
            elif action.reason != "duplicate":
                log.info("drop %s (%s)", action.item.key, action.reason)
                self.state.dequeue(action.item.key)

    async def _perform(self, item: playback.Item) -> None:
        ann = item.content
        if not isinstance(ann, announcement.Announcement):
            raise TypeError("the agent's items carry announcements")
        self._show(f"[{item.level}] {ann.identifier}\n{ann.text()}")
        played = True
        if ann.audio is not None:
            played = await self._play_audio(ann.audio)
        else:
            await asyncio.sleep(self.config.display_seconds)
        now = self.clock()
        self._play = None
        self.state.dequeue(item.key)
        if played:
            self.receipt(ann.identifier, ann.identifier, "played", now)
            self._last_played = item
            if self.auto_ack:
                self.ack()
        self._apply(self.engine.finished(item.key, now))

    def _show(self, text: str) -> None:
        if self.config.display_file is not None:
            write_atomic(self.config.display_file, text.encode("utf-8"))
        else:
            print(text, file=self.out, flush=True)

    async def _play_audio(self, audio: announcement.Audio) -> bool:
        cfg = self.config
        try:
            data = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: fetch.audio_bytes(audio, timeout=cfg.fetch_timeout_s, max_bytes=cfg.max_audio_bytes),
            )
        except fetch.FetchFailed as exc:
            log.error("audio not played: %s", exc)
            self.health = "degraded"
            return False
        if cfg.audio_output == CONSOLE:
            self._show(f"♪ audio {audio.mime_type}, {len(data)} bytes, digest verified")
            await asyncio.sleep(cfg.display_seconds)
            return True
        path = cfg.state_dir / "audio" / "current"
        write_atomic(path, data)
        return await self._run(cfg.audio_output, file=str(path))

    async def _run(self, template: str, **values: str) -> bool:
        """Run a configured command (its arguments formatted with `values`); True when it exits 0."""
        argv = [part.format(**values) for part in shlex.split(template)]
        try:
            process = await asyncio.create_subprocess_exec(*argv)
        except OSError as exc:
            log.error("cannot run %s: %s", argv[0], exc)
            self.health = "fault"
            return False
        try:
            code = await process.wait()
        except asyncio.CancelledError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
            raise
        if code != 0:
            log.error("%s exited with %s", argv[0], code)
            self.health = "degraded"
        return code == 0

    def ack(self) -> None:
        """The household pressed the button: acknowledge the item playing now, else the last one played."""
        item = self.engine.current or self._last_played
        if item is None or item.key in self._acked:
            return
        self._acked.add(item.key)
        self.receipt(item.key, item.key, "acknowledged", self.clock())

    def _stdin_line(self) -> None:
        line = sys.stdin.readline()
        if line == "":
            asyncio.get_running_loop().remove_reader(sys.stdin)
            return
        self.ack()

    def receipt(
        self, message_id: str, identifier: str, kind: wire.ReceiptKind, at: datetime, *, delay: float = 0.0
    ) -> None:
        """Send a receipt (kept in the state's outbox until the broker has it), after `delay` seconds."""
        key = f"{message_id}:{kind}"
        topic = topics.receipt(self.config.serial)
        body = wire.receipt(message_id, identifier, kind, at)
        self.state.put_receipt(key, topic, body)
        if delay > 0:
            asyncio.get_running_loop().call_later(delay, self._publish_receipt, key, topic, body)
        else:
            self._publish_receipt(key, topic, body)

    def _publish_receipt(self, key: str, topic: str, body: dict[str, Any]) -> None:
        if self._client is None or key not in self.state.outbox:
            return
        # paho keeps a QoS 1 message published while offline and sends it once connected.
        info = self._client.publish(topic, wire.encode(body), qos=1)
        self._mids[info.mid] = key

    def _send_status(self) -> None:
        if self._client is None or not self.connected.is_set():
            return
        current = self.engine.current
        body = wire.status(
            at=self.clock(),
            firmware=self.firmware,
            volume=self.volume,
            uptime_s=int(time.monotonic() - self._started),
            health=self.health,
            playing=current.key if current else None,
        )
        self._client.publish(topics.status(self.config.serial), wire.encode(body), qos=1)

    async def _heartbeats(self) -> None:
        while True:
            await asyncio.sleep(self.config.heartbeat_s)
            self._send_status()

    async def _ticks(self) -> None:
        while True:
            await asyncio.sleep(TICK_S)
            self._apply(self.engine.expire(self.clock()))

    async def _command(self, checked: envelope.Envelope) -> None:
        try:
            body = json.loads(checked.payload)
            name, args = body["command"], body.get("args") or {}
            if not isinstance(args, dict):
                raise TypeError("args must be an object")
        except (ValueError, KeyError, TypeError) as exc:
            log.error("command %s is malformed: %s", checked.message_id, exc)
            ok = False
        else:
            log.info("command %s: %s %s", checked.message_id, name, args)
            ok = await self._execute(str(name), args)
        kind: wire.ReceiptKind = "command_done" if ok else "command_failed"
        self.receipt(checked.message_id, checked.message_id, kind, self.clock())
        if ok and name == "reboot" and self._client is not None:
            # "Reboot" restarts the connection: the receipt above is queued and resent after it.
            self._client.disconnect()
        self._send_status()

    async def _execute(self, name: str, args: dict[str, Any]) -> bool:  # noqa: PLR0911 - one return per command
        if name == "test_tone":
            return await self._test_tone()
        if name == "volume":
            level = args.get("level", args.get("volume"))
            if not isinstance(level, int) or isinstance(level, bool) or not 0 <= level <= 100:
                log.error("volume needs an integer level 0..100, got %r", level)
                return False
            if self.config.volume_command and not await self._run(
                self.config.volume_command, volume=str(level)
            ):
                return False
            self.state.set_terminal(volume=level)
            return True
        if name == "reboot":
            return True
        if name == "update":
            return await self._update(args)
        log.error("unknown command %r", name)
        return False

    async def _test_tone(self) -> bool:
        if self.config.audio_output == CONSOLE:
            self._show("♪ test tone 1 kHz")
            return True
        path = self.config.state_dir / "audio" / "test-tone.wav"
        write_atomic(path, tone_wav())
        return await self._run(self.config.audio_output, file=str(path))

    async def _update(self, args: dict[str, Any]) -> bool:
        kind, version, url, sha256 = (args.get(k) for k in ("kind", "version", "url", "sha256"))
        if kind not in {"firmware", "config"} or not all(isinstance(v, str) for v in (version, url, sha256)):
            log.error("update needs kind firmware|config, version, url and sha256")
            return False
        cfg = self.config
        try:
            data = await asyncio.get_running_loop().run_in_executor(
                None,
                lambda: fetch.download(str(url), timeout=cfg.fetch_timeout_s, max_bytes=cfg.max_audio_bytes),
            )
            fetch.checked_sha256(data, str(sha256))
        except fetch.FetchFailed as exc:
            log.error("update %s %s refused: %s", kind, version, exc)
            return False
        path = cfg.state_dir / "updates" / f"{kind}-{Path(str(version)).name}"
        write_atomic(path, data)
        if cfg.update_command and not await self._run(
            cfg.update_command, file=str(path), kind=str(kind), version=str(version)
        ):
            return False
        if kind == "firmware":
            self.state.set_terminal(firmware=version)
        log.info("update %s %s installed from %s", kind, version, path)
        return True

    def _spawn(self, coro: Any) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _shutdown(self, loop: asyncio.AbstractEventLoop) -> None:
        self._stopping = True
        if self.read_stdin:
            loop.remove_reader(sys.stdin)
        pending = [t for t in (*self._tasks, self._play) if t is not None]
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        client = self._client
        if client is not None:
            if self.connected.is_set():
                info = client.publish(topics.status(self.config.serial), wire.OFFLINE, qos=1)
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(_published(info), 2.0)
            client.disconnect()
            await asyncio.sleep(0)
            sock = client.socket()
            if sock is not None:
                loop.remove_reader(sock)
                loop.remove_writer(sock)
                sock.close()
        if self._hub is not None:
            await self._hub.close()


async def _published(info: paho.MQTTMessageInfo) -> None:
    # paho signals publication with a threading condition, which a loop cannot await.
    while not info.is_published():  # noqa: ASYNC110
        await asyncio.sleep(0.02)


def tone_wav(hz: float = 1000.0, seconds: float = 2.0, rate: int = 16000) -> bytes:
    """Return a sine tone as a 16-bit mono WAV file (what `test_tone` plays)."""
    frames = b"".join(
        struct.pack("<h", int(12000 * math.sin(2 * math.pi * hz * n / rate)))
        for n in range(int(rate * seconds))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()
