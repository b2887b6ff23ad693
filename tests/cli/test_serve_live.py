"""`thanglong serve` ends the live streams on SIGTERM/SIGINT: uvicorn would otherwise wait for them."""

from __future__ import annotations

import asyncio
import json
import signal
import uuid
from typing import Any

import uvicorn

from tests.web.sse import parse_frames, run
from thanglong.cli import serve
from thanglong.core.live import Channel, ChannelRegistry, LiveHub
from thanglong.core.manifest import LiveChannel
from thanglong.core.security import Principal


async def _app(_scope: Any, _receive: Any, _send: Any) -> None:
    """Stand in for the web app: the test never serves a request."""


def test_a_stop_signal_ends_open_streams_with_a_last_event() -> None:
    hub = LiveHub(ChannelRegistry([Channel(LiveChannel("t.all", "t.read", ("t.Happened",)))]))
    server = serve._Server(uvicorn.Config(_app), hub)
    who = Principal(kind="user", id=uuid.uuid4(), permissions=frozenset({"t.read"}))

    async def go() -> list[dict[str, str]]:
        await hub.start()
        client = hub.open(who, ["t.all"], None)
        frames: list[dict[str, str]] = []
        stream = client.stream()
        # The signal handler runs outside the loop; it must only schedule the streams' end.
        await asyncio.to_thread(server.handle_exit, signal.SIGTERM, None)

        async def read() -> None:
            nonlocal frames
            async for text in stream:
                frames += parse_frames(text)

        await asyncio.wait_for(read(), 5)
        await hub.stop()
        return frames

    frames = run(go())
    assert server.should_exit
    assert frames[-1]["event"] == "closed"
    assert json.loads(frames[-1]["data"]) == {"reason": "shutdown"}
    assert hub.clients == 0
