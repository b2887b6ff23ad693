"""Two app processes (uvicorn, as in production) on one database and broker both deliver every event."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.domains.identity.helpers import session_cookie
from tests.web.sse import Frame, HttpStream, data, run
from thanglong.core import migrate
from thanglong.core.db import make_engine
from thanglong.core.platform import Platform, build_platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.testing.plugin import (
    TEST_SECRET,
    create_database,
    drop_database,
    free_port,
    make_settings,
    relay_events,
)
from thanglong.domains.identity import agencies
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import OFFICER
from thanglong.domains.procedures.events import DossierSubmitted

pytestmark = pytest.mark.mqtt

QUEUE = "/live?channels=procedures.queue"
START_SECONDS = 60
# As in production: uvicorn waits for open responses at shutdown, so it is told how long to wait.
UVICORN = [sys.executable, "-m", "uvicorn", "--factory", "thanglong.web.asgi:app_from_env"]
UVICORN += ["--host", "127.0.0.1", "--timeout-graceful-shutdown", "3"]


def _wait_healthy(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"app process exited early:\n{log.read_text(errors='replace')[-3000:]}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=3) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.3)
    pytest.fail(f"{base} not healthy in {START_SECONDS} s:\n{log.read_text(errors='replace')[-3000:]}")


@pytest.fixture
def shared(tmp_path: Path, mqtt_url: str) -> Iterator[Platform]:
    """A database that really commits, migrated once, and a platform on it talking to the test broker."""
    url = create_database(tmp_path, "live")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    platform = build_platform(make_settings(tmp_path / "here", url, mqtt_url=mqtt_url))
    try:
        yield platform
    finally:
        platform.close()
        drop_database(url)


@pytest.fixture
def servers(shared: Platform, tmp_path: Path) -> Iterator[list[str]]:
    """Start two `uvicorn --factory thanglong.web.asgi:app_from_env` processes on free ports."""
    settings = shared.settings
    env = {k: v for k, v in os.environ.items() if not k.startswith("THANGLONG_")}
    env |= {
        "THANGLONG_ENV": "test",
        "THANGLONG_DATABASE_URL": settings.effective_database_url,
        "THANGLONG_MQTT_URL": settings.effective_mqtt_url,
        "THANGLONG_SECRET_KEY": TEST_SECRET,
        "THANGLONG_LOAD_DEMO_ON_FIRST_START": "false",
        "THANGLONG_RUN_JOBS_IN_PROCESS": "false",
    }
    started: list[tuple[subprocess.Popen[bytes], Path]] = []
    bases = []
    try:
        for n in range(2):
            port = free_port()
            data_dir = tmp_path / f"app{n}"
            data_dir.mkdir()
            log = data_dir / "uvicorn.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [*UVICORN, "--port", str(port)],
                    env=env | {"THANGLONG_DATA_DIR": str(data_dir)},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, log))
            bases.append(f"http://127.0.0.1:{port}")
        for (process, log), base in zip(started, bases, strict=True):
            _wait_healthy(base, process, log)
        yield bases
    finally:
        for process, _ in started:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _ in started:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


def test_both_app_processes_deliver_every_event_and_resume_each_others_ids(
    shared: Platform, servers: list[str], mqtt_url: str
) -> None:
    with shared.uow() as uow:
        code = f"{uuid.uuid4().int % 1000:03d}.00.61.H26"
        agency = agencies.create_agency(uow, actor=SYSTEM_ACTOR, code=code, name="UBND thử", short_name="")
    with shared.uow() as uow:
        officer = identity_services.create_user(
            uow,
            actor=SYSTEM_ACTOR,
            username=f"canbo{uuid.uuid4().hex[:6]}",
            password=None,
            roles=[OFFICER],
            agency_id=agency.id,
        )
    headers = {"cookie": f"tl_session={session_cookie(shared, officer)}", "accept": "text/event-stream"}

    def file_one() -> str:
        dossier_id = uuid.uuid4()
        with shared.uow() as uow:
            uow.emit(DossierSubmitted(dossier_id, "1.004194", agency.id, agency.id))
            uow.commit()
        report = relay_events(shared, mqtt_url)
        assert (report.done, report.errors) == (1, [])
        return str(dossier_id)

    def queued(dossier_id: str) -> Callable[[Frame], bool]:
        return lambda f: (
            f.get("event") == "procedures.queue" and data(f)["payload"]["dossier_id"] == dossier_id
        )

    async def go() -> dict[str, list[Frame]]:
        out: dict[str, list[Frame]] = {}
        async with httpx.AsyncClient(timeout=httpx.Timeout(30.0)) as client:
            async with (
                HttpStream(client, servers[0] + QUEUE, headers) as one,
                HttpStream(client, servers[1] + QUEUE, headers) as two,
            ):
                for stream in (one, two):
                    assert stream.status == 200
                    [ready] = [f for f in await stream.until(lambda f: "event" in f) if "event" in f]
                    assert data(ready) == {"subscribed": True}, "a process serves once it is subscribed"
                first = await asyncio.to_thread(file_one)
                out["one"] = await one.until(queued(first))
                out["two"] = await two.until(queued(first))
            # Both processes got the second event with no client of process one connected.
            second = await asyncio.to_thread(file_one)
            last_seen = out["one"][-1]["id"]
            for n, base in enumerate(servers):
                async with HttpStream(client, base + QUEUE, headers | {"last-event-id": last_seen}) as again:
                    out[f"resume{n}"] = await again.until(queued(second))
        return out

    frames = run(go())
    one, two = frames["one"][-1], frames["two"][-1]
    assert one["id"] == two["id"], "the SSE id is the outbox id, the same in every process"
    assert data(one) == data(two)
    for n in range(2):
        resumed = [f for f in frames[f"resume{n}"] if "event" in f]
        assert [f["event"] for f in resumed] == ["procedures.queue"], (
            f"process {n} replays only what was missed"
        )
