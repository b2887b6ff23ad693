"""The officer's queue follows the channel procedures.queue: events, who sees them, the page's markup."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.domains.identity.helpers import sign_in
from tests.domains.procedures.helpers import VALID_FORM, World, make_world
from tests.web.sse import AsgiStream, Frame, data, headers_for, run
from thanglong.core.live import ChannelRegistry, LiveHub
from thanglong.core.models import Job
from thanglong.core.platform import Platform
from thanglong.core.security import Principal
from thanglong.core.testing.plugin import relay_events
from thanglong.core.uow import RELAY_KIND
from thanglong.domains.identity import credentials
from thanglong.domains.identity import services as identity_services
from thanglong.domains.identity.api import ADMINISTRATOR, OFFICER
from thanglong.domains.procedures.dossiers import services
from thanglong.domains.procedures.dossiers.live import QUEUE_CHANNEL, officer_sees
from thanglong.web.app import build_templates, create_app
from thanglong.web.context import ShellContext

URL = f"/live?channels={QUEUE_CHANNEL}"


def _file(platform: Platform, world: World, agency: uuid.UUID | None = None) -> services.DossierDTO:
    with platform.uow() as uow:
        dossier = services.submit_dossier(
            uow,
            principal=world.citizen,
            procedure_code=world.procedure_code,
            receiving_agency_id=agency or world.agency_id,
            form_data=VALID_FORM,
        )
    return dossier


def _cookie(platform: Platform, who: Principal) -> str:
    assert who.id is not None
    with platform.uow() as uow:
        new = credentials.create_session(uow, user_id=who.id, max_age_seconds=3600)
    return ShellContext(platform, build_templates(platform)).sign_session(new.token)


def _outbox(platform: Platform, name: str) -> list[dict[str, Any]]:
    with platform.uow() as uow:
        rows = uow.session.scalars(select(Job).where(Job.kind == RELAY_KIND))
        return [
            dict(r.payload["envelope"]["payload"]) for r in rows if r.payload["envelope"]["event"] == name
        ]


def test_an_officer_sees_the_dossiers_his_agency_receives_or_decides() -> None:
    mine, other = uuid.uuid4(), uuid.uuid4()
    officer = Principal(kind="user", id=uuid.uuid4(), agency_id=mine, roles=frozenset({OFFICER}))
    admin = Principal(kind="user", id=uuid.uuid4(), roles=frozenset({ADMINISTRATOR}))
    received_here = {"receiving_agency_id": str(mine), "competent_agency_id": str(other)}
    decided_here = {"receiving_agency_id": str(other), "competent_agency_id": str(mine)}
    elsewhere = {"receiving_agency_id": str(other), "competent_agency_id": str(other)}
    assert officer_sees(officer, received_here) and officer_sees(officer, decided_here)
    assert not officer_sees(officer, elsewhere)
    assert not officer_sees(officer, {}), "an event without agencies is shown to no agency's officer"
    assert officer_sees(admin, elsewhere), "staff without an agency see every agency's queue"


def test_filing_and_acting_publish_the_agencies_and_no_personal_data(platform: Platform) -> None:
    world = make_world(platform)
    dossier = _file(platform, world)
    with platform.uow() as uow:
        services.act(uow, principal=world.officer, ref=dossier.id, action="receive")
    [submitted] = [
        p for p in _outbox(platform, "procedures.DossierSubmitted") if p["dossier_id"] == str(dossier.id)
    ]
    assert submitted == {
        "dossier_id": str(dossier.id),
        "procedure_code": world.procedure_code,
        "receiving_agency_id": str(world.agency_id),
        "competent_agency_id": str(world.agency_id),
    }
    [changed] = [
        p for p in _outbox(platform, "procedures.DossierStatusChanged") if p["dossier_id"] == str(dossier.id)
    ]
    assert changed["receiving_agency_id"] == changed["competent_agency_id"] == str(world.agency_id)
    assert (changed["old_status"], changed["new_status"], changed["action"]) == ("new", "received", "receive")
    text = repr([submitted, changed])
    assert VALID_FORM["ho_ten"] not in text and world.citizen.name not in text


def test_the_queue_page_follows_its_channel_and_reloads_its_body(
    client: TestClient, platform: Platform
) -> None:
    world = make_world(platform)
    with platform.uow() as uow:
        user = identity_services.get_user(uow, world.officer.id)  # type: ignore[arg-type]
    assert user is not None
    sign_in(client, platform, user)
    page = client.get("/officer/queue")
    assert page.status_code == 200
    html = page.text
    assert f'sse-connect="{URL}"' in html and 'hx-ext="sse"' in html
    assert 'hx-trigger="sse:procedures.queue delay:250ms, sse:reset delay:250ms"' in html
    assert 'hx-select="#queue-body" hx-target="#queue-body"' in html
    assert '<script src="/static/vendor/htmx-ext-sse/sse.min.js"></script>' in html
    assert '<script src="/static/js/live.js"></script>' in html
    dossier = _file(platform, world)
    again = client.get("/officer/queue", headers={"HX-Request": "true"})
    body = again.text[again.text.index('<div id="queue-body"') :]
    assert f'data-id="{dossier.id}"' in body


@pytest.mark.mqtt
def test_filed_and_moved_dossiers_reach_the_streams_of_their_agency_only(
    platform: Platform, mqtt_url: str
) -> None:
    world = make_world(platform)
    with platform.uow() as uow:
        admin = identity_services.create_user(
            uow, actor="test", username=f"qt{uuid.uuid4().hex[:8]}", password=None, roles=[ADMINISTRATOR]
        )
    hub = LiveHub(
        ChannelRegistry.from_manifests(platform.manifests, platform.permissions), broker_url=mqtt_url
    )
    app = create_app(platform=platform, live=hub)
    cookies = {
        "officer": _cookie(platform, world.officer),
        "outsider": _cookie(platform, world.outsider),
        "admin": _cookie(platform, Principal(kind="user", id=admin.id)),
    }

    def relay() -> None:
        assert not relay_events(platform, mqtt_url).errors

    def mine(frame: Frame, dossier: services.DossierDTO, event: str) -> bool:
        return (
            frame.get("event") == QUEUE_CHANNEL
            and data(frame)["payload"]["dossier_id"] == str(dossier.id)
            and (data(frame)["event"] == event)
        )

    async def go() -> dict[str, list[Frame]]:
        await hub.start()
        try:
            async with (
                AsgiStream(app, URL, headers_for(cookies["officer"])) as officer,
                AsgiStream(app, URL, headers_for(cookies["outsider"])) as outsider,
                AsgiStream(app, URL, headers_for(cookies["admin"])) as staff,
            ):
                for stream in (officer, outsider, staff):
                    await stream.until(lambda f: f.get("event") == "ready")
                ours = await asyncio.to_thread(_file, platform, world)
                await asyncio.to_thread(relay)
                got = await officer.until(lambda f: mine(f, ours, "procedures.DossierSubmitted"))
                await staff.until(lambda f: mine(f, ours, "procedures.DossierSubmitted"))

                def receive() -> None:
                    with platform.uow() as uow:
                        services.act(uow, principal=world.officer, ref=ours.id, action="receive")
                    relay()

                await asyncio.to_thread(receive)
                got += await officer.until(lambda f: mine(f, ours, "procedures.DossierStatusChanged"))
                # The other agency's dossier comes next in the broker's order: the outsider's first event.
                theirs = await asyncio.to_thread(_file, platform, world, world.other_agency_id)
                await asyncio.to_thread(relay)
                seen = await outsider.until(lambda f: f.get("event") == QUEUE_CHANNEL)
                assert data(seen[-1])["payload"]["dossier_id"] == str(theirs.id)
                return {"officer": got, "outsider": seen}
        finally:
            await hub.stop()

    frames = run(go())
    officer_events = [data(f) for f in frames["officer"] if f.get("event") == QUEUE_CHANNEL]
    assert all(e["payload"]["receiving_agency_id"] == str(world.agency_id) for e in officer_events)
    assert [f["id"] for f in frames["officer"] if f.get("event") == QUEUE_CHANNEL][-1] == officer_events[-1][
        "id"
    ]
    outsider_events = [data(f) for f in frames["outsider"] if f.get("event") == QUEUE_CHANNEL]
    assert all(e["payload"]["receiving_agency_id"] == str(world.other_agency_id) for e in outsider_events)
