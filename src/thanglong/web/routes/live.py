"""The live route: one server-sent-event stream per page, on the channels the domains declare."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from starlette.background import BackgroundTask

from thanglong.core.live import LiveHub, parse_channels
from thanglong.core.security import Principal
from thanglong.web.context import ShellContext

MAX_LAST_EVENT_ID = 200


def lifespan(hub: LiveHub) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """Return the app lifespan that runs the hub's broker subscriber while the app serves."""

    @asynccontextmanager
    async def run(_app: Any) -> AsyncIterator[None]:
        await hub.start()
        try:
            yield
        finally:
            await hub.stop()

    return run


def build_router(ctx: ShellContext, hub: LiveHub) -> APIRouter:
    """Build the router of the live endpoint."""
    router = APIRouter()

    @router.get("/live", tags=["platform"], response_class=StreamingResponse)
    async def live(
        request: Request,
        channels: str = Query(max_length=1000),
        last_event_id: str | None = Query(default=None, max_length=MAX_LAST_EVENT_ID),
        principal: Principal = ctx.authenticated(),
    ) -> StreamingResponse:
        """Stream the events of `channels` the caller may see (text/event-stream), resumable by id."""
        # The query parameter stands in for the header when a page opens a new EventSource itself.
        resume = request.headers.get("last-event-id", "")[:MAX_LAST_EVENT_ID] or last_event_id
        client = hub.open(principal, parse_channels(channels), resume)
        return StreamingResponse(
            client.stream(),
            media_type="text/event-stream",
            headers={"cache-control": "no-cache", "x-accel-buffering": "no"},
            background=BackgroundTask(client.close),
        )

    return router
