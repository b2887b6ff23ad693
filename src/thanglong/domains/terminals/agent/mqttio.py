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
from typing import Any

import paho.mqtt.client as paho

MISC_PERIOD_S = 1.0


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
