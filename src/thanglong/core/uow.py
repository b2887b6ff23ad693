"""Unit of work: the one place that commits or rolls back; events fire after commit."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Self

from sqlalchemy.orm import Session

from thanglong.core.bus import Event, MessageBus
from thanglong.core.clock import Clock, utcnow
from thanglong.core.config import Settings
from thanglong.core.models import OutboxMessage


class UnitOfWork:
    """Open a session; collect events; commit once; publish the events after the commit."""

    def __init__(
        self,
        session_factory: Callable[[], Session],
        bus: MessageBus,
        clock: Clock = utcnow,
        settings: Settings | None = None,
    ) -> None:
        self._session_factory = session_factory
        self._bus = bus
        self.clock = clock
        # The platform's settings, for use cases that need where files live or the public address.
        self.settings = settings
        self._session: Session | None = None
        self._events: list[Event] = []
        self._committed = False

    @property
    def session(self) -> Session:
        """Return the open session (only inside `with`)."""
        if self._session is None:
            raise RuntimeError("unit of work is not open: use it in a with-block")
        return self._session

    def __enter__(self) -> Self:
        self._session = self._session_factory()
        self._events = []
        self._committed = False
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

    def emit(self, event: Event) -> None:
        """Record an event; external ones go to the outbox in this same transaction."""
        self._events.append(event)
        if type(event).external:
            self.session.add(
                OutboxMessage(event_name=event.event_name(), payload=event.payload(), created_at=self.clock())
            )

    def commit(self) -> None:
        """Commit the transaction, then hand the collected events to the bus."""
        self.session.commit()
        self._committed = True
        events, self._events = self._events, []
        for event in events:
            self._bus.publish(event)
        # Handlers may have started new work on the same session; the unit stays usable.
        self._committed = False

    def rollback(self) -> None:
        """Drop the pending changes and the collected events."""
        self.session.rollback()
        self._events = []


UnitOfWorkFactory = Callable[[], UnitOfWork]
