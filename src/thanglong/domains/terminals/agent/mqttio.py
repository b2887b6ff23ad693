"""Drive paho-mqtt clients from one asyncio loop instead of a thread each (paho's external loop support).

paho tells us when its socket opens and closes and when it has bytes to write; the loop calls
`loop_read` when the socket is readable and `loop_write` when it may write, and one periodic task calls
`loop_misc` (keep-alive pings, retries) on every client it drives. One terminal uses it with one client;
the simulator uses it with thousands in one process (docs/terminals-agent.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterable
from typing import Any, Literal

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.subscribeoptions import SubscribeOptions

from thanglong.core.mqtt import parse_url

MISC_PERIOD_S = 1.0
# MQTT 5 for Mosquitto and EMQX; 3.1.1 for the platform's embedded broker (amqtt), which drops an MQTT 5
# CONNECT without any CONNACK, so a terminal configured for 5 would wait there for ever.
MqttVersion = Literal["5", "3.1.1"]
MQTT_VERSIONS: tuple[MqttVersion, ...] = ("5", "3.1.1")


def new_client(client_id: str, version: MqttVersion) -> paho.Client:
    """Return a paho client for a terminal's persistent session in the given protocol version."""
    if version == "5":
        return paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
    # MQTT 3.1.1 has no session expiry: clean_session=False keeps the session until the broker drops it.
    return paho.Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv311, clean_session=False
    )


def open_session(client: paho.Client, host: str, port: int, *, keepalive: int, session_expiry_s: int) -> None:
    """Connect keeping the session (subscriptions, queued QoS 1 messages) across connections."""
    if client.protocol != paho.MQTTv5:
        client.connect(host, port, keepalive=keepalive)
        return
    properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
    properties.SessionExpiryInterval = session_expiry_s
    client.connect(host, port, keepalive=keepalive, clean_start=False, properties=properties)


def log_in(client: paho.Client, serial: str, password: str | None, broker_url: str) -> None:
    """Set the login: the broker URL's user and password when it has them, else the terminal's own.

    A URL with credentials names a broker with one shared login, such as the platform's embedded broker
    (it admits only the platform's user); a broker with an account per terminal (Mosquitto with the
    fleet's password file) is given without them, and each terminal logs in as its serial.
    """
    address = parse_url(broker_url)
    if address.username:
        client.username_pw_set(address.username, address.password)
    elif password is not None:
        client.username_pw_set(serial, password)


def qos1(client: paho.Client, topic_names: Iterable[str]) -> list[tuple[str, Any]]:
    """Return the subscription list for `subscribe`: each topic at QoS 1, in the client's protocol's form."""
    if client.protocol == paho.MQTTv5:
        return [(name, SubscribeOptions(qos=1)) for name in topic_names]
    return [(name, 1) for name in topic_names]


class Hub:
    """The paho clients one asyncio loop drives."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self._clients: set[paho.Client] = set()
        self._misc: asyncio.Task[None] | None = None

    def attach(self, client: paho.Client) -> None:
        """Let the loop drive a client (call before connect)."""
        client.on_socket_open = self._opened
        client.on_socket_close = self._closed
        client.on_socket_register_write = self._want_write
        client.on_socket_unregister_write = self._done_writing
        self._clients.add(client)
        if self._misc is None:
            self._misc = self.loop.create_task(self._misc_loop())

    def detach(self, client: paho.Client) -> None:
        """Stop driving a client (after it has disconnected)."""
        self._clients.discard(client)

    async def close(self) -> None:
        """Stop the periodic task."""
        if self._misc is not None:
            self._misc.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._misc
            self._misc = None

    def _opened(self, client: paho.Client, _userdata: Any, sock: Any) -> None:
        self.loop.add_reader(sock, client.loop_read)
        if isinstance(sock, socket.socket):
            # Small send buffers let thousands of idle connections stay cheap (paho's example does this).
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)

    def _closed(self, _client: paho.Client, _userdata: Any, sock: Any) -> None:
        self.loop.remove_reader(sock)
        self.loop.remove_writer(sock)

    def _want_write(self, client: paho.Client, _userdata: Any, sock: Any) -> None:
        self.loop.add_writer(sock, client.loop_write)

    def _done_writing(self, _client: paho.Client, _userdata: Any, sock: Any) -> None:
        self.loop.remove_writer(sock)

    async def _misc_loop(self) -> None:
        while True:
            await asyncio.sleep(MISC_PERIOD_S)
            for client in list(self._clients):
                client.loop_misc()
