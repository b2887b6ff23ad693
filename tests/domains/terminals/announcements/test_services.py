"""Announcement use cases: two-person rule, emergencies, rejection, notices, the released event."""

from __future__ import annotations

from datetime import timedelta

import pytest
from lxml import etree
from sqlalchemy import func, select

from tests.domains.identity.helpers import make_user
from tests.domains.terminals.announcements.helpers import BA_DINH, HOAN_KIEM, actor, approve, create, draft
from thanglong.core.bus import Event
from thanglong.core.errors import Conflict, Forbidden, InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus
from thanglong.domains.identity.api import AGENCY_HEAD, OFFICER
from thanglong.domains.notify.models import NotifyMessage
from thanglong.domains.terminals.announcements import services, targets
from thanglong.domains.terminals.announcements.audio import check_audio
from thanglong.domains.terminals.announcements.models import Announcement, AnnouncementAudio
from thanglong.domains.terminals.cap.tree import CAP_NS
from thanglong.domains.terminals.events import AnnouncementReleased
from thanglong.domains.terminals.fleet import services as fleet

NS = {"c": CAP_NS}


def _released(bus: RecordingBus) -> list[AnnouncementReleased]:
    return [e for e in bus.published if isinstance(e, AnnouncementReleased)]


def _messages(platform: Platform, template: str) -> list[tuple[object, str]]:
    """Return (recipient user id, body) of the queued messages of a template."""
    with platform.uow() as uow:
        query = select(NotifyMessage.user_id, NotifyMessage.body).where(
            NotifyMessage.template_key == template
        )
        return [(user_id, body) for user_id, body in uow.session.execute(query)]


def test_officer_drafts_another_person_approves_and_the_event_names_the_communes(
    platform: Platform, fake_bus: RecordingBus
) -> None:
    officer, head = make_user(platform, OFFICER), make_user(platform, AGENCY_HEAD)
    made = create(platform, officer, targets=[targets.communes([HOAN_KIEM, BA_DINH])])
    assert made.status == "pending" and made.communes == [BA_DINH, HOAN_KIEM]
    # The agency head hears of the draft (the drafter does not).
    told = _messages(platform, "terminals.announcement_submitted")
    assert {user for user, _ in told} == {head.id}
    released = approve(platform, head, made.id)
    assert released.state == "active" and released.decided_by == actor(head)["actor"]
    [event] = _released(fake_bus)
    assert event.communes == (BA_DINH, HOAN_KIEM) and event.msg_type == "Alert" and event.level == "routine"
    assert event.identifier == made.identifier and event.expires_at == made.expires_at
    tree = etree.fromstring(event.cap_xml.encode())
    assert tree.findtext("c:sent", namespaces=NS) is not None
    assert {user for user, _ in _messages(platform, "terminals.announcement_decided")} == {officer.id}
    with platform.uow() as uow:
        actions = [e.action for e in services.audit_trail(uow, made.id)]
    assert actions == [
        "terminals.announcement.drafted",
        "terminals.announcement.submitted",
        "terminals.announcement.approved",
    ]


def test_the_event_survives_the_durable_job_payload(platform: Platform) -> None:
    event = AnnouncementReleased(
        announcement_id=__import__("uuid").uuid4(),
        identifier="HN-1",
        msg_type="Alert",
        level="routine",
        communes=(HOAN_KIEM, BA_DINH),
        expires_at=__import__("datetime").datetime(2026, 12, 3, 10, tzinfo=__import__("datetime").UTC),
        cap_xml="<alert/>",
    )
    back = AnnouncementReleased.from_payload(
        __import__("json").loads(__import__("json").dumps(event.payload()))
    )
    assert back == event and isinstance(back, Event)


def test_an_agency_head_may_not_approve_own_routine_draft(platform: Platform, fake_bus: RecordingBus) -> None:
    head = make_user(platform, AGENCY_HEAD)
    made = create(platform, head)
    with pytest.raises(Forbidden) as caught:
        approve(platform, head, made.id)
    assert caught.value.code == "own_draft" and caught.value.message_en
    assert _released(fake_bus) == []


def test_the_duty_head_alone_may_approve_an_emergency(platform: Platform, fake_bus: RecordingBus) -> None:
    head = make_user(platform, AGENCY_HEAD)
    made = create(platform, head, level="emergency", category="flood", targets=[targets.city()])
    released = approve(platform, head, made.id)
    assert (
        released.status == "released" and released.urgency == "Immediate" and released.severity == "Extreme"
    )
    [event] = _released(fake_bus)
    assert event.communes == () and event.level == "emergency"


def test_approving_twice_is_a_conflict_and_rejection_keeps_the_reason(platform: Platform) -> None:
    officer, head, other = (
        make_user(platform, OFFICER),
        make_user(platform, AGENCY_HEAD),
        make_user(platform, AGENCY_HEAD),
    )
    made = create(platform, officer)
    approve(platform, head, made.id)
    with pytest.raises(Conflict):
        approve(platform, other, made.id)
    second = create(platform, officer)
    with platform.uow() as uow, pytest.raises(InvalidInput):
        services.reject(uow, **actor(head), announcement_id=second.id, reason="  ")
    with platform.uow() as uow:
        rejected = services.reject(uow, **actor(head), announcement_id=second.id, reason="Sai giờ cắt nước")
    assert rejected.state == "rejected" and rejected.reason == "Sai giờ cắt nước"
    decided = _messages(platform, "terminals.announcement_decided")
    assert any("Sai giờ" in body for _, body in decided)


def test_update_and_cancel_reference_the_previous_message(platform: Platform, fake_bus: RecordingBus) -> None:
    officer, head = make_user(platform, OFFICER), make_user(platform, AGENCY_HEAD)
    first = approve(platform, head, create(platform, officer).id)
    with platform.uow() as uow:
        update = services.draft_update(
            uow,
            **actor(officer),
            previous_id=first.id,
            draft=draft(platform, headline="Đổi giờ cắt nước"),
            submit=True,
        )
    released = approve(platform, head, update.id)
    root = etree.fromstring(released.cap_xml.encode())
    assert root.findtext("c:msgType", namespaces=NS) == "Update"
    refs = root.findtext("c:references", namespaces=NS)
    assert refs is not None and refs.split(",")[1] == first.identifier
    with platform.uow() as uow:
        assert services.get_announcement(uow, first.id).status == "superseded"
        cancel = services.draft_cancel(
            uow, **actor(head), previous_id=update.id, reason="Đã sửa xong đường ống"
        )
    # The duty head may approve their own Cancel (stopping is the safe direction).
    stopped = approve(platform, head, cancel.id)
    root = etree.fromstring(stopped.cap_xml.encode())
    assert root.findtext("c:msgType", namespaces=NS) == "Cancel"
    assert root.findtext("c:references", namespaces=NS).split(",")[1] == update.identifier  # type: ignore[union-attr]
    assert [e.msg_type for e in _released(fake_bus)] == ["Alert", "Update", "Cancel"]
    with platform.uow() as uow:
        assert services.get_announcement(uow, update.id).status == "cancelled"
        assert services.active_alerts(uow) == []
        with pytest.raises(Conflict):
            services.draft_cancel(uow, **actor(head), previous_id=update.id, reason="again")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"targets": [targets.circle(10.77, 106.70, 5)]}, "target_outside_hanoi"),
        (
            {"targets": [targets.polygon([(10.7, 106.6), (10.8, 106.6), (10.8, 106.7)])]},
            "target_outside_hanoi",
        ),
        ({"targets": []}, "missing_target"),
        ({"level": "routine", "urgency": "Immediate"}, "terms_do_not_fit_level"),
        ({"headline": " "}, "missing_headline"),
    ],
)
def test_bad_drafts_are_refused_and_nothing_is_stored(
    platform: Platform, changes: dict[str, object], code: str
) -> None:
    officer = make_user(platform, OFFICER)
    with pytest.raises(InvalidInput) as caught:
        create(platform, officer, **changes)
    assert caught.value.code == code and caught.value.message_vi and caught.value.message_en
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_expiry_in_the_past_or_before_start_is_refused(platform: Platform) -> None:
    officer = make_user(platform, OFFICER)
    base = draft(platform)
    with pytest.raises(InvalidInput) as past:
        create(
            platform, officer, expires=base.onset - timedelta(days=2), onset=base.onset - timedelta(days=3)
        )
    assert past.value.code == "expires_in_past"
    with pytest.raises(InvalidInput) as before:
        create(platform, officer, expires=base.onset - timedelta(minutes=1))
    assert before.value.code == "expires_before_start"


def test_audio_is_stored_with_its_digest_and_announced_as_a_resource(platform: Platform) -> None:
    officer = make_user(platform, OFFICER)
    audio = check_audio("loa.mp3", b"ID3" + b"\x00" * 500)
    made = create(platform, officer, audio=audio)
    root = etree.fromstring(made.cap_xml.encode())
    resource = root.find("c:info/c:resource", NS)
    assert resource is not None
    assert resource.findtext("c:mimeType", namespaces=NS) == "audio/mpeg"
    assert resource.findtext("c:size", namespaces=NS) == "503"
    assert resource.findtext("c:digest", namespaces=NS) == audio.sha1
    assert resource.findtext("c:uri", namespaces=NS).endswith(f"/terminals/alerts/{made.identifier}/audio")  # type: ignore[union-attr]
    with platform.uow() as uow:
        assert uow.session.scalar(select(AnnouncementAudio.sha1)) == audio.sha1
    with pytest.raises(InvalidInput) as caught:
        check_audio("x.txt", b"hello")
    assert caught.value.code == "audio_type"


def test_overlapping_programmes_on_a_shared_commune_are_warned(platform: Platform) -> None:
    officer = make_user(platform, OFFICER)
    first = create(platform, officer, schedule="daily", targets=[targets.communes([HOAN_KIEM, BA_DINH])])
    second = create(platform, officer, schedule="daily")
    apart = create(platform, officer, targets=[targets.communes(["00082"])])
    with platform.uow() as uow:
        warned = services.get_announcement(uow, second.id).overlaps
        assert [o.identifier for o in warned] == [first.identifier] and warned[0].communes == (HOAN_KIEM,)
        assert services.get_announcement(uow, apart.id).overlaps == []


def test_terminal_count_follows_the_fleet(platform: Platform) -> None:
    officer = make_user(platform, OFFICER)
    with platform.uow() as uow:
        fleet.register_household(
            uow, actor="t", code="HN-0001", head_name="A", address="1", commune_code=HOAN_KIEM
        )
    with platform.uow() as uow:
        fleet.provision_terminal(uow, actor="t", serial="TB-0001", household_code="HN-0001")
    made = create(platform, officer, targets=[targets.communes([HOAN_KIEM, BA_DINH])])
    assert made.terminal_count == 1
    city = create(platform, officer, targets=[targets.city()])
    assert city.terminal_count == 1
