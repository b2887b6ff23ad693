"""The context of the request a use case serves: who asked, from where, under which id, in what language."""

from __future__ import annotations

import uuid
from contextvars import ContextVar
from dataclasses import dataclass

from thanglong.core.security import Principal


@dataclass(frozen=True)
class RequestContext:
    """What a use case may need to know of the request it serves, free of any web framework."""

    principal: Principal
    # The actor string recorded in the audit log (the principal's).
    actor: str
    # The API key the request was made with, or None for a user's session or an anonymous visitor.
    api_key_id: uuid.UUID | None
    source_ip: str | None
    # Names the request in the audit log, the server's log and the X-Request-ID header of the answer.
    request_id: str
    language: str

    @classmethod
    def of(
        cls, principal: Principal, *, source_ip: str | None, request_id: str, language: str
    ) -> RequestContext:
        """Build the context of a request made by `principal`."""
        return cls(
            principal=principal,
            actor=principal.actor,
            api_key_id=principal.id if principal.kind == "api_key" else None,
            source_ip=source_ip,
            request_id=request_id,
            language=language,
        )


# Set by the web shell's use-case runner in the worker thread that runs a use case, so that every
# unit of work opened there (directly, or by a kernel function over the platform) knows its request.
CURRENT_REQUEST: ContextVar[RequestContext | None] = ContextVar("thanglong_current_request", default=None)
