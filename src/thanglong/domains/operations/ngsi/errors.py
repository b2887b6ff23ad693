"""The error every NGSI-LD engine raises on a request it cannot read."""

from __future__ import annotations

from typing import Any

from thanglong.core.errors import ThangLongError

BAD_REQUEST_DATA = "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


class InvalidQuery(ThangLongError):
    """A query, geo-query or payload that breaks the NGSI-LD rules (HTTP 400, BadRequestData)."""

    status = 400
    ngsi_type = BAD_REQUEST_DATA

    def __init__(self, message_vi: str, message_en: str, **details: Any) -> None:
        super().__init__("operations.ngsi.invalid_query", message_vi, message_en, **details)


class UnknownModel(ThangLongError):
    """A Smart Data Model that is not shipped (HTTP 400, BadRequestData)."""

    status = 400
    ngsi_type = BAD_REQUEST_DATA

    def __init__(self, message_vi: str, message_en: str) -> None:
        super().__init__("operations.ngsi.unknown_model", message_vi, message_en)
