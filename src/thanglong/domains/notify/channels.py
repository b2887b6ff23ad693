"""Channel adapters (SMTP e-mail, HTTP SMS gateway, in-app inbox) and the registry that holds them."""

from __future__ import annotations

import re
import smtplib
import ssl
import uuid
import weakref
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.header import Header
from email.mime.text import MIMEText
from email.utils import formataddr, formatdate, parseaddr
from typing import TYPE_CHECKING, Protocol

import httpx

from thanglong.core.config import Settings
from thanglong.core.errors import InvalidInput
from thanglong.core.uow import UnitOfWork
from thanglong.domains.notify.models import Channel, NotifyInboxItem

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

# Vietnamese mobile numbers: 9 digits after the country code, starting 3, 5, 7, 8 or 9.
_VN_MOBILE = re.compile(r"[35789]\d{8}")
_PHONE_SEPARATORS = re.compile(r"[\s.\-()]")
_EMAIL = re.compile(r"[^@\s<>\"',;]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+")


def normalize_vn_phone(raw: str) -> str:
    """Return a Vietnamese mobile number in E.164 (+84...), or raise InvalidInput."""
    digits = _PHONE_SEPARATORS.sub("", raw.strip())
    if digits.startswith("+84"):
        national = digits[3:]
    elif digits.startswith("0084"):
        national = digits[4:]
    elif digits.startswith("84") and len(digits) == 11:
        national = digits[2:]
    elif digits.startswith("0"):
        national = digits[1:]
    else:
        national = digits
    if not _VN_MOBILE.fullmatch(national):
        raise InvalidInput(
            "invalid_phone",
            f"Số điện thoại di động không hợp lệ: {raw!r}.",
            f"Not a valid Vietnamese mobile number: {raw!r}.",
            phone=raw,
        )
    return f"+84{national}"


def normalize_email(raw: str) -> str:
    """Return a plain e-mail address, or raise InvalidInput (also refuses header injection)."""
    address = raw.strip()
    if not _EMAIL.fullmatch(address) or len(address) > 320:
        raise InvalidInput(
            "invalid_email",
            f"Địa chỉ thư điện tử không hợp lệ: {raw!r}.",
            f"Not a valid e-mail address: {raw!r}.",
            email=raw,
        )
    return address


@dataclass(frozen=True)
class OutgoingMessage:
    """What an adapter needs to deliver one message."""

    id: uuid.UUID
    channel: str
    address: str | None
    user_id: uuid.UUID | None
    subject: str
    body: str
    language: str
    link: str | None = None


@dataclass(frozen=True)
class DeliveryResult:
    """What a provider said when it accepted a message."""

    provider_message_id: str | None = None


class DeliveryError(Exception):
    """A delivery attempt failed; `permanent` failures are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class ChannelAdapter(Protocol):
    """Deliver messages of one channel; raise DeliveryError when the provider refuses."""

    channel: str

    def deliver(self, message: OutgoingMessage, uow: UnitOfWork) -> DeliveryResult:
        """Deliver one message (uow is the open transaction that records the outcome)."""


class SmtpChannel:
    """Send e-mail with smtplib: UTF-8 MIME so that Vietnamese subjects and bodies survive."""

    channel = Channel.EMAIL.value

    def __init__(self, settings: Settings, *, timeout: float = 15.0) -> None:
        self.settings = settings
        self.timeout = timeout

    def build(self, message: OutgoingMessage) -> MIMEText:
        """Build the MIME message: UTF-8 body, RFC 2047 headers that keep every space."""
        if not message.address:
            raise DeliveryError("no e-mail address", permanent=True)
        display, sender = parseaddr(self.settings.smtp_from)
        mime = MIMEText(message.body, "plain", "utf-8")
        # email.header.Header, not EmailMessage: the modern folder moves the space between two
        # encoded words into the fold, where decoders drop it ("tiếp nhận" arrives as "tiếpnhận").
        mime["Subject"] = Header(message.subject, "utf-8", header_name="Subject").encode()
        mime["From"] = formataddr((display, sender), charset="utf-8") if display else sender
        mime["To"] = message.address
        mime["Date"] = formatdate(localtime=False, usegmt=True)
        # One Message-ID per outbox message, so a retried send is recognisable as the same mail.
        mime["Message-ID"] = f"<{message.id}@{sender.rpartition('@')[2] or 'thanglong.local'}>"
        mime["Content-Language"] = message.language
        return mime

    def deliver(self, message: OutgoingMessage, uow: UnitOfWork) -> DeliveryResult:
        """Hand the message to the configured SMTP server."""
        mime = self.build(message)
        s = self.settings
        try:
            with smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=self.timeout) as smtp:
                if s.smtp_starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if s.smtp_username:
                    password = s.smtp_password.get_secret_value() if s.smtp_password else ""
                    smtp.login(s.smtp_username, password)
                smtp.send_message(mime)
        except smtplib.SMTPRecipientsRefused as exc:
            raise DeliveryError(f"recipient refused: {exc.recipients}", permanent=True) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise DeliveryError(f"smtp {s.smtp_host}:{s.smtp_port}: {exc!r}") from exc
        return DeliveryResult(provider_message_id=str(mime["Message-ID"]))


class SmsGatewayChannel:
    """Send SMS through a generic HTTP JSON gateway: POST {to, text} with a Bearer token."""

    channel = Channel.SMS.value

    def __init__(
        self, settings: Settings, *, transport: httpx.BaseTransport | None = None, timeout: float = 15.0
    ) -> None:
        self.settings = settings
        self.transport = transport
        self.timeout = timeout

    def deliver(self, message: OutgoingMessage, uow: UnitOfWork) -> DeliveryResult:
        """Post the text to the gateway; 4xx answers (but 408 and 429) are not retried."""
        url = self.settings.sms_gateway_url
        if not url:
            raise DeliveryError("sms gateway not configured (set THANGLONG_SMS_GATEWAY_URL)")
        if not message.address:
            raise DeliveryError("no phone number", permanent=True)
        headers = {"Accept": "application/json"}
        if self.settings.sms_gateway_token is not None:
            headers["Authorization"] = f"Bearer {self.settings.sms_gateway_token.get_secret_value()}"
        payload = {"to": message.address, "text": message.body.strip()}
        try:
            with httpx.Client(transport=self.transport, timeout=self.timeout) as client:
                response = client.post(url, json=payload, headers=headers)
        except httpx.HTTPError as exc:
            raise DeliveryError(f"sms gateway unreachable: {exc!r}") from exc
        if response.status_code >= 300:
            permanent = 400 <= response.status_code < 500 and response.status_code not in {408, 429}
            raise DeliveryError(
                f"sms gateway answered {response.status_code}: {response.text[:200]}", permanent=permanent
            )
        provider_id: str | None = None
        try:
            data = response.json()
        except ValueError:
            data = None
        if isinstance(data, dict):
            found = data.get("id", data.get("message_id"))
            provider_id = str(found) if found is not None else None
        return DeliveryResult(provider_message_id=provider_id)


class InAppChannel:
    """Deliver by storing the message in the user's inbox, in the transaction that marks it sent."""

    channel = Channel.INAPP.value

    def deliver(self, message: OutgoingMessage, uow: UnitOfWork) -> DeliveryResult:
        """Add the inbox item."""
        if message.user_id is None:
            raise DeliveryError("in-app message without a user", permanent=True)
        item = NotifyInboxItem(
            user_id=message.user_id,
            message_id=message.id,
            subject=message.subject,
            body=message.body,
            created_at=uow.clock(),
            link=message.link,
        )
        uow.session.add(item)
        uow.session.flush()
        return DeliveryResult(provider_message_id=str(item.id))


class ChannelRegistry:
    """The adapters in use, by channel name; later ones replace earlier ones."""

    def __init__(self, adapters: Iterable[ChannelAdapter] = ()) -> None:
        self._adapters: dict[str, ChannelAdapter] = {}
        for adapter in adapters:
            self.register(adapter)

    def register(self, adapter: ChannelAdapter) -> None:
        """Plug an adapter in for its channel."""
        self._adapters[adapter.channel] = adapter

    def get(self, channel: str) -> ChannelAdapter | None:
        """Return the adapter of a channel, if any."""
        return self._adapters.get(channel)

    def channels(self) -> list[str]:
        """Return the channel names with an adapter."""
        return sorted(self._adapters)


def default_registry(settings: Settings) -> ChannelRegistry:
    """Build the registry of the built-in adapters from settings."""
    return ChannelRegistry([SmtpChannel(settings), SmsGatewayChannel(settings), InAppChannel()])


AdapterFactory = Callable[[Settings], ChannelAdapter]

# Adapters plugged in by other domains, keyed by platform identity (Platform is not hashable); the
# entry goes away with its platform so a new platform at a recycled address starts clean.
_plugged: dict[int, dict[str, AdapterFactory]] = {}


def plug(platform: Platform, channel: str, factory: AdapterFactory) -> None:
    """Make `factory(settings)` the adapter of `channel` for this platform's delivery passes."""
    key = id(platform)
    if key not in _plugged:
        _plugged[key] = {}
        weakref.finalize(platform, _plugged.pop, key, None)
    _plugged[key][channel] = factory


def registry_for(platform: Platform) -> ChannelRegistry:
    """Return the built-in adapters overlaid with the ones plugged in for this platform."""
    registry = default_registry(platform.settings)
    for factory in _plugged.get(id(platform), {}).values():
        registry.register(factory(platform.settings))
    return registry
