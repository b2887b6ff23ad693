"""Send simulated detectors' entities to a running server through its NGSI-LD batch endpoint (HTTP).

The server's intake then does what it does for any device: checks, stores, audits under the API key's
actor, and runs the traffic recorder. docs/traffic-state.md, "Simulated detectors".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import httpx

from thanglong.core.errors import InvalidInput
from thanglong.domains.traffic.state.recording import CONTEXT

UPSERT = "/ngsi-ld/v1/entityOperations/upsert"
LINK = f'<{CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'
Sender = Callable[[Sequence[dict[str, Any]]], tuple[str, ...]]


def http_sender(client: httpx.Client) -> Sender:
    """Return a sender that posts one interval's entities as one batch upsert; refusals come back."""

    def send(entities: Sequence[dict[str, Any]]) -> tuple[str, ...]:
        try:
            reply = client.post(
                UPSERT,
                params={"options": "update,keyValues"},
                json=list(entities),
                headers={"Link": LINK, "Content-Type": "application/json"},
            )
        except httpx.HTTPError as exc:
            raise InvalidInput(
                "traffic.loops.http",
                f"Không gửi được tới máy chủ: {exc}",
                f"Could not reach the server: {exc}",
            ) from None
        if reply.status_code in (201, 204):
            return ()
        if reply.status_code == 207:
            return tuple(_reason(e) for e in reply.json().get("errors", []))
        raise InvalidInput(
            "traffic.loops.http",
            f"Máy chủ từ chối lô dữ liệu: HTTP {reply.status_code} {reply.text[:200]}",
            f"The server refused the batch: HTTP {reply.status_code} {reply.text[:200]}",
        )

    return send


def _reason(error: dict[str, Any]) -> str:
    details = error.get("error") or {}
    return f"{error.get('entityId')}: {details.get('detail') or details.get('title') or details}"
