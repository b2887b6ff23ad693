"""A local fake of a utility's bill API, for tests and the offline demo (an httpx MockTransport).

It answers `GET /v1/bills?page=N` as `adapters.HttpApi` expects, checks the bearer token, and can be
told to fail, so tests see what a real utility's outage does to an import.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

import httpx

FAKE_BASE_URL = "https://api.utility.invalid"
FAKE_TOKEN = "fake-utility-token"  # noqa: S105 - the fake's own token, not a secret


def transport(
    bills: Sequence[dict[str, Any]],
    *,
    page_size: int = 50,
    token: str = FAKE_TOKEN,
    fail_page: int | None = None,
) -> httpx.MockTransport:
    """Return a transport serving the bills a page at a time (and a 503 on `fail_page`)."""

    def handle(request: httpx.Request) -> httpx.Response:
        if request.url.path != "/v1/bills":
            return httpx.Response(404, json={"error": "not found"})
        if request.headers.get("authorization") != f"Bearer {token}":
            return httpx.Response(401, json={"error": "unauthorized"})
        page = int(request.url.params.get("page", "1"))
        if page == fail_page:
            return httpx.Response(503, text="maintenance")
        start = (page - 1) * page_size
        chunk = list(bills[start : start + page_size])
        more = start + page_size < len(bills)
        body = {"bills": chunk, "next_page": page + 1 if more else None}
        return httpx.Response(
            200, content=json.dumps(body).encode(), headers={"content-type": "application/json"}
        )

    return httpx.MockTransport(handle)


def client(bills: Sequence[dict[str, Any]], **options: Any) -> httpx.Client:
    """Return an httpx client over the fake."""
    return httpx.Client(transport=transport(bills, **options), base_url=FAKE_BASE_URL)


def sample_bills(utility: str, customer_codes: Sequence[str], *, today: date) -> list[dict[str, Any]]:
    """Return one plausible bill per customer code for last month (water: m³; amounts vary by code)."""
    first = today.replace(day=1)
    last_month = first - timedelta(days=1)
    period = f"{last_month:%Y-%m}"
    due = first + timedelta(days=14)
    bills = []
    for i, code in enumerate(customer_codes):
        consumption = 8 + (sum(map(ord, code)) % 17)
        bills.append(
            {
                "utility": utility,
                "customer_code": code,
                "period": period,
                "amount_vnd": consumption * 12_000 + 15_000,
                "due_date": due.isoformat(),
                "bill_number": f"{utility.upper()}-{last_month:%Y%m}-{i + 1:06d}",
                "consumption": consumption,
            }
        )
    return bills
