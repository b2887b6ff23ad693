"""Queueing messages: rendering at send time, the caller's transaction, templates, the inbox."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import delete, func, select

from tests.domains.notify.helpers import audit_actions, count_messages
from thanglong.core.bus import Event
from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus
from thanglong.domains.notify import api, rendering, services
from thanglong.domains.notify.events import MessageQueued
from thanglong.domains.notify.models import NotifyMessage, NotifyTemplate

ANNOUNCE = {"title": "Cắt nước", "content": "Phường Ba Đình ngừng cấp nước 8h–12h ngày 5/3."}


def test_send_to_raw_email_queues_one_rendered_message(platform: Platform, fake_bus: RecordingBus) -> None:
    with platform.uow() as uow:
        ids = api.send_now(
            uow, actor="test", template_key="announcement", context=ANNOUNCE, to_email="dan@example.vn"
        )
        [message_id] = ids
        message = api.get_message(uow, message_id)
        assert message.channel == "email"
        assert message.status == "queued"
        assert message.attempts == 0
        assert message.address == "dan@example.vn"
        assert message.subject == "[Thông báo] Cắt nước"
        assert "Phường Ba Đình ngừng cấp nước" in message.body
        assert audit_actions(uow, message_id) == ["notify.message.queued"]
    queued = [e for e in fake_bus.published if isinstance(e, MessageQueued)]
    assert [e.message_id for e in queued] == ids


def test_send_does_not_commit_it_joins_the_callers_transaction(platform: Platform) -> None:
    with platform.uow() as uow:
        before = count_messages(uow)
        api.send(uow, actor="test", template_key="announcement", context=ANNOUNCE, to_phone="0912345678")
        assert count_messages(uow) == before + 1
        uow.rollback()
        assert count_messages(uow) == before
    with platform.uow() as uow:
        assert count_messages(uow) == before


def test_missing_variable_raises_and_queues_nothing(platform: Platform, fake_bus: RecordingBus) -> None:
    with platform.uow() as uow:
        before = count_messages(uow)
        with pytest.raises(InvalidInput) as err:
            api.send(
                uow,
                actor="test",
                template_key="announcement",
                context={"title": "Chỉ có tiêu đề"},
                to_email="dan@example.vn",
                to_phone="0912345678",
            )
        assert err.value.code == "template_variable_missing"
        assert "content" in err.value.message_en
        assert count_messages(uow) == before
    assert not [e for e in fake_bus.published if isinstance(e, Event)]


def test_one_bad_channel_template_stops_every_channel(platform: Platform) -> None:
    with platform.uow() as uow:
        services.upsert_template(
            uow, actor="test", key="two", channel="email", language="vi", subject="{{ a }}", body="{{ a }}"
        )
        services.upsert_template(
            uow, actor="test", key="two", channel="sms", language="vi", subject="", body="{{ a }} {{ b }}"
        )
        before = count_messages(uow)
        with pytest.raises(InvalidInput):
            api.send(
                uow, actor="t", template_key="two", context={"a": 1}, to_email="a@b.vn", to_phone="0912345678"
            )
        assert count_messages(uow) == before


def test_raw_sms_address_is_normalised_and_bad_numbers_refused(platform: Platform) -> None:
    with platform.uow() as uow:
        [mid] = api.send_now(
            uow, actor="t", template_key="announcement", context=ANNOUNCE, to_phone="091 234 5678"
        )
        assert api.get_message(uow, mid).address == "+84912345678"
        with pytest.raises(InvalidInput) as err:
            api.send(uow, actor="t", template_key="announcement", context=ANNOUNCE, to_phone="024 3825 1234")
        assert err.value.code == "invalid_phone"


def test_english_when_asked_and_translated_else_vietnamese(platform: Platform) -> None:
    with platform.uow() as uow:
        [en] = api.send_now(
            uow, actor="t", template_key="announcement", context=ANNOUNCE, to_email="a@b.vn", language="en"
        )
        assert api.get_message(uow, en).subject == "[Notice] Cắt nước"
        services.upsert_template(
            uow,
            actor="t",
            key="vi-only",
            channel="email",
            language="vi",
            subject="Chỉ tiếng Việt",
            body="Nội dung",
        )
        [vi] = api.send_now(
            uow, actor="t", template_key="vi-only", context={}, to_email="a@b.vn", language="en"
        )
        message = api.get_message(uow, vi)
        assert (message.language, message.subject) == ("vi", "Chỉ tiếng Việt")


def test_unknown_template_channel_or_recipient_is_invalid(platform: Platform) -> None:
    with platform.uow() as uow:
        cases = [
            ({"template_key": "no-such-key", "to_email": "a@b.vn"}, "template_not_found"),
            ({"template_key": "announcement", "to_email": "a@b.vn", "channels": ["fax"]}, "unknown_channel"),
            ({"template_key": "announcement", "to_email": "a@b.vn", "channels": ["inapp"]}, "no_address"),
            ({"template_key": "announcement", "to_email": "a@b.vn", "channels": ["sms"]}, "no_address"),
            (
                {"template_key": "password_reset", "to_user": uuid.uuid4(), "to_email": "a@b.vn"},
                "ambiguous_recipient",
            ),
            ({"template_key": "announcement"}, "no_recipient"),
            ({"template_key": "announcement", "to_email": "a@b.vn", "channels": []}, "no_channel"),
            ({"template_key": "announcement", "to_email": "not-an-address"}, "invalid_email"),
        ]
        for kwargs, code in cases:
            with pytest.raises(InvalidInput) as err:
                api.send(uow, actor="t", context=ANNOUNCE, **kwargs)  # type: ignore[arg-type]
            assert err.value.code == code, kwargs


def test_defaults_install_on_first_use_and_idempotently(platform: Platform) -> None:
    with platform.uow() as uow:
        uow.session.execute(delete(NotifyTemplate))
        api.send(uow, actor="t", template_key="announcement", context=ANNOUNCE, to_email="a@b.vn")
        installed = uow.session.scalar(select(func.count()).select_from(NotifyTemplate))
        assert installed == len(rendering.default_templates())
        assert services.install_default_templates(uow, actor="t") == 0
        uow.commit()
    services.load_demo(platform)
    with platform.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(NotifyTemplate)) == installed


def test_an_edited_template_is_not_overwritten_by_the_defaults(platform: Platform) -> None:
    with platform.uow() as uow:
        services.install_default_templates(uow, actor="t")
        services.upsert_template(
            uow,
            actor="t",
            key="announcement",
            channel="email",
            language="vi",
            subject="Sửa: {{ title }}",
            body="{{ content }}",
        )
        services.install_default_templates(uow, actor="t")
        [mid] = api.send_now(uow, actor="t", template_key="announcement", context=ANNOUNCE, to_email="a@b.vn")
        assert api.get_message(uow, mid).subject == "Sửa: Cắt nước"


def test_saving_a_broken_template_is_refused(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput) as err:
        services.upsert_template(
            uow, actor="t", key="bad", channel="email", language="vi", subject="ok", body="{% for %}"
        )
    assert err.value.code == "template_syntax"


def test_status_counts_group_by_status_and_channel(platform: Platform) -> None:
    with platform.uow() as uow:
        api.send_now(
            uow,
            actor="t",
            template_key="announcement",
            context=ANNOUNCE,
            to_email="a@b.vn",
            to_phone="0912345678",
        )
        counts = {(c.status, c.channel): c.count for c in services.status_counts(uow)}
        assert counts[("queued", "email")] >= 1
        assert counts[("queued", "sms")] >= 1
        total = uow.session.scalar(select(func.count()).select_from(NotifyMessage))
        assert sum(counts.values()) == total


def test_an_idempotency_key_queues_each_channel_once(platform: Platform) -> None:
    key = f"test:{uuid.uuid4()}"
    with platform.uow() as uow:
        before = count_messages(uow)
        first = api.send(
            uow,
            actor="test",
            template_key="announcement",
            context=ANNOUNCE,
            to_email="dan@example.vn",
            to_phone="0912345678",
            idempotency_key=key,
        )
        assert len(first) == 2
        # The same call again (a retried job), then with one channel already queued and one new.
        again = api.send(
            uow,
            actor="test",
            template_key="announcement",
            context=ANNOUNCE,
            to_email="dan@example.vn",
            to_phone="0912345678",
            idempotency_key=key,
        )
        assert again == first and count_messages(uow) == before + 2
        sms = api.send(
            uow,
            actor="test",
            template_key="announcement",
            context=ANNOUNCE,
            to_phone="0912345678",
            idempotency_key=key,
        )
        assert sms == first[1:] and count_messages(uow) == before + 2
        other = api.send(
            uow, actor="test", template_key="announcement", context=ANNOUNCE, to_email="dan@example.vn"
        )
        assert count_messages(uow) == before + 3 and other[0] not in first
        keys = uow.session.scalars(select(NotifyMessage.idempotency_key).where(NotifyMessage.id.in_(first)))
        assert sorted(str(k) for k in keys) == [f"{key}:email", f"{key}:sms"]
        uow.commit()


def test_raw_addresses_may_get_both_languages_vietnamese_first(platform: Platform) -> None:
    with platform.uow() as uow:
        [mail_id, sms_id] = api.send(
            uow,
            actor="test",
            template_key="dossier_status_changed",
            context={"dossier_code": "HN-1", "procedure_name": "Cấp phép", "status_label": "Xong"},
            to_email="dan@example.vn",
            to_phone="0912345678",
            language=api.BILINGUAL,
        )
        mail, sms = api.get_message(uow, mail_id), api.get_message(uow, sms_id)
    assert mail.language == sms.language == "vi+en"
    assert mail.subject == "Hồ sơ HN-1: Xong / Dossier HN-1: Xong"
    vietnamese, english = mail.body.split("\n---\n")
    assert vietnamese.startswith("Hồ sơ HN-1 (Cấp phép)") and english.startswith("Dossier HN-1 (Cấp phép)")
    assert sms.body.index("Thăng Long: hồ sơ") < sms.body.index(" / Thăng Long: dossier")


@pytest.mark.parametrize(
    "link", ["https://evil.example/x", "//evil.example/x", "javascript:alert(1)", "/a\\b"]
)
def test_an_inbox_link_must_stay_inside_the_app(platform: Platform, link: str) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput) as err:
        api.send(
            uow,
            actor="test",
            template_key="announcement",
            context=ANNOUNCE,
            to_email="a@example.vn",
            link=link,
        )
    assert err.value.code == "invalid_link"
