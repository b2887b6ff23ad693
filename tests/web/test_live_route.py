"""GET /live: who may follow which channel (401, 403, 404, 422), the stream's headers, resuming."""

from __future__ import annotations

import asyncio
import threading
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.domains.identity.helpers import make_user, session_cookie
from tests.web.sse import AsgiStream, Frame, data, headers_for, run
from thanglong.core.live import ChannelRegistry, LiveHub
from thanglong.core.platform import Platform
from thanglong.core.security import RoleName
from thanglong.domains.identity.api import CITIZEN, OFFICER
from thanglong.web.app import create_app

QUEUE = "/live?channels=procedures.queue"


def _cookie(platform: Platform, role: RoleName) -> str:
    return session_cookie(platform, make_user(platform, role, password=None))


def _get(platform: Platform, url: str, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
    """Open the stream; return its status, headers and either the error body or the first frames."""
    app = create_app(platform=platform)

    async def go() -> tuple[int, dict[str, str], Any]:
        async with AsgiStream(app, url, headers) as stream:
            if stream.status != 200:
                return stream.status, stream.headers, await stream.error()
            frames = await stream.until(lambda f: "event" in f)
            return stream.status, stream.headers, frames

    return run(go())


def test_anonymous_callers_must_sign_in(platform: Platform) -> None:
    status, _, body = _get(platform, QUEUE, headers_for(None, accept="application/json"))
    assert (status, body["code"]) == (401, "not_authenticated")


def test_a_channel_the_caller_may_not_see_is_refused_with_403_in_both_languages(platform: Platform) -> None:
    cookie = _cookie(platform, CITIZEN)
    status, _, body = _get(platform, QUEUE, headers_for(cookie, accept="application/json"))
    assert status == 403
    assert body["code"] == "live_channel_forbidden"
    assert body["message"] == "Bạn không có quyền theo dõi kênh «procedures.queue»."
    assert body["message_en"] == "You may not follow the live channel 'procedures.queue'."
    assert body["details"] == {"channel": "procedures.queue"}


def test_unknown_channels_are_404_and_an_empty_list_422(platform: Platform) -> None:
    cookie = _cookie(platform, OFFICER)
    json_headers = headers_for(cookie, accept="application/json")
    status, _, body = _get(platform, "/live?channels=procedures.queue,no.such", json_headers)
    assert (status, body["code"]) == (404, "live_channel_not_found")
    assert "no.such" in body["message"] and "no.such" in body["message_en"]
    status, _, body = _get(platform, "/live?channels=,", json_headers)
    assert (status, body["code"]) == (422, "live_no_channel")
    status, _, _ = _get(platform, "/live", json_headers)
    assert status == 422


def test_an_officer_gets_an_event_stream_that_proxies_do_not_buffer(platform: Platform) -> None:
    status, headers, frames = _get(platform, QUEUE, headers_for(_cookie(platform, OFFICER)))
    assert status == 200
    assert headers["content-type"].startswith("text/event-stream")
    assert headers["cache-control"] == "no-cache"
    assert headers["x-accel-buffering"] == "no"
    assert frames[0] == {"retry": "2000"}
    assert frames[1]["event"] == "ready" and frames[1]["id"].startswith("origin-")


def test_last_event_id_from_the_header_or_the_query_resumes_or_resets(platform: Platform) -> None:
    cookie = _cookie(platform, OFFICER)
    unknown = str(uuid.uuid4())
    for url, extra in [(QUEUE, {"last-event-id": unknown}), (f"{QUEUE}&last_event_id={unknown}", {})]:
        status, _, frames = _get(platform, url, headers_for(cookie, **extra))
        assert status == 200
        last: Frame = frames[-1]
        assert last["event"] == "reset", url
        assert data(last) == {"reason": "unknown_last_event_id"}


@pytest.mark.mqtt
def test_the_app_lifespan_subscribes_to_the_broker_and_unsubscribes_at_shutdown(
    platform: Platform, mqtt_url: str
) -> None:
    hub = LiveHub(
        ChannelRegistry.from_manifests(platform.manifests, platform.permissions), broker_url=mqtt_url
    )
    app = create_app(platform=platform, live=hub)
    with TestClient(app):
        assert hub.subscribed, "the app serves once the subscription is active"
        live_threads = [t for t in threading.enumerate() if t.name == "thanglong-live"]
        assert len(live_threads) == 1
    assert not hub.subscribed
    assert not live_threads[0].is_alive()


def test_stopping_the_hub_ends_open_streams_with_a_last_event(platform: Platform) -> None:
    hub = LiveHub.for_platform(platform)
    app = create_app(platform=platform, live=hub)
    cookie = _cookie(platform, OFFICER)

    async def go() -> list[Frame]:
        async with AsgiStream(app, QUEUE, headers_for(cookie)) as stream:
            await stream.until(lambda f: f.get("event") == "ready")
            assert hub.clients == 1
            await hub.stop()  # what the lifespan does at shutdown
            frames = await stream.until(lambda f: f.get("event") == "closed")
            await asyncio.wait_for(stream.complete.wait(), 5)
            return frames

    frames = run(go())
    assert data(frames[-1]) == {"reason": "shutdown"}
    assert hub.clients == 0


def test_the_sse_extension_and_the_live_script_are_served_from_the_package(client: TestClient) -> None:
    for path, marker in [
        ("/static/vendor/htmx-ext-sse/sse.min.js", b'htmx.defineExtension("sse"'),
        ("/static/vendor/htmx-ext-sse/LICENSE", b"BSD Zero Clause License"),
        ("/static/js/live.js", b"htmx.createEventSource = function"),
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert marker in response.content, path
