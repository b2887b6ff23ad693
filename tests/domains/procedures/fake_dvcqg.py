"""A local fake of the DVCQG sync endpoint: a real HTTP server on 127.0.0.1 that tests can steer."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from typing import Any

from thanglong.core.testing.http_server import LocalHttpServer
from thanglong.domains.procedures.integrations.dvcqg import protocol as dvcqg

TOKEN = "fake-dvcqg-token"


@dataclass(frozen=True)
class Held:
    """What the portal holds for one dossier: its latest status and when it happened."""

    status: int
    at: str


@dataclass(frozen=True)
class Request:
    """One request the fake answered, for assertions."""

    method: str
    status: int
    body: Any


class FakePortal:
    """Record status changes, answer duplicates with 409 and bad bodies with 400, fail on demand."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.lock = threading.Lock()
        self.requests: list[Request] = []
        self.accepted: list[dvcqg.SyncKey] = []
        self.held: dict[str, Held] = {}
        self._seen: set[dvcqg.SyncKey] = set()
        self._fail_next = 0
        self._fail_status = 503
        self._stall_next = 0
        self._stall_seconds = 0.0
        self.delay_seconds = 0.0
        self._http = LocalHttpServer(type("Handler", (_Handler,), {"portal": self}), "fake-dvcqg")

    @property
    def url(self) -> str:
        """Return the endpoint's URL."""
        return self._http.base_url + "/api/dongbo"

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next n POSTs with this status (a portal outage), recording nothing."""
        with self.lock:
            self._fail_next, self._fail_status = n, status

    def stall_next(self, n: int, seconds: float) -> None:
        """Take the next n POSTs in, then answer only after `seconds` (longer than the client waits)."""
        with self.lock:
            self._stall_next, self._stall_seconds = n, seconds

    def forget(self, dossier_code: str) -> None:
        """Lose a dossier (a portal-side data loss), for reconciliation tests."""
        with self.lock:
            self.held.pop(dossier_code, None)

    def hold(self, dossier_code: str, status: int, at: str = "20260101000000") -> None:
        """Make the portal hold a status it was never sent."""
        with self.lock:
            self.held[dossier_code] = Held(status, at)

    def posts(self, status: int | None = None) -> list[Request]:
        """Return the POSTs answered (with one HTTP status, if given)."""
        with self.lock:
            return [r for r in self.requests if r.method == "POST" and (status is None or r.status == status)]

    def start(self) -> None:
        """Serve on a free port of 127.0.0.1 in a background thread."""
        self._http.start()

    def stop(self) -> None:
        """Stop serving and close the socket."""
        self._http.stop()

    def answer_post(self, authorization: str | None, raw: bytes) -> tuple[int, dict[str, Any], float]:
        """Decide the answer to one POST: (status, JSON body, seconds to wait before answering)."""
        if authorization != f"Bearer {self.token}":
            return self._log("POST", 401, None, {"error_code": "401", "message": "bad token"})
        try:
            body = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            return self._log("POST", 400, None, {"error_code": "400", "message": "not JSON"})
        with self.lock:
            if self._fail_next > 0:
                self._fail_next -= 1
                status = self._fail_status
                self.requests.append(Request("POST", status, body))
                return status, {"error_code": str(status), "message": "portal unavailable"}, 0.0
            stall = 0.0
            if self._stall_next > 0:
                self._stall_next -= 1
                stall = self._stall_seconds
        errors = dvcqg.payload_errors(body)
        if errors:
            return self._log("POST", 400, body, {"error_code": "400", "message": "; ".join(errors)})
        with self.lock:
            keys = dvcqg.keys_of(body)
            if any(k in self._seen for k in keys):
                self.requests.append(Request("POST", 409, body))
                return 409, {"error_code": "DUPLICATE", "message": "already synchronised"}, stall
            for key in keys:
                self._seen.add(key)
                self.accepted.append(key)
                current = self.held.get(key.dossier_code)
                if current is None or current.at <= key.at:
                    self.held[key.dossier_code] = Held(key.status, key.at)
            self.requests.append(Request("POST", 200, body))
        return 200, {"error_code": "00", "message": "ok"}, stall + self.delay_seconds

    def answer_get(self, authorization: str | None) -> tuple[int, dict[str, Any], float]:
        """List the status the portal holds per dossier."""
        if authorization != f"Bearer {self.token}":
            return self._log("GET", 401, None, {"error_code": "401", "message": "bad token"})
        with self.lock:
            result = [
                {"MaHoSo": code, "TrangThai": str(h.status), "ThoiDiemXuLy": h.at}
                for code, h in sorted(self.held.items())
            ]
            self.requests.append(Request("GET", 200, None))
        return 200, {"error_code": "00", "result": result}, 0.0

    def _log(
        self, method: str, status: int, body: Any, answer: dict[str, Any]
    ) -> tuple[int, dict[str, Any], float]:
        with self.lock:
            self.requests.append(Request(method, status, body))
        return status, answer, 0.0


class _Handler(BaseHTTPRequestHandler):
    portal: FakePortal

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        self._reply(*self.portal.answer_post(self.headers.get("Authorization"), raw))

    def do_GET(self) -> None:
        self._reply(*self.portal.answer_get(self.headers.get("Authorization")))

    def _reply(self, status: int, body: dict[str, Any], wait: float) -> None:
        if wait:
            time.sleep(wait)
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            # The client gave up waiting (a timeout test): the portal kept what it received.
            pass

    def log_message(self, format: str, *args: Any) -> None:
        """Keep the test output quiet."""


@contextmanager
def running_portal(token: str = TOKEN) -> Iterator[FakePortal]:
    """Run a fake portal for the duration of a with-block."""
    portal = FakePortal(token)
    portal.start()
    try:
        yield portal
    finally:
        portal.stop()
