"""The HTTP client the procedures domain uses towards outside systems (the national portal, VNPost)."""

from __future__ import annotations

import httpx

HTTP_TIMEOUT_SECONDS = 10.0


def bearer_client(token: str | None, *, timeout: float = HTTP_TIMEOUT_SECONDS) -> httpx.Client:
    """Return a JSON client that sends the bearer token, if any, with every request."""
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return httpx.Client(timeout=timeout, headers=headers)
