"""Channel adapters: phone and e-mail checks, SMTP against a real server, SMS over HTTP."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from pydantic import SecretStr

from tests.domains.notify.conftest import SmsGateway, SmtpServer
from tests.domains.notify.helpers import RecordingChannel
from thanglong.core.errors import InvalidInput
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import free_port
from thanglong.domains.notify.channels import (
    ChannelRegistry,
    DeliveryError,
    InAppChannel,
    OutgoingMessage,
    SmsGatewayChannel,
    SmtpChannel,
    default_registry,
    normalize_email,
    normalize_vn_phone,
    plug,
    registry_for,
)

SUBJECT = "Thông báo: hồ sơ đã được tiếp nhận — Phường Hoàn Kiếm"
BODY = "Kính gửi Ông Nguyễn Văn Đức,\nHồ sơ HN-2026-000123 đã được tiếp nhận. Trân trọng!"


def message(channel: str, address: str | None) -> OutgoingMessage:
    return OutgoingMessage(uuid.uuid4(), channel, address, None, SUBJECT, BODY, "vi")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("0912345678", "+84912345678"),
        ("091 234 5678", "+84912345678"),
        ("091.234.5678", "+84912345678"),
        ("+84 912-345-678", "+84912345678"),
        ("84912345678", "+84912345678"),
        ("0084912345678", "+84912345678"),
        ("(+84) 38 123 4567", "+84381234567"),
        ("0701234567", "+84701234567"),
        ("912345678", "+84912345678"),
    ],
)
def test_vietnamese_mobile_numbers_are_normalised_to_e164(raw: str, expected: str) -> None:
    assert normalize_vn_phone(raw) == expected


@pytest.mark.parametrize(
    "raw",
    ["", "12345", "0212345678", "02438251234", "091234567", "09123456789", "+1 415 555 0100", "09x2345678"],
)
def test_bad_phone_numbers_are_invalid_input(raw: str) -> None:
    with pytest.raises(InvalidInput) as err:
        normalize_vn_phone(raw)
    assert err.value.code == "invalid_phone"


def test_email_addresses_are_checked_and_header_injection_refused() -> None:
    assert normalize_email(" dan@hanoi.gov.vn ") == "dan@hanoi.gov.vn"
    for bad in ["dan", "dan@", "a@b", "x@y.vn\r\nBcc: z@w.vn", "a b@c.vn"]:
        with pytest.raises(InvalidInput):
            normalize_email(bad)


@pytest.mark.parametrize("subject", [SUBJECT, f"{SUBJECT} — {SUBJECT} — {SUBJECT}"])
def test_smtp_delivers_utf8_vietnamese_to_a_real_server(
    platform: Platform, smtp_server: SmtpServer, subject: str
) -> None:
    settings = platform.settings.model_copy(
        update={"smtp_host": smtp_server.host, "smtp_port": smtp_server.port}
    )
    out = OutgoingMessage(uuid.uuid4(), "email", "cong.dan@example.vn", None, subject, BODY, "vi")
    with platform.uow() as uow:
        result = SmtpChannel(settings).deliver(out, uow)
    assert smtp_server.inbox.received.wait(5)
    envelope, received = smtp_server.inbox.messages[0]
    assert envelope.rcpt_tos == ["cong.dan@example.vn"]
    assert envelope.mail_from == "no-reply@thanglong.hanoi.gov.vn"
    assert str(received["Subject"]) == subject, "every space survives RFC 2047 folding"
    assert received["From"].addresses[0].display_name == "Thăng Long"
    assert received.get_content().strip() == BODY
    assert received.get_content_charset() == "utf-8"
    assert (
        result.provider_message_id
        == str(received["Message-ID"]).strip()
        == f"<{out.id}@thanglong.hanoi.gov.vn>"
    )
    raw = received.as_bytes()
    assert b"=?utf-8?" in raw, "non-ASCII headers must be RFC 2047 encoded on the wire"


def test_smtp_server_down_is_a_transient_delivery_error(platform: Platform) -> None:
    settings = platform.settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": free_port()})
    with platform.uow() as uow, pytest.raises(DeliveryError) as err:
        SmtpChannel(settings, timeout=2).deliver(message("email", "a@example.vn"), uow)
    assert not err.value.permanent
    assert "smtp 127.0.0.1" in err.value.reason


def test_sms_goes_to_the_gateway_over_a_real_socket(platform: Platform, sms_gateway: SmsGateway) -> None:
    settings = platform.settings.model_copy(
        update={"sms_gateway_url": sms_gateway.url, "sms_gateway_token": SecretStr("tok-123")}
    )
    with platform.uow() as uow:
        result = SmsGatewayChannel(settings).deliver(message("sms", "+84912345678"), uow)
    assert result.provider_message_id == "gw-1"
    [request] = sms_gateway.requests
    assert request.path == "/v1/sms"
    assert request.headers["Authorization"] == "Bearer tok-123"
    assert request.body == {"to": "+84912345678", "text": BODY}


def _gateway(
    handler: httpx.MockTransport, platform: Platform, url: str | None = "http://gw/sms"
) -> SmsGatewayChannel:
    settings = platform.settings.model_copy(
        update={"sms_gateway_url": url, "sms_gateway_token": SecretStr("t")}
    )
    return SmsGatewayChannel(settings, transport=handler)


def test_sms_gateway_client_errors_are_permanent_server_errors_transient(platform: Platform) -> None:
    status = {"code": 400}

    def reply(request: httpx.Request) -> httpx.Response:
        assert json.loads(request.content)["to"] == "+84912345678"
        return httpx.Response(status["code"], json={"error": "nope"})

    adapter = _gateway(httpx.MockTransport(reply), platform)
    with platform.uow() as uow:
        for code, permanent in [(400, True), (401, True), (429, False), (500, False), (503, False)]:
            status["code"] = code
            with pytest.raises(DeliveryError) as err:
                adapter.deliver(message("sms", "+84912345678"), uow)
            assert err.value.permanent is permanent, code
            assert str(code) in err.value.reason


def test_sms_without_a_configured_gateway_fails_with_a_clear_reason(platform: Platform) -> None:
    adapter = _gateway(httpx.MockTransport(lambda r: httpx.Response(200)), platform, url=None)
    with platform.uow() as uow, pytest.raises(DeliveryError) as err:
        adapter.deliver(message("sms", "+84912345678"), uow)
    assert "not configured" in err.value.reason
    assert not err.value.permanent


def test_inapp_needs_a_user(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(DeliveryError) as err:
        InAppChannel().deliver(message("inapp", None), uow)
    assert err.value.permanent


def test_registry_plugs_and_replaces_adapters(platform: Platform) -> None:
    assert default_registry(platform.settings).channels() == ["email", "inapp", "sms"]
    fake = RecordingChannel("sms")
    registry = ChannelRegistry([RecordingChannel("email")])
    registry.register(fake)
    assert registry.get("sms") is fake
    assert registry.get("fax") is None
    plug(platform, "sms", lambda settings: fake)
    assert registry_for(platform).get("sms") is fake
    assert isinstance(registry_for(platform).get("email"), SmtpChannel)
