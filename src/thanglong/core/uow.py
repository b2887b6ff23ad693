"""Unit of work: the one place that commits or rolls back; event handlers run in it or after it."""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from functools import cache
from types import TracebackType
from typing import Any, Self, cast

from sqlalchemy import Insert, Table, insert
from sqlalchemy.orm import Session

from thanglong.core import job_wakeup
from thanglong.core.bus import Event, MessageBus
from thanglong.core.clock import Clock, utcnow
from thanglong.core.config import Settings
from thanglong.core.models import Job
from thanglong.core.requestctx import CURRENT_REQUEST, RequestContext
from thanglong.core.security import RoleRegistry

logger = logging.getLogger(__name__)

RELAY_KIND = "core.relay"
# Every external event goes to the broker through one ordering key: published in commit order.
RELAY_ORDERING_KEY = "core.relay"
EVENT_TOPIC_PREFIX = "thanglong/events/"
# In-transaction handlers may emit events that have handlers of their own; past this depth it is a loop.
MAX_HANDLER_ROUNDS = 1000


class BlockingOnEventLoop(RuntimeError):
    """Database work was started on a running event loop: it would stall every request of the process."""


# The thread that runs the web app's event loop, set by the web shell for each request it handles: a
# unit of work opened in that very thread would stall every request of the process.
EVENT_LOOP_THREAD: ContextVar[int | None] = ContextVar("thanglong_event_loop_thread", default=None)


def _refuse_event_loop(settings: Settings | None) -> None:
    """Refuse to open a unit of work in the thread that runs the web app's event loop.

    Development and tests fail at once, so the route is fixed before it ships; production logs the
    mistake and carries on, since a slow page is better than a broken one. The threadpool inherits
    the request's context but runs in other threads, so use cases run there pass.
    """
    if EVENT_LOOP_THREAD.get() != threading.get_ident():
        return
    message = (
        "a unit of work was opened on the event loop: run the use case through the web context's "
        "runner (await ctx.run(request, use_case, ...)), which runs it in the threadpool"
    )
    if settings is not None and settings.env == "production":
        logger.error(message, stack_info=True)
        return
    raise BlockingOnEventLoop(message)


def event_topic(event_name: str) -> str:
    """Return the MQTT topic an external event is published on."""
    return f"{EVENT_TOPIC_PREFIX}{event_name}"


class UnitOfWork:
    """Open a session; collect events; run their handlers; commit once."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        bus: MessageBus,
        clock: Clock = utcnow,
        settings: Settings | None = None,
        *,
        roles: RoleRegistry | None = None,
        request: RequestContext | None = None,
        job_kinds: frozenset[str] | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._bus = bus
        self.clock = clock
        # The platform's settings, for use cases that need where files live or the public address.
        self.settings = settings
        # The roles the enabled domains declare, for use cases that assign or check role names.
        self.roles = roles if roles is not None else RoleRegistry()
        # The request this unit serves (actor, source IP, request id, language); None outside a web
        # request. The web shell's runner sets it for every unit opened while it runs a use case.
        self.request = request if request is not None else CURRENT_REQUEST.get()
        # The kinds of durable job this platform runs (None: not known here). A kind a domain registers
        # only when configured (the DVCQG push without its URL) stays queued, held, and is not "late".
        self.job_kinds = job_kinds
        self._session: Session | None = None
        self._events: list[tuple[Event, uuid.UUID]] = []
        # Events whose handlers already ran and whose jobs are written (dispatch), told at commit.
        self._dispatched: list[tuple[Event, uuid.UUID]] = []
        self._committed = False
        # Whether this transaction queued a durable job: its commit then wakes the other processes' workers.
        self._jobs_queued = False

    @property
    def session(self) -> Session:
        """Return the open session (only inside `with`)."""
        if self._session is None:
            raise RuntimeError("unit of work is not open: use it in a with-block")
        return self._session

    def __enter__(self) -> Self:
        _refuse_event_loop(self.settings)
        self._session = self._session_factory()
        self._events = []
        self._dispatched = []
        self._committed = False
        self._jobs_queued = False
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        session = self.session
        try:
            if not self._committed:
                session.rollback()
        finally:
            session.close()
            self._session = None

    def emit(self, event: Event) -> uuid.UUID:
        """Record an event of this transaction; return its id (handlers and the broker see the same id)."""
        self.session  # noqa: B018 - emitting outside a with-block is a bug: fail here, not at commit
        event_id = uuid.uuid4()
        self._events.append((event, event_id))
        return event_id

    def _dispatch(self) -> list[tuple[Event, uuid.UUID]]:
        """Run the in-transaction handlers (they may emit more) and enqueue the after-commit work."""
        index = 0
        while index < len(self._events):
            if index >= MAX_HANDLER_ROUNDS:
                raise RuntimeError("event handlers keep emitting events: a handler loop?")
            event, _event_id = self._events[index]
            for handler in self._bus.in_transaction(type(event)):
                handler(self, event)
            index += 1
        events, self._events = self._events, []
        now = self.clock()
        rows: list[dict[str, Any]] = []
        for event, event_id in events:
            payload = event.payload()
            for spec in self._bus.after_commit(type(event)):
                if spec.when is not None and not spec.when(self, event):
                    continue
                rows.append(
                    {
                        "kind": spec.job_kind,
                        "payload": {
                            "event": event.event_name(),
                            "event_class": event.event_ref(),
                            "event_id": str(event_id),
                            "handler": spec.handler,
                            "data": payload,
                        },
                        "idempotency_key": f"{event_id}:{spec.handler}"[:200],
                        "ordering_key": None,
                        "status": "queued",
                        "run_after": now,
                        "attempts": 0,
                        "max_attempts": spec.max_attempts,
                        "created_at": now,
                    }
                )
            if type(event).external:
                envelope: dict[str, Any] = {
                    "id": str(event_id),
                    "event": event.event_name(),
                    "created_at": now.isoformat(),
                    "payload": payload,
                }
                rows.append(
                    {
                        "kind": RELAY_KIND,
                        "payload": {"topic": event_topic(event.event_name()), "envelope": envelope},
                        "idempotency_key": None,
                        "ordering_key": RELAY_ORDERING_KEY,
                        "status": "queued",
                        "run_after": now,
                        "attempts": 0,
                        "max_attempts": 0,
                        "created_at": now,
                    }
                )
        if rows:
            # A Core insert of the whole batch, one statement: the ORM's bulk path splits the rows by which
            # columns are None (the relay row has no idempotency key) and costs more Python per row.
            self.session.connection().execute(_job_insert(), rows)
            self._jobs_queued = True
        return events

    def note_job_queued(self) -> None:
        """Record that this transaction queued a job (core.jobs.enqueue), so its commit wakes the workers."""
        self._jobs_queued = True

    def dispatch(self) -> None:
        """Run the in-transaction handlers and write the after-commit jobs now, before the commit.

        For a use case that sends its writes in a pipeline (core.db.pipelined): the outbox rows go out
        with them instead of waiting on their own before the commit. Events emitted later are handled by
        the next dispatch or the commit; the observers hear of all of them after the commit.
        """
        self._dispatched.extend(self._dispatch())

    def commit(self) -> None:
        """Run the in-transaction handlers, enqueue the after-commit jobs, commit, tell the observers."""
        events = self._dispatched + self._dispatch()
        self._dispatched = []
        if self._jobs_queued:
            job_wakeup.notify_queued(self.session)
            self._jobs_queued = False
        self.session.commit()
        self._committed = True
        if events:
            self._bus.committed([event for event, _ in events])
        # The unit stays usable for further work on the same session.
        self._committed = False

    def rollback(self) -> None:
        """Drop the pending changes and the collected events."""
        self.session.rollback()
        self._events = []
        self._dispatched = []
        self._jobs_queued = False


@cache
def _job_insert() -> Insert:
    return insert(cast(Table, Job.__table__))


def envelope_bytes(envelope: dict[str, Any]) -> bytes:
    """Encode a relay envelope as the JSON message subscribers receive (the id lets them drop duplicates)."""
    return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


UnitOfWorkFactory = Callable[[], UnitOfWork]
