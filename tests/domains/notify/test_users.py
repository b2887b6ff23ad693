"""Sending to user accounts (through identity.api.get_user_contact)."""

from __future__ import annotations

import uuid

import pytest

from tests.domains.notify.helpers import MovableClock
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.platform import Platform
from thanglong.core.testing.factories import unique
from thanglong.domains.identity import api as identity_api
from thanglong.domains.identity.api import CITIZEN
from thanglong.domains.notify import api, services, tasks
from thanglong.domains.notify.channels import InAppChannel

ACCOUNT = {"full_name": "Trần Thị Bích Ngọc", "username": "ngoc", "login_url": "http://127.0.0.1:8000/login"}


def make_user(
    platform: Platform, *, email: str | None = "ngoc@example.vn", phone: str | None = None
) -> uuid.UUID:
    with platform.uow() as uow:
        user = identity_api.create_user(
            uow,
            actor="test",
            username=unique("ngoc"),
            password=None,
            roles=[CITIZEN],
            full_name="Trần Thị Bích Ngọc",
            email=email,
            phone=phone,
        )
    return user.id


def test_user_gets_inapp_and_email_by_default(platform: Platform, clock: MovableClock) -> None:
    platform.clock = clock
    user_id = make_user(platform)
    with platform.uow() as uow:
        ids = api.send_now(
            uow, actor="test", template_key="account_created", context=ACCOUNT, to_user=user_id
        )
        messages = [api.get_message(uow, i) for i in ids]
    assert sorted(m.channel for m in messages) == ["email", "inapp"]
    assert {m.user_id for m in messages} == {user_id}
    email = next(m for m in messages if m.channel == "email")
    assert email.address == "ngoc@example.vn"
    assert email.subject == "Tài khoản Thăng Long của Trần Thị Bích Ngọc đã được tạo"
    assert email.language == "vi"
    registry = api.ChannelRegistry([InAppChannel()])
    tasks.deliver_pending(platform, clock=clock, registry=registry)
    with platform.uow() as uow:
        [item] = services.list_inbox(uow, user_id)
    assert item.subject == "Chào mừng Trần Thị Bích Ngọc"


def test_user_without_a_phone_cannot_get_sms(platform: Platform) -> None:
    user_id = make_user(platform, phone=None)
    with platform.uow() as uow, pytest.raises(InvalidInput) as err:
        api.send(
            uow,
            actor="t",
            template_key="password_reset",
            context={"full_name": "N", "reset_url": "http://x", "expires_minutes": 30},
            to_user=user_id,
            channels=["sms"],
        )
    assert err.value.code == "no_address"


def test_user_phone_is_normalised_for_sms(platform: Platform) -> None:
    user_id = make_user(platform, phone="0912345678")
    with platform.uow() as uow:
        [mid] = api.send_now(
            uow,
            actor="t",
            template_key="password_reset",
            context={"full_name": "N", "reset_url": "http://x/r", "expires_minutes": 30},
            to_user=user_id,
            channels=["sms"],
        )
        assert api.get_message(uow, mid).address == "+84912345678"


def test_unknown_user_is_not_found(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(NotFound):
        api.send(uow, actor="t", template_key="account_created", context=ACCOUNT, to_user=uuid.uuid4())
