"""NGSI-LD errors: platform errors that also name their ProblemDetails type (ETSI GS CIM 009, 6.3.2)."""

from __future__ import annotations

from typing import Any

from thanglong.core.errors import ThangLongError

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


class NgsiError(ThangLongError):
    """An NGSI-LD error: `ngsi_type` is its ProblemDetails type, `status` its HTTP status."""

    status = 400
    ngsi_type = BAD_REQUEST_DATA

    def __init__(self, code: str, message_vi: str, message_en: str, **details: Any) -> None:
        super().__init__(f"operations.ngsi.{code}", message_vi, message_en, **details)


class BadRequestData(NgsiError):
    """The payload breaks the NGSI-LD rules (HTTP 400)."""


class InvalidRequest(NgsiError):
    """The request itself is malformed: content type, headers, body not JSON (HTTP 400)."""

    ngsi_type = INVALID_REQUEST


class ResourceNotFound(NgsiError):
    """The entity or attribute does not exist (HTTP 404)."""

    status = 404
    ngsi_type = RESOURCE_NOT_FOUND


class AlreadyExists(NgsiError):
    """An entity with this id exists already (HTTP 409)."""

    status = 409
    ngsi_type = ALREADY_EXISTS


class LdContextNotAvailable(NgsiError):
    """A remote @context this platform neither ships nor has registered (HTTP 400: nothing is fetched)."""

    ngsi_type = LD_CONTEXT_NOT_AVAILABLE


class UnsupportedMediaType(NgsiError):
    """A body in a content type other than application/json or application/ld+json (HTTP 415)."""

    status = 415
    ngsi_type = INVALID_REQUEST


class NotAcceptable(NgsiError):
    """An Accept header this API cannot answer (HTTP 406)."""

    status = 406
    ngsi_type = INVALID_REQUEST


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
        "detail": error.message_en,
    }
    body.update(error.to_dict())
    return body
