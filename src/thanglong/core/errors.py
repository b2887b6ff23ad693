"""Domain errors with a stable code and a message in Vietnamese and English."""

from __future__ import annotations

from typing import Any


class ThangLongError(Exception):
    """Base error: `code` is stable for machines, messages are for people."""

    status = 400

    def __init__(self, code: str, message_vi: str, message_en: str, **details: Any) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message_vi = message_vi
        self.message_en = message_en
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON body of the error."""
        body: dict[str, Any] = {"code": self.code, "message": self.message_vi, "message_en": self.message_en}
        if self.details:
            body["details"] = self.details
        return body


class InvalidInput(ThangLongError):
    """Input that cannot be accepted (HTTP 422)."""

    status = 422


class NotFound(ThangLongError):
    """A referenced record does not exist (HTTP 404)."""

    status = 404


class Conflict(ThangLongError):
    """The request conflicts with the current state (HTTP 409)."""

    status = 409


class Unauthenticated(ThangLongError):
    """No valid credentials (HTTP 401)."""

    status = 401


class Forbidden(ThangLongError):
    """Valid credentials without the permission (HTTP 403)."""

    status = 403


class TooManyRequests(ThangLongError):
    """Throttled (HTTP 429)."""

    status = 429


def first_line(exc: BaseException) -> str:
    """Return the first line of an exception's message, or its type's name when it has none.

    For a reason shown to a person from a library's exception (SUMO, sumolib), whose messages may run to
    many lines.
    """
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
