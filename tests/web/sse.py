"""Test helpers for server-sent events: drive a streaming ASGI response and split its frames."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Callable, Coroutine, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI

from thanglong.web.context import CSRF_COOKIE, SESSION_COOKIE

T = TypeVar("T")
Frame = dict[str, str]


def run(coro: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine on a fresh loop in its own thread (a browser test may hold this thread's loop)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


def parse_frames(text: str) -> list[Frame]:
    """Split SSE text into frames: {"id", "event", "data"}, {"retry"} or {"comment"}."""
    out = []
    for block in text.split("\n\n"):
        if not block.strip("\n"):
            continue
        fields: Frame = {}
        for line in block.split("\n"):
            if line.startswith(":"):
                fields["comment"] = line
                continue
            name, _, value = line.partition(": ")
            fields[name] = value
        out.append(fields)
    return out


def data(frame: Frame) -> dict[str, Any]:
    """Return the JSON data of a frame."""
    body: dict[str, Any] = json.loads(frame["data"])
    return body


def headers_for(cookie: str | None, **extra: str) -> dict[str, str]:
    """Return browser-like request headers with a session cookie (or none) and a CSRF cookie."""
    cookies = [f"{CSRF_COOKIE}={secrets.token_urlsafe(16)}"]
    if cookie:
        cookies.append(f"{SESSION_COOKIE}={cookie}")
    return {"host": "testserver", "accept": "text/event-stream", "cookie": "; ".join(cookies), **extra}


class AsgiStream:
    """One GET against an ASGI app whose response may never end: status first, then frames as they come."""

    def __init__(self, app: FastAPI, url: str, headers: dict[str, str]) -> None:
        parts = urlsplit(url)
        self.scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": parts.path,
            "raw_path": parts.path.encode(),
            "query_string": parts.query.encode(),
            "root_path": "",
            "headers": [(k.lower().encode(), v.encode("latin-1")) for k, v in headers.items()],
            "client": ("192.0.2.10", 50000),
            "server": ("testserver", 80),
            "state": {},
        }
        self.app = app
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""
        self.frames: list[Frame] = []
        self.complete = asyncio.Event()
        self._started = asyncio.Event()
        self._chunk = asyncio.Event()
        self._disconnect = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._parsed = 0

    async def __aenter__(self) -> AsgiStream:
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": b"", "more_body": False}
            await self._disconnect.wait()
            return {"type": "http.disconnect"}

        async def send(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                self.status = message["status"]
                self.headers = {k.decode().lower(): v.decode("latin-1") for k, v in message["headers"]}
                self._started.set()
            elif message["type"] == "http.response.body":
                self.body += message.get("body", b"")
                self._chunk.set()
                if not message.get("more_body", False):
                    self.complete.set()

        self._task = asyncio.create_task(self.app(self.scope, receive, send))
        await asyncio.wait_for(self._started.wait(), 10)
        return self

    async def __aexit__(
        self, _t: type[BaseException] | None, _e: BaseException | None, _tb: TracebackType | None
    ) -> None:
        self._disconnect.set()
        if self._task is not None:
            await asyncio.wait_for(self._task, 10)

    async def error(self) -> dict[str, Any]:
        """Return the JSON body of a non-streaming (error) response."""
        await asyncio.wait_for(self.complete.wait(), 10)
        body: dict[str, Any] = json.loads(self.body)
        return body

    async def until(self, match: Callable[[Frame], bool], within: float = 10.0) -> list[Frame]:
        """Read frames until one matches (inclusive); return the frames this call read."""
        start = len(self.frames)

        async def read() -> None:
            while True:
                end = self.body.find(b"\n\n", self._parsed)
                if end >= 0:
                    block = self.body[self._parsed : end + 2].decode("utf-8")
                    self._parsed = end + 2
                    for frame in parse_frames(block):
                        self.frames.append(frame)
                        if match(frame):
                            return
                    continue
                if self.complete.is_set():
                    raise AssertionError(f"the stream ended without a matching frame: {self.frames}")
                self._chunk.clear()
                await self._chunk.wait()

        await asyncio.wait_for(read(), within)
        return self.frames[start:]


class HttpStream:
    """One GET over HTTP against a running server, read frame by frame (httpx streaming)."""

    def __init__(self, client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> None:
        self.client = client
        self.url = url
        self.request_headers = headers
        self.frames: list[Frame] = []
        self.status = 0
        self._buffer = ""
        self._context: Any = None
        self._chunks: AsyncIterator[str] | None = None

    async def __aenter__(self) -> HttpStream:
        self._context = self.client.stream("GET", self.url, headers=self.request_headers)
        response = await self._context.__aenter__()
        self.status = response.status_code
        self._chunks = response.aiter_text()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self._context.__aexit__(t, e, tb)

    async def until(self, match: Callable[[Frame], bool], within: float = 10.0) -> list[Frame]:
        """Read frames until one matches (inclusive); return the frames this call read."""
        assert self._chunks is not None
        start = len(self.frames)

        async def read() -> None:
            assert self._chunks is not None
            while True:
                end = self._buffer.find("\n\n")
                if end >= 0:
                    block, self._buffer = self._buffer[: end + 2], self._buffer[end + 2 :]
                    for frame in parse_frames(block):
                        self.frames.append(frame)
                        if match(frame):
                            return
                    continue
                self._buffer += await self._chunks.__anext__()

        await asyncio.wait_for(read(), within)
        return self.frames[start:]
