"""The NGSI-LD API's errors (on the engines' NgsiError) and the ProblemDetails body of any platform error."""

from __future__ import annotations

from typing import Any

from thanglong.core.errors import ThangLongError
from thanglong.domains.operations.ngsi.errors import NgsiError

ERRORS = "https://uri.etsi.org/ngsi-ld/errors/"
BAD_REQUEST_DATA = ERRORS + "BadRequestData"
INVALID_REQUEST = ERRORS + "InvalidRequest"
RESOURCE_NOT_FOUND = ERRORS + "ResourceNotFound"
ALREADY_EXISTS = ERRORS + "AlreadyExists"
LD_CONTEXT_NOT_AVAILABLE = ERRORS + "LdContextNotAvailable"
OPERATION_NOT_SUPPORTED = ERRORS + "OperationNotSupported"

TITLES = {
    BAD_REQUEST_DATA: "Bad request data",
    INVALID_REQUEST: "Invalid request",
    RESOURCE_NOT_FOUND: "Resource not found",
    ALREADY_EXISTS: "Already exists",
    LD_CONTEXT_NOT_AVAILABLE: "JSON-LD @context not available",
    OPERATION_NOT_SUPPORTED: "Operation not supported",
}


class ApiError(NgsiError):
    """An error of the NGSI-LD API; its code is prefixed "operations.ngsi."."""

    def __init__(self, code: str, message_vi: str, message_en: str, **details: Any) -> None:
        super().__init__(f"operations.ngsi.{code}", message_vi, message_en, **details)


class BadRequestData(ApiError):
    """The payload breaks the NGSI-LD rules (HTTP 400)."""


class InvalidRequest(ApiError):
    """The request itself is malformed: content type, headers, body not JSON (HTTP 400)."""

    ngsi_type = INVALID_REQUEST
    ngsi_title = TITLES[INVALID_REQUEST]


class ResourceNotFound(ApiError):
    """The entity or attribute does not exist (HTTP 404)."""

    status = 404
    ngsi_type = RESOURCE_NOT_FOUND
    ngsi_title = TITLES[RESOURCE_NOT_FOUND]


class AlreadyExists(ApiError):
    """An entity with this id exists already (HTTP 409)."""

    status = 409
    ngsi_type = ALREADY_EXISTS
    ngsi_title = TITLES[ALREADY_EXISTS]


class LdContextNotAvailable(ApiError):
    """A remote @context this platform neither ships nor has registered (HTTP 400: nothing is fetched)."""

    ngsi_type = LD_CONTEXT_NOT_AVAILABLE
    ngsi_title = TITLES[LD_CONTEXT_NOT_AVAILABLE]


class UnsupportedMediaType(InvalidRequest):
    """A body in a content type other than application/json or application/ld+json (HTTP 415)."""

    status = 415


class NotAcceptable(InvalidRequest):
    """An Accept header this API cannot answer (HTTP 406)."""

    status = 406


def ngsi_type_of(error: ThangLongError) -> str:
    """Return the ProblemDetails type of any platform error (the engines' errors name theirs)."""
    named = getattr(error, "ngsi_type", None)
    if isinstance(named, str):
        return named
    if error.status == 404:
        return RESOURCE_NOT_FOUND
    if error.status == 409:
        return ALREADY_EXISTS
    return BAD_REQUEST_DATA if error.status in (400, 422) else INVALID_REQUEST


def problem_details(error: ThangLongError) -> dict[str, Any]:
    """Return the body of an error: NGSI-LD ProblemDetails plus the platform's code and messages."""
    kind = ngsi_type_of(error)
    body: dict[str, Any] = {
        "type": kind,
        "title": TITLES.get(kind, "Error"),
        "status": error.status,
        "detail": error.message_en,
    }
    body.update(error.to_dict())
    return body
