"""The errors every NGSI-LD engine raises on a request it cannot read."""

from __future__ import annotations

from typing import Any

from thanglong.core.errors import ThangLongError

BAD_REQUEST_DATA = "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


class NgsiError(ThangLongError):
    """An error with its NGSI-LD problem type (CIM 009 clause 5.5.2), for an API that answers in kind."""

    status = 400
    ngsi_type = BAD_REQUEST_DATA
    ngsi_title = "Bad request data"

    def problem(self) -> dict[str, Any]:
        """Return the NGSI-LD ProblemDetails body (RFC 7807): type, title, status, detail in English."""
        return {
            "type": self.ngsi_type,
            "title": self.ngsi_title,
            "status": self.status,
            "detail": self.message_en,
        }


class InvalidQuery(NgsiError):
    """A query, geo-query or payload that breaks the NGSI-LD rules (HTTP 400, BadRequestData)."""

    def __init__(self, message_vi: str, message_en: str, **details: Any) -> None:
        super().__init__("operations.ngsi.invalid_query", message_vi, message_en, **details)


class UnknownModel(NgsiError):
    """A Smart Data Model that is not shipped (HTTP 400, BadRequestData)."""

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__("operations.ngsi.unknown_model", message_vi, message_en)
