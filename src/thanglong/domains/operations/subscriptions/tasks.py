"""The notification job (kind operations.subscription.notify): POST the Notification, record the outcome."""

from __future__ import annotations

import uuid
from datetime import datetime
from urllib.parse import urlsplit

import httpx
from sqlalchemy import select

from thanglong.core.jobs import Job, JobContext, PermanentJobError
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.models import Subscription
from thanglong.domains.operations.subscriptions import services

# Well under the job's lease (300 s): a slow endpoint fails the attempt, the queue retries later.
TIMEOUT_SECONDS = 10.0
CONTEXT_REL = "http://www.w3.org/ns/json-ld#context"
CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context-v1.8.jsonld"


def deliver(job: JobContext) -> None:
    """Send a subscription's pending changes as one Notification; raise to have the queue retry."""
    uow = job.uow
    row = uow.session.scalar(
        select(Subscription)
        .where(Subscription.id == uuid.UUID(job.job.payload["subscription"]))
        .with_for_update()
    )
    if row is None:
        return
    now = uow.clock()
    if not row.is_active or (row.expires_at is not None and row.expires_at <= now):
        row.pending = []
        return
    body = services.notification_body(uow, row, now)
    if body is None:
        row.pending = []
        return
    host = urlsplit(row.endpoint_uri).hostname or ""
    if not services.private_endpoints_allowed(uow) and services.resolves_to_private(host):
        # Checked again at delivery: a name may have been re-pointed at an inside address since.
        raise PermanentJobError(f"endpoint host {host} resolves to a private address")
    headers = {**services.receiver_headers(row), "Content-Type": row.endpoint_accept}
    link = services.context_link(row)
    if row.endpoint_accept == "application/ld+json":
        # JSON-LD: the @context on the Notification and on every entity of data, so that each entity
        # can be taken out of the notification and still be read (as the ETSI suite, 046_14, expects).
        context = row.context.get("spec") or CORE_CONTEXT
        body["@context"] = context
        body["data"] = [{**entity, "@context": context} for entity in body["data"]]
    else:
        headers["Link"] = f'<{link or CORE_CONTEXT}>; rel="{CONTEXT_REL}"; type="application/ld+json"'
    post(row.endpoint_uri, body, headers)
    services.record_success(row, now)


def tick(job: JobContext) -> None:
    """Run one tick of a periodic subscription (its notification is a separate, retried job)."""
    services.tick(job.uow, job.job.payload["subscription"], job.job.payload["at"])


def post(uri: str, body: dict[str, object], headers: dict[str, str]) -> None:
    """POST a notification; raise NotificationFailed on a network error or a status other than 2xx."""
    try:
        response = httpx.post(
            uri, json=body, headers=headers, timeout=TIMEOUT_SECONDS, follow_redirects=False
        )
    except httpx.HTTPError as exc:
        raise services.NotificationFailed(f"{type(exc).__name__}: {exc}") from exc
    if not 200 <= response.status_code < 300:
        raise services.NotificationFailed(f"HTTP {response.status_code} from the endpoint")


def record_failure(uow: UnitOfWork, job: Job, error: str, retry_at: datetime | None) -> None:
    """Record a failed attempt on the subscription (the queue's failure hook)."""
    services.record_failure(uow, job.payload["subscription"], error)
