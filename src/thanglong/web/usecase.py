"""The one runner of use cases for routes: the threadpool, the request's context, one unit of work.

Routes never open a unit of work and never leave the event loop by hand: `await ctx.run(request,
use_case, *args)` runs `use_case(uow, *args)` in the threadpool over a fresh unit of work that knows
the request (actor, API key, source IP, request id, language). This module is the only one of the web
layer that calls `run_in_threadpool`; tests/web/test_routes_use_the_runner.py walks the routes' source
to keep it so, and core.uow refuses a unit of work opened on the event loop's thread at run time.

Domain errors (core.errors) leave the runner as they are: the app's one exception handler turns them
into the platform's answer (HTTP status of the error class, Vietnamese and English message, JSON for
the API, the error page for browsers), and a route that shows a refused form again catches them.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

from starlette.concurrency import run_in_threadpool

from thanglong.core.platform import Platform
from thanglong.core.requestctx import CURRENT_REQUEST, RequestContext
from thanglong.core.security import ANONYMOUS, Principal
from thanglong.core.uow import UnitOfWork

P = ParamSpec("P")
T = TypeVar("T")

REQUEST_ID_HEADER = "x-request-id"
REQUEST_ID_SCOPE = "thanglong.request_id"
PRINCIPAL_SCOPE = "thanglong.principal"
# An id sent by the proxy in front (nginx's $request_id, a load balancer's trace id) is kept when it
# looks like one, so that its log and ours name the same request; anything else gets a fresh id.
REQUEST_ID_SHAPE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")


def request_id_of(headers: list[tuple[bytes, bytes]]) -> str:
    """Return the request id sent in X-Request-ID when well formed, else a new one (32 hex digits)."""
    for name, value in headers:
        if name == REQUEST_ID_HEADER.encode():
            sent = value.decode("latin-1")
            if REQUEST_ID_SHAPE.fullmatch(sent):
                return sent
            break
    return uuid.uuid4().hex


def request_id(request: Any) -> str:
    """Return the id the shell gave the request (a new one when it went round the shell's middleware)."""
    found = request.scope.get(REQUEST_ID_SCOPE)
    if isinstance(found, str):
        return found
    minted = uuid.uuid4().hex
    request.scope[REQUEST_ID_SCOPE] = minted
    return minted


async def in_threadpool(fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
    """Run blocking work of the shell itself (resolving credentials) in the threadpool."""
    return await run_in_threadpool(fn, *args, **kwargs)


class UseCaseRunner:
    """Run use cases for routes in the threadpool, each over a unit of work bound to its request."""

    def __init__(
        self,
        platform: Platform,
        language: Callable[[Any], str],
        client_ip: Callable[[Any], str | None],
    ) -> None:
        self.platform = platform
        self._language = language
        self._client_ip = client_ip

    def context(self, request: Any) -> RequestContext:
        """Build the request's context from what the guard and the shell already found (no I/O)."""
        principal = request.scope.get(PRINCIPAL_SCOPE)
        return RequestContext.of(
            principal if isinstance(principal, Principal) else ANONYMOUS,
            source_ip=self._client_ip(request),
            request_id=request_id(request),
            language=self._language(request),
        )

    async def run(
        self,
        request: Any,
        use_case: Callable[Concatenate[UnitOfWork, P], T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `use_case(uow, *args, **kwargs)` in the threadpool over a unit of work bound to the request."""
        # The use case commits (uow.commit()) when it writes; what it leaves uncommitted is rolled back.
        context = self.context(request)
        return await run_in_threadpool(self._in_unit_of_work, context, use_case, args, kwargs)

    async def run_blocking(self, request: Any, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run blocking work that is not one use case in the threadpool, with the request's context."""
        # For kernel functions over the platform that open their own units of work (each knows the
        # request all the same) and for calls to other systems made by a route.
        context = self.context(request)
        return await run_in_threadpool(self._with_context, context, fn, args, kwargs)

    def _in_unit_of_work(
        self,
        context: RequestContext,
        use_case: Callable[..., T],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
    ) -> T:
        token = CURRENT_REQUEST.set(context)
        try:
            with self.platform.uow() as uow:
                return use_case(uow, *args, **kwargs)
        finally:
            CURRENT_REQUEST.reset(token)

    @staticmethod
    def _with_context(
        context: RequestContext, fn: Callable[..., T], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> T:
        token = CURRENT_REQUEST.set(context)
        try:
            return fn(*args, **kwargs)
        finally:
            CURRENT_REQUEST.reset(token)
