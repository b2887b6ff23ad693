"""Use cases of NGSI-LD subscriptions (CIM 009 clauses 5.8 and 5.11): CRUD, matching, delivery.

A change of an entity reaches `on_entity_changed` after the commit (a durable job); the subscriptions
whose selectors name its type (and id) are found in one statement, then idPattern, watchedAttributes,
q and geoQ are checked in Python. A match adds the entity to the subscription's pending list and queues
one `operations.subscription.notify` job; the job sends the latest state of the pending entities.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import json
import math
import os
import re
import socket
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import unquote, urlsplit

from sqlalchemy import ColumnElement, delete, func, or_, select

from thanglong.core import audit, jobs
from thanglong.core.errors import ThangLongError
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.entities.services import resolve_context
from thanglong.domains.operations.events import EntityChanged
from thanglong.domains.operations.models import Entity, Subscription, SubscriptionSelector
from thanglong.domains.operations.ngsi import normal
from thanglong.domains.operations.ngsi.context import ActiveContext
from thanglong.domains.operations.ngsi.geoquery import GeoQuery, geoquery_from_json
from thanglong.domains.operations.ngsi.problems import (
    AlreadyExists,
    BadRequestData,
    ResourceNotFound,
)
from thanglong.domains.operations.ngsi.q import Query, parse_q
from thanglong.domains.operations.ngsi.regex import UnsafePattern, compile_safe
from thanglong.domains.operations.ngsi.services import matches

JOB_KIND = "operations.subscription.notify"
TICK_KIND = "operations.subscription.tick"
# A periodic subscription ticks at most this often, whatever its timeInterval (the queue's own pace).
MIN_TICK_SECONDS = 1.0
# A periodic notification carries at most this many entities (the first by id).
MAX_PERIODIC_ENTITIES = 1000
ALLOW_PRIVATE_ENV = "THANGLONG_OPERATIONS_SUBSCRIPTIONS_ALLOW_PRIVATE"
FORMATS = ("normalized", "keyValues")
ACCEPTS = ("application/json", "application/ld+json")
MAX_LIST = 100
DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
_KNOWN = frozenset(
    {
        "id",
        "type",
        "@context",
        "description",
        "entities",
        "watchedAttributes",
        "q",
        "geoQ",
        "notification",
        "throttling",
        "expiresAt",
        "isActive",
        "subscriptionName",
        "timeInterval",
    }
)
# Table 5.2.12-2: members the broker sets; a client "shall not" provide them and the broker "shall
# ignore" them (a client often sends back what it read, so these are dropped, not refused). The
# read-only members of `notification` (timesSent, lastNotification, status...) are ignored with the
# rest of that object's members the platform does not read.
_READ_ONLY = frozenset({"status", "createdAt", "modifiedAt"})


def _bad(code: str, message_vi: str, message_en: str, **details: Any) -> BadRequestData:
    return BadRequestData(f"subscription.{code}", message_vi, message_en, **details)


def _not_found(subscription_id: str) -> ThangLongError:
    # CIM 009 (clauses 6.11.3, 6.12.3): a subscription id that is not a URI is a BadRequestData.
    try:
        normal.check_entity_id(subscription_id)
    except ThangLongError as invalid:
        return invalid
    return ResourceNotFound(
        "subscription.not_found",
        f"Không có đăng ký {subscription_id}.",
        f"No subscription {subscription_id}.",
        id=subscription_id,
    )


# ------------------------------------------------------------------------------------------- endpoint
def private_endpoints_allowed(uow: UnitOfWork) -> bool:
    """Tell whether endpoints on loopback or private addresses are allowed (outside production, or by env)."""
    if os.environ.get(ALLOW_PRIVATE_ENV, "").lower() in ("1", "true", "yes"):
        return True
    return uow.settings is None or uow.settings.env != "production"


def _private_address(text: str) -> bool:
    try:
        address = ipaddress.ip_address(text.strip("[]"))
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return bool(
        address.is_private
        or address.is_loopback
        or address.is_link_local
        or address.is_reserved
        or address.is_multicast
        or address.is_unspecified
    )


def check_endpoint(uri: Any, *, allow_private: bool) -> str:
    """Return an endpoint URI if it is absolute http(s) and, unless allowed, not on a private address."""
    if not isinstance(uri, str) or not uri:
        raise _bad(
            "endpoint",
            "notification.endpoint.uri phải là một URI.",
            "notification.endpoint.uri must be a URI.",
        )
    parts = urlsplit(uri)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _bad(
            "endpoint_scheme",
            "Điểm nhận thông báo phải là URI http hoặc https tuyệt đối.",
            "The notification endpoint must be an absolute http or https URI.",
            uri=uri,
        )
    if parts.username or parts.password:
        raise _bad(
            "endpoint_credentials",
            "Điểm nhận thông báo không được chứa tên người dùng hay mật khẩu.",
            "The notification endpoint must not carry a user name or password.",
        )
    host = parts.hostname.lower()
    if not allow_private and (host == "localhost" or host.endswith(".localhost") or _private_address(host)):
        raise _bad(
            "endpoint_private",
            "Điểm nhận thông báo trỏ vào địa chỉ nội bộ (loopback hoặc mạng riêng): không được phép.",
            "The notification endpoint points at a loopback or private address: not allowed.",
            host=host,
        )
    return uri


def resolves_to_private(host: str) -> bool:
    """Tell whether a host name resolves to any loopback or private address (checked again at delivery)."""
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return any(_private_address(str(info[4][0])) for info in infos)


# ------------------------------------------------------------------------------------------- parsing
def _names(value: Any, member: str) -> list[str]:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST:
        raise _bad(
            "names",
            f"{member} phải là danh sách tên thuộc tính (1 đến {MAX_LIST}).",
            f"{member} must be a list of attribute names (1 to {MAX_LIST}).",
            member=member,
        )
    return [normal.check_name(name, member) for name in value]


def _selectors(
    value: Any, ctx: ActiveContext
) -> tuple[list[dict[str, Any]], list[tuple[str, str | None, str | None]]]:
    if not isinstance(value, list) or not value or len(value) > MAX_LIST:
        raise _bad(
            "entities",
            f"entities phải là danh sách bộ chọn (1 đến {MAX_LIST}).",
            f"entities must be a list of selectors (1 to {MAX_LIST}).",
        )
    given: list[dict[str, Any]] = []
    expanded: list[tuple[str, str | None, str | None]] = []
    for selector in value:
        if not isinstance(selector, Mapping) or not isinstance(selector.get("type"), str):
            raise _bad(
                "selector_type",
                "Mỗi bộ chọn trong entities phải có 'type'.",
                "Every selector of entities needs a 'type'.",
            )
        entity_id = selector.get("id")
        pattern = selector.get("idPattern")
        if entity_id is not None:
            entity_id = normal.check_entity_id(entity_id)
        if pattern is not None:
            try:
                if not isinstance(pattern, str):
                    raise UnsafePattern("idPattern phải là chuỗi", "idPattern must be a string")
                compile_safe(pattern)
            except (re.error, UnsafePattern) as exc:
                raise _bad(
                    "id_pattern",
                    f"idPattern không phải biểu thức chính quy được hỗ trợ: {exc}.",
                    f"idPattern is not a supported regular expression: {exc}.",
                ) from exc
        given.append({k: selector[k] for k in ("type", "id", "idPattern") if selector.get(k) is not None})
        expanded.append((normal.expand_type(selector["type"], ctx), entity_id, pattern))
    return given, expanded


# Headers a receiverInfo may not set: the platform's own (content, @context) and the transport's.
_RESERVED_HEADERS = frozenset(
    {"content-type", "content-length", "link", "host", "transfer-encoding", "connection", "te", "upgrade"}
)
_HEADER_NAME = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$")
MAX_INFO = 20


def _key_values(value: Any, member: str) -> list[dict[str, str]]:
    """Check a receiverInfo or notifierInfo: a list of {key, value} strings (CIM 009 5.2.22, 5.2.15)."""
    if not isinstance(value, list) or len(value) > MAX_INFO:
        raise _bad(
            "endpoint_info",
            f"{member} phải là danh sách cặp {{key, value}} (tối đa {MAX_INFO}).",
            f"{member} must be a list of {{key, value}} pairs (at most {MAX_INFO}).",
            member=member,
        )
    pairs = []
    for pair in value:
        if (
            not isinstance(pair, Mapping)
            or set(pair) != {"key", "value"}
            or not isinstance(pair["key"], str)
            or not isinstance(pair["value"], str)
            or not _HEADER_NAME.match(pair["key"])
            or any(ch in pair["value"] for ch in "\r\n\0")
            or len(pair["value"]) > 2000
        ):
            raise _bad(
                "endpoint_info",
                f"Mỗi phần tử của {member} là {{key, value}} với key là tên tiêu đề và value là chuỗi.",
                f"Every item of {member} is {{key, value}}, key a header name and value a string.",
                member=member,
            )
        if member == "receiverInfo" and pair["key"].lower() in _RESERVED_HEADERS:
            raise _bad(
                "endpoint_info_reserved",
                f"receiverInfo không được đặt tiêu đề {pair['key']}.",
                f"receiverInfo may not set the header {pair['key']}.",
                key=pair["key"],
            )
        pairs.append({"key": pair["key"], "value": pair["value"]})
    return pairs


def _endpoint_info(endpoint: Mapping[str, Any]) -> dict[str, Any]:
    return {
        member: _key_values(endpoint[member], member)
        for member in ("receiverInfo", "notifierInfo")
        if member in endpoint
    }


def _notification(value: Any, allow_private: bool) -> tuple[list[str], str, str, str]:
    if not isinstance(value, Mapping):
        raise _bad("notification", "Thiếu 'notification'.", "'notification' is missing.")
    endpoint = value.get("endpoint")
    if not isinstance(endpoint, Mapping):
        raise _bad("endpoint", "Thiếu notification.endpoint.", "notification.endpoint is missing.")
    uri = check_endpoint(endpoint.get("uri"), allow_private=allow_private)
    accept = endpoint.get("accept", ACCEPTS[0])
    if accept not in ACCEPTS:
        raise _bad(
            "accept",
            "notification.endpoint.accept phải là application/json hoặc application/ld+json.",
            "notification.endpoint.accept must be application/json or application/ld+json.",
        )
    fmt = value.get("format", FORMATS[0])
    if fmt not in FORMATS:
        raise _bad(
            "format",
            "notification.format phải là normalized hoặc keyValues.",
            "notification.format must be normalized or keyValues.",
        )
    attributes = _names(value["attributes"], "notification.attributes") if "attributes" in value else []
    return attributes, fmt, uri, accept


def _positive_seconds(value: Any, member: str, code: str) -> float:
    """A member that must be a positive, finite number of seconds (throttling, timeInterval)."""
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or value <= 0
    ):
        raise _bad(
            code, f"{member} phải là số giây dương.", f"{member} must be a positive number of seconds."
        )
    return float(value)


def _throttling(value: Any) -> float:
    return _positive_seconds(value, "throttling", "throttling")


def _time_interval(value: Any) -> float:
    return _positive_seconds(value, "timeInterval", "time_interval")


def _check_periodic(row: Subscription) -> None:
    # Clause 5.2.12: timeInterval excludes watchedAttributes and throttling (it is not change-driven).
    if row.time_interval and row.watched_attributes:
        raise _bad(
            "time_interval_watched",
            "timeInterval và watchedAttributes không thể cùng có trong một đăng ký.",
            "timeInterval and watchedAttributes cannot both be in a subscription.",
        )
    if row.time_interval and row.throttling:
        raise _bad(
            "time_interval_throttling",
            "timeInterval và throttling không thể cùng có trong một đăng ký.",
            "timeInterval and throttling cannot both be in a subscription.",
        )


def _apply(
    uow: UnitOfWork, row: Subscription, body: Mapping[str, Any], ctx: ActiveContext, *, creating: bool
) -> list[tuple[str, str | None, str | None]] | None:
    """Check and copy the members of a body onto a row; return the new expanded selectors, if given."""
    unknown = sorted(set(body) - _KNOWN - _READ_ONLY)
    if unknown:
        raise _bad(
            "unknown_member",
            f"Thành viên không được hỗ trợ: {', '.join(unknown)}.",
            f"Unsupported members: {', '.join(unknown)}.",
            members=unknown,
        )
    if "timeInterval" in body:
        row.time_interval = _time_interval(body["timeInterval"])
    selectors = None
    if "entities" in body:
        row.entities, selectors = _selectors(body["entities"], ctx)
    if "watchedAttributes" in body:
        row.watched_attributes = _names(body["watchedAttributes"], "watchedAttributes")
        row.watched_expanded = [ctx.expand(name) for name in row.watched_attributes]
    if creating and not row.entities and not row.watched_attributes:
        raise _bad(
            "no_selection",
            "Đăng ký cần 'entities' hoặc 'watchedAttributes'.",
            "A subscription needs 'entities' or 'watchedAttributes'.",
        )
    _apply_query(row, body)
    if "notification" in body or creating:
        attributes, fmt, uri, accept = _notification(body.get("notification"), private_endpoints_allowed(uow))
        row.notify_attributes, row.notify_format, row.endpoint_uri, row.endpoint_accept = (
            attributes,
            fmt,
            uri,
            accept,
        )
        row.endpoint_info = _endpoint_info(body["notification"]["endpoint"])
    if "throttling" in body:
        row.throttling = _throttling(body["throttling"])
    _check_periodic(row)
    _apply_lifetime(uow, row, body)
    return selectors


def subscription_query(text: str) -> Query:
    """Parse a subscription's q, percent-decoded first (it is kept as written).

    A q is often copied from a GET URL, where clause 4.9 has it percent-encoded (the ETSI suite's
    046_05 writes `name=="Eiffel%20Tower"`); only valid %XX sequences are decoded, a lone % stays.
    """
    return parse_q(unquote(text))


def _apply_query(row: Subscription, body: Mapping[str, Any]) -> None:
    if "q" in body:
        if not isinstance(body["q"], str):
            raise _bad("q", "q phải là chuỗi.", "q must be a string.")
        subscription_query(body["q"])
        row.q = body["q"]
    if "geoQ" in body:
        _geo(body["geoQ"])
        row.geo_q = dict(body["geoQ"])


def _apply_lifetime(uow: UnitOfWork, row: Subscription, body: Mapping[str, Any]) -> None:
    if "expiresAt" in body:
        expires = normal.parse_instant(body["expiresAt"], "expiresAt")
        if expires <= uow.clock():
            raise _bad("expired", "expiresAt đã qua.", "expiresAt is in the past.")
        row.expires_at = expires
    if "isActive" in body:
        if not isinstance(body["isActive"], bool):
            raise _bad("is_active", "isActive phải là true hoặc false.", "isActive must be true or false.")
        row.is_active = body["isActive"]
    if "description" in body:
        if not isinstance(body["description"], str):
            raise _bad("description", "description phải là chuỗi.", "description must be a string.")
        row.description = body["description"][:2000]


def _geo(value: Any) -> GeoQuery:
    query = geoquery_from_json(value)
    if isinstance(value, Mapping) and "geoproperty" in value:
        return dataclasses.replace(query, geoproperty=normal.check_name(value["geoproperty"], "geoproperty"))
    return query


def _object(body: Any) -> Mapping[str, Any]:
    if not isinstance(body, Mapping):
        raise _bad("not_object", "Nội dung phải là một đối tượng JSON.", "The body must be a JSON object.")
    return body


def _replace_selectors(
    uow: UnitOfWork, row: Subscription, selectors: Sequence[tuple[str, str | None, str | None]]
) -> None:
    uow.session.execute(delete(SubscriptionSelector).where(SubscriptionSelector.subscription_row == row.id))
    wanted: list[tuple[str | None, str | None, str | None]] = list(selectors) or [(None, None, None)]
    for entity_type, entity_id, pattern in wanted:
        uow.session.add(
            SubscriptionSelector(
                subscription_row=row.id, entity_type=entity_type, entity_id=entity_id, id_pattern=pattern
            )
        )


# ------------------------------------------------------------------------------------------- CRUD
def create_subscription(uow: UnitOfWork, *, actor: str, body: Any, context: Any) -> str:
    """Create a subscription (409 if its id is taken); return its id."""
    forget_watched_types(uow)
    body = _object(body)
    if body.get("type") != "Subscription":
        raise _bad("type", "'type' phải là \"Subscription\".", "'type' must be \"Subscription\".")
    subscription_id = (
        normal.check_entity_id(body["id"]) if "id" in body else f"urn:ngsi-ld:Subscription:{uuid.uuid4()}"
    )
    if uow.session.scalar(select(Subscription.id).where(Subscription.subscription_id == subscription_id)):
        raise AlreadyExists(
            "subscription.exists",
            f"Đăng ký {subscription_id} đã tồn tại.",
            f"Subscription {subscription_id} already exists.",
            id=subscription_id,
        )
    ctx = resolve_context(uow, context)
    now = uow.clock()
    row = Subscription(
        id=uuid.uuid4(),
        subscription_id=subscription_id,
        description="",
        entities=[],
        watched_attributes=[],
        watched_expanded=[],
        geo_q={},
        notify_attributes=[],
        endpoint_info={},
        throttling=0.0,
        is_active=True,
        context={"spec": context},
        created_by=actor,
        created_at=now,
        modified_at=now,
        times_sent=0,
        consecutive_failures=0,
        last_error="",
        pending=[],
    )
    selectors = _apply(uow, row, body, ctx, creating=True)
    uow.session.add(row)
    uow.session.flush()
    _replace_selectors(uow, row, selectors or [])
    if row.time_interval:
        schedule_tick(uow, row, now)
    audit.record(
        uow,
        actor=actor,
        action="operations.subscriptions.create",
        object_type="operations.subscription",
        object_id=subscription_id,
        after={"endpoint": row.endpoint_uri, "entities": row.entities, "watched": row.watched_attributes},
    )
    uow.commit()
    return subscription_id


def _row(uow: UnitOfWork, subscription_id: str) -> Subscription:
    row = uow.session.scalar(select(Subscription).where(Subscription.subscription_id == subscription_id))
    if row is None:
        raise _not_found(subscription_id)
    return row


def _when(at: datetime | None) -> str | None:
    return normal.utc_text(at) if at is not None else None


def _renamer(
    uow: UnitOfWork, row: Subscription, reader: ActiveContext | None, cache: dict[str, ActiveContext]
) -> Callable[[str], str]:
    """Return how a name the subscriber wrote reads in the reader's @context (itself without one)."""
    if reader is None:
        return lambda name: name
    spec = row.context.get("spec")
    key = json.dumps(spec, sort_keys=True)
    if key not in cache:
        cache[key] = resolve_context(uow, spec)
    written = cache[key]
    return lambda name: reader.compact(written.expand(name))


def _render_notification(row: Subscription, name: Callable[[str], str]) -> dict[str, Any]:
    notification: dict[str, Any] = {
        "format": row.notify_format,
        "endpoint": {"uri": row.endpoint_uri, "accept": row.endpoint_accept, **(row.endpoint_info or {})},
        "timesSent": row.times_sent,
    }
    if row.notify_attributes:
        notification["attributes"] = [name(attribute) for attribute in row.notify_attributes]
    if row.notify_status:
        notification["status"] = row.notify_status
    for key, value in (
        ("lastNotification", row.last_notification),
        ("lastSuccess", row.last_success),
        ("lastFailure", row.last_failure),
    ):
        if value is not None:
            notification[key] = _when(value)
    if row.consecutive_failures:
        notification["consecutiveFailures"] = row.consecutive_failures
    return notification


def render(row: Subscription, now: datetime, rename: Callable[[str], str] | None = None) -> dict[str, Any]:
    """Return a subscription as NGSI-LD JSON, with its notification status.

    `rename` turns the names the subscriber wrote (types, attributes) into those of the reader's
    @context: a subscription is JSON-LD, read with the @context of the request that reads it.
    """
    name = rename or (lambda written: written)
    out: dict[str, Any] = {"id": row.subscription_id, "type": "Subscription"}
    if row.description:
        out["description"] = row.description
    if row.entities:
        out["entities"] = [
            {**selector, "type": name(selector["type"])}
            if isinstance(selector.get("type"), str)
            else selector
            for selector in row.entities
        ]
    if row.watched_attributes:
        out["watchedAttributes"] = [name(attribute) for attribute in row.watched_attributes]
    if row.q:
        out["q"] = row.q
    if row.geo_q:
        out["geoQ"] = row.geo_q
    out["notification"] = _render_notification(row, name)
    if row.throttling:
        out["throttling"] = _number(row.throttling)
    if row.time_interval:
        out["timeInterval"] = _number(row.time_interval)
    if row.expires_at is not None:
        out["expiresAt"] = _when(row.expires_at)
    if not row.is_active:
        # Optional with default true (clause 5.2.12): shown when it is not the default; status says it too.
        out["isActive"] = False
    out["status"] = _status(row, now)
    return out


def _number(value: float) -> int | float:
    # A whole number of seconds is rendered as it was most likely written (5, not 5.0).
    return int(value) if value.is_integer() else value


def _expired(row: Subscription, now: datetime) -> bool:
    return row.expires_at is not None and row.expires_at <= now


def _status(row: Subscription, now: datetime) -> str:
    if _expired(row, now):
        return "expired"
    return "active" if row.is_active else "paused"


def get_subscription(uow: UnitOfWork, subscription_id: str, *, context: Any = None) -> dict[str, Any]:
    """Return one subscription (404 ResourceNotFound), its names in the reader's @context (core if None)."""
    row = _row(uow, subscription_id)
    return render(row, uow.clock(), _renamer(uow, row, resolve_context(uow, context), {}))


def list_subscriptions(
    uow: UnitOfWork, *, limit: int = DEFAULT_LIMIT, offset: int = 0, context: Any = None
) -> list[dict[str, Any]]:
    """Return a page of subscriptions in the order they were created."""
    return page_subscriptions(uow, limit=limit, offset=offset, context=context)[0]


def count_subscriptions(uow: UnitOfWork) -> int:
    """Return how many subscriptions there are (NGSILD-Results-Count)."""
    return int(uow.session.scalar(select(func.count()).select_from(Subscription)) or 0)


def page_subscriptions(
    uow: UnitOfWork, *, limit: int = DEFAULT_LIMIT, offset: int = 0, context: Any = None
) -> tuple[list[dict[str, Any]], bool]:
    """Return a page of subscriptions in creation order, and whether another page follows it."""
    if not 0 < limit <= MAX_LIMIT or offset < 0:
        raise _bad(
            "page",
            f"limit phải từ 1 đến {MAX_LIMIT} và offset không âm.",
            f"limit must be 1 to {MAX_LIMIT} and offset not negative.",
        )
    rows = uow.session.scalars(
        select(Subscription)
        .order_by(Subscription.created_at, Subscription.subscription_id)
        .limit(limit + 1)
        .offset(offset)
    )
    now = uow.clock()
    reader = resolve_context(uow, context)
    cache: dict[str, ActiveContext] = {}
    page = [render(row, now, _renamer(uow, row, reader, cache)) for row in rows]
    return page[:limit], len(page) > limit


def update_subscription(
    uow: UnitOfWork, *, actor: str, subscription_id: str, body: Any, context: Any
) -> None:
    """Change the members a PATCH names (the id and type stay)."""
    forget_watched_types(uow)
    body = _object(body)
    if "id" in body and body["id"] != subscription_id:
        raise _bad("id_changed", "Không thể đổi id của đăng ký.", "A subscription's id cannot change.")
    if "type" in body and body["type"] != "Subscription":
        raise _bad("type", "'type' phải là \"Subscription\".", "'type' must be \"Subscription\".")
    row = _row(uow, subscription_id)
    ctx = resolve_context(uow, context if context is not None else row.context.get("spec"))
    selectors = _apply(uow, row, body, ctx, creating=False)
    if selectors is not None:
        _replace_selectors(uow, row, selectors)
    if context is not None:
        row.context = {"spec": context}
    now = uow.clock()
    row.modified_at = now
    if row.time_interval and ("timeInterval" in body or row.next_tick_at is None):
        # A new interval restarts the ticks (the old chain's next job is then stale); so does a
        # subscription whose ticks stopped (paused or expired) when it is changed.
        schedule_tick(uow, row, now)
    audit.record(
        uow,
        actor=actor,
        action="operations.subscriptions.update",
        object_type="operations.subscription",
        object_id=subscription_id,
        after={"members": sorted(body)},
    )
    uow.commit()


def delete_subscription(uow: UnitOfWork, *, actor: str, subscription_id: str) -> None:
    """Delete a subscription and its selectors (a queued notification then finds nothing to send)."""
    forget_watched_types(uow)
    row = _row(uow, subscription_id)
    uow.session.execute(delete(SubscriptionSelector).where(SubscriptionSelector.subscription_row == row.id))
    uow.session.delete(row)
    audit.record(
        uow,
        actor=actor,
        action="operations.subscriptions.delete",
        object_type="operations.subscription",
        object_id=subscription_id,
    )
    uow.commit()


# ------------------------------------------------------------------------------------------- matching
def _notifies_on_change(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """Return the conditions of a subscription notified on change: active, not periodic, not expired."""
    return (
        Subscription.is_active.is_(True),
        Subscription.time_interval <= 0,
        or_(Subscription.expires_at.is_(None), Subscription.expires_at > now),
    )


def _candidates(
    uow: UnitOfWork, event: EntityChanged, now: datetime
) -> list[tuple[Subscription, list[str | None]]]:
    """Return the active subscriptions whose selectors name the entity's type and id, with their patterns."""
    statement = (
        select(Subscription, SubscriptionSelector.id_pattern)
        .join(SubscriptionSelector, SubscriptionSelector.subscription_row == Subscription.id)
        .where(
            *_notifies_on_change(now),
            or_(
                SubscriptionSelector.entity_type == event.entity_type,
                SubscriptionSelector.entity_type.is_(None),
            ),
            or_(SubscriptionSelector.entity_id.is_(None), SubscriptionSelector.entity_id == event.entity_id),
        )
        .order_by(Subscription.id)
        .with_for_update(of=Subscription)
    )
    grouped: dict[uuid.UUID, tuple[Subscription, list[str | None]]] = {}
    for row, pattern in uow.session.execute(statement):
        grouped.setdefault(row.id, (row, []))[1].append(pattern)
    return list(grouped.values())


def _watched(row: Subscription, event: EntityChanged) -> bool:
    if not row.watched_attributes:
        return True
    # Events carry names compacted with the writer's @context: accept either form of a watched name.
    names = set(row.watched_attributes) | set(row.watched_expanded)
    return bool(names & set(event.attributes))


def _selected(patterns: Sequence[str | None], entity_id: str) -> bool:
    if any(pattern is None for pattern in patterns):
        return True
    return any(compile_safe(pattern).search(entity_id) for pattern in patterns if pattern is not None)


WATCHED_TYPES = "operations.subscriptions.watched_types"


def _watched_types(uow: UnitOfWork) -> set[str | None]:
    """Return the entity types the active change subscriptions select (None: any), once per transaction."""
    cached = uow.session.info.get(WATCHED_TYPES)
    # The transaction object itself is kept with the answer: a new transaction (after a commit) asks again.
    if cached is not None and cached[0] is uow.session.get_transaction():
        types: set[str | None] = cached[1]
        return types
    statement = (
        select(SubscriptionSelector.entity_type)
        .join(Subscription, SubscriptionSelector.subscription_row == Subscription.id)
        .where(*_notifies_on_change(uow.clock()))
        .distinct()
    )
    types = set(uow.session.scalars(statement))
    # Read after the query, which begins the transaction when none had begun yet.
    uow.session.info[WATCHED_TYPES] = (uow.session.get_transaction(), types)
    return types


def forget_watched_types(uow: UnitOfWork) -> None:
    """Drop the transaction's answer of `_watched_types` (a subscription was created, changed or deleted)."""
    uow.session.info.pop(WATCHED_TYPES, None)


def may_notify(uow: UnitOfWork, event: EntityChanged) -> bool:
    """Tell whether any active subscription may watch the change (else no job is queued for it).

    Asked in the writer's transaction for each change; one query per transaction. A city without
    subscriptions on its sensors' types queues nothing for their readings.
    """
    if event.change == "deleted":
        return False
    types = _watched_types(uow)
    return None in types or event.entity_type in types


def on_entity_changed(uow: UnitOfWork, event: EntityChanged) -> None:
    """Queue a notification for every active subscription the change matches (after commit)."""
    if event.change == "deleted":
        return
    now = uow.clock()
    candidates = [
        row
        for row, patterns in _candidates(uow, event, now)
        if _selected(patterns, event.entity_id) and _watched(row, event)
    ]
    if not candidates:
        return
    entity = uow.session.scalar(select(Entity).where(Entity.entity_id == event.entity_id))
    if entity is None:
        return
    # Subscriptions mostly share a few @contexts: each is resolved once per change, not once per match.
    contexts: dict[str, ActiveContext] = {}
    for row in candidates:
        if row.q or row.geo_q:
            spec = row.context.get("spec")
            key = json.dumps(spec, sort_keys=True)
            if key not in contexts:
                contexts[key] = resolve_context(uow, spec)
            ctx = contexts[key]
            compacted = normal.compacted_for_query(entity.entity_id, entity.entity_type, entity.attrs, ctx)
            q: Query | None = subscription_query(row.q) if row.q else None
            geo = _geo(row.geo_q) if row.geo_q else None
            if not matches(compacted, q, geo):
                continue
        schedule(uow, row, event.entity_id, now)


def schedule(uow: UnitOfWork, row: Subscription, entity_id: str, now: datetime) -> None:
    """Add an entity to a subscription's pending notification and queue its delivery, throttled."""
    if entity_id not in row.pending:
        row.pending = [*row.pending, entity_id]
    if row.throttling and row.next_allowed_at is not None and now < row.next_allowed_at:
        # Within the window: the change joins the notification already due at its end (one job per slot).
        slot = row.next_allowed_at
        jobs.enqueue(
            uow,
            JOB_KIND,
            {"subscription": str(row.id)},
            idempotency_key=f"{JOB_KIND}:{row.id}:{slot.isoformat()}",
            run_after=slot,
        )
        return
    if row.throttling:
        row.next_allowed_at = now + timedelta(seconds=row.throttling)
    jobs.enqueue(uow, JOB_KIND, {"subscription": str(row.id)}, run_after=now)


# ------------------------------------------------------------------------------------------- periodic
def schedule_tick(uow: UnitOfWork, row: Subscription, now: datetime) -> None:
    """Queue the next tick of a periodic subscription, one interval from now (earlier ticks go stale)."""
    at = now + timedelta(seconds=max(row.time_interval, MIN_TICK_SECONDS))
    row.next_tick_at = at
    jobs.enqueue(
        uow,
        TICK_KIND,
        {"subscription": str(row.id), "at": at.isoformat()},
        idempotency_key=f"{TICK_KIND}:{row.id}:{at.isoformat()}",
        run_after=at,
    )


def matching_entity_ids(uow: UnitOfWork, row: Subscription) -> list[str]:
    """Return the ids of the entities a subscription selects now (selectors, q, geoQ), at most a cap."""
    selectors = list(
        uow.session.scalars(
            select(SubscriptionSelector).where(SubscriptionSelector.subscription_row == row.id)
        )
    )
    clauses = []
    for selector in selectors:
        if selector.entity_type is None:
            continue
        clause = Entity.entity_type == selector.entity_type
        if selector.entity_id is not None:
            clause = clause & (Entity.entity_id == selector.entity_id)
        clauses.append(clause)
    if not clauses:
        return []
    q: Query | None = subscription_query(row.q) if row.q else None
    geo = _geo(row.geo_q) if row.geo_q else None
    ctx = resolve_context(uow, row.context.get("spec")) if q is not None or geo is not None else None
    found: list[str] = []
    for entity in uow.session.scalars(select(Entity).where(or_(*clauses)).order_by(Entity.entity_id)):
        patterns = [
            s.id_pattern
            for s in selectors
            if s.entity_type == entity.entity_type and s.entity_id in (None, entity.entity_id)
        ]
        if not _selected(patterns, entity.entity_id):
            continue
        if ctx is not None:
            compacted = normal.compacted_for_query(entity.entity_id, entity.entity_type, entity.attrs, ctx)
            if not matches(compacted, q, geo):
                continue
        found.append(entity.entity_id)
        if len(found) >= MAX_PERIODIC_ENTITIES:
            break
    return found


def tick(uow: UnitOfWork, subscription_row: str, at: str) -> None:
    """Run one tick of a periodic subscription: queue the next, and a notification of what it selects."""
    row = uow.session.scalar(
        select(Subscription).where(Subscription.id == uuid.UUID(subscription_row)).with_for_update()
    )
    if row is None or not row.time_interval or row.next_tick_at is None:
        return
    if row.next_tick_at != datetime.fromisoformat(at):
        return  # stale: the interval changed, or the ticks were restarted since this job was queued
    now = uow.clock()
    if not row.is_active or _expired(row, now):
        row.next_tick_at = None  # stopped; a change to the subscription starts the ticks again
        return
    schedule_tick(uow, row, now)
    entity_ids = matching_entity_ids(uow, row)
    if not entity_ids:
        return
    row.pending = entity_ids
    jobs.enqueue(
        uow,
        JOB_KIND,
        {"subscription": str(row.id)},
        idempotency_key=f"{JOB_KIND}:{row.id}:tick:{at}",
        run_after=now,
    )


# ------------------------------------------------------------------------------------------- delivery
class NotificationFailed(Exception):
    """The endpoint could not be reached or did not answer 2xx (the job queue retries)."""


def notification_body(uow: UnitOfWork, row: Subscription, now: datetime) -> dict[str, Any] | None:
    """Return the Notification of the pending entities' latest state, or None when none is left."""
    if not row.pending:
        return None
    ctx = resolve_context(uow, row.context.get("spec"))
    entities = {
        e.entity_id: e for e in uow.session.scalars(select(Entity).where(Entity.entity_id.in_(row.pending)))
    }
    pick = frozenset(ctx.expand(name) for name in row.notify_attributes) if row.notify_attributes else None
    data = [
        normal.render_entity(
            e.entity_id,
            e.entity_type,
            e.attrs,
            ctx,
            key_values=row.notify_format == "keyValues",
            pick=pick,
        )
        for entity_id in row.pending
        if (e := entities.get(entity_id)) is not None
    ]
    if not data:
        return None
    return {
        "id": f"urn:ngsi-ld:Notification:{uuid.uuid4()}",
        "type": "Notification",
        "subscriptionId": row.subscription_id,
        "notifiedAt": normal.utc_text(now),
        "data": data,
    }


def record_success(row: Subscription, now: datetime) -> None:
    """Record a delivered notification on the subscription."""
    row.pending = []
    row.times_sent += 1
    row.last_notification = now
    row.last_success = now
    row.consecutive_failures = 0
    row.notify_status = "ok"
    if row.throttling:
        row.next_allowed_at = now + timedelta(seconds=row.throttling)


def record_failure(uow: UnitOfWork, subscription_row: str, error: str) -> None:
    """Record a failed notification attempt on the subscription (its pending changes stay)."""
    row = uow.session.get(Subscription, uuid.UUID(subscription_row))
    if row is None:
        return
    now = uow.clock()
    row.times_sent += 1
    row.last_notification = now
    row.last_failure = now
    row.consecutive_failures += 1
    row.notify_status = "failed"
    row.last_error = error[:2000]


def receiver_headers(row: Subscription) -> dict[str, str]:
    """Return the headers a subscription's receiverInfo adds to each notification."""
    return {pair["key"]: pair["value"] for pair in (row.endpoint_info or {}).get("receiverInfo", [])}


def context_link(row: Subscription) -> str | None:
    """Return the @context URL to name in a Link header, when the subscription's context is one URL.

    A list of one URL (how the ETSI suite and many clients write a body @context) is that URL too.
    """
    spec = row.context.get("spec")
    if isinstance(spec, list) and len(spec) == 1:
        spec = spec[0]
    return spec if isinstance(spec, str) else None
