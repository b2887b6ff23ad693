"""A local fake of VNPost's BCCI order endpoint: a real HTTP server on 127.0.0.1 that tests can steer."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from typing import Any

from thanglong.core.testing.http_server import LocalHttpServer

TOKEN = "fake-vnpost-token"


class FakeVnpost:
    """Accept orders with a tracking number (one per client reference), fail or refuse on demand."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.orders: list[dict[str, Any]] = []
        self.statuses: list[int] = []
        self.by_reference: dict[str, str] = {}
        self._fail_next = 0
        self._fail_status = 503
        self._http = LocalHttpServer(type("Handler", (_Handler,), {"carrier": self}), "fake-vnpost")

    @property
    def url(self) -> str:
        """Return the order endpoint's URL."""
        return self._http.base_url + "/bcci/orders"

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next n orders with this status, recording nothing."""
        with self.lock:
            self._fail_next, self._fail_status = n, status

    def start(self) -> None:
        """Serve on a free port of 127.0.0.1 in a background thread."""
        self._http.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._http.stop()

    def answer(self, authorization: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        """Decide the answer to one order."""
        with self.lock:
            status, body = self._decide(authorization, raw)
            self.statuses.append(status)
        return status, body

    def _decide(self, authorization: str | None, raw: bytes) -> tuple[int, dict[str, Any]]:
        if authorization != f"Bearer {self.token}":
            return 401, {"message": "bad token"}
        if self._fail_next > 0:
            self._fail_next -= 1
            return self._fail_status, {"message": "carrier unavailable"}
        try:
            order = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return 400, {"message": "not JSON"}
        receiver = order.get("receiver") or {}
        if order.get("service") != "BCCI" or not receiver.get("address") or not receiver.get("phone"):
            return 400, {"message": "service, receiver address and phone are required"}
        reference = str(order.get("client_reference", ""))
        number = self.by_reference.get(reference)
        if number is None:
            # The same client reference twice is the same parcel: the carrier answers its number again.
            number = f"BC{len(self.by_reference) + 1:09d}VN"
            self.by_reference[reference] = number
            self.orders.append(order)
        return 200, {"tracking_number": number, "fee": 22000}


class _Handler(BaseHTTPRequestHandler):
    carrier: FakeVnpost

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        status, body = self.carrier.answer(self.headers.get("Authorization"), raw)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@contextmanager
def running_carrier(token: str = TOKEN) -> Iterator[FakeVnpost]:
    """Run a fake VNPost for the duration of a with-block."""
    carrier = FakeVnpost(token)
    carrier.start()
    try:
        yield carrier
    finally:
        carrier.stop()
