"""In-process events (past tense) and commands (imperative); handlers run after commit."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from typing import Any, ClassVar

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    """Something that happened. Subclasses are frozen dataclasses named in the past tense."""

    # Events whose `external` is true are also written to the outbox for other processes.
    external: ClassVar[bool] = False

    @classmethod
    def event_name(cls) -> str:
        """Return the stable name of the event (module domain + class)."""
        module = cls.__module__.split(".")
        domain = module[2] if len(module) > 2 and module[1] == "domains" else "core"
        return f"{domain}.{cls.__name__}"

    def payload(self) -> dict[str, Any]:
        """Return the event as JSON-ready data."""
        data = asdict(self)
        for f in fields(self):
            value = data[f.name]
            if not isinstance(value, str | int | float | bool | type(None) | list | dict):
                data[f.name] = str(value)
        return data


@dataclass(frozen=True)
class Command:
    """A request to do something, named in the imperative."""


EventHandler = Callable[[Any], None]


class MessageBus:
    """Dispatch events to the handlers registered by the domains."""

    def __init__(self) -> None:
        self._handlers: dict[type[Event], list[EventHandler]] = defaultdict(list)
        self.failures: list[tuple[Event, BaseException]] = []

    def subscribe(self, event_type: type[Event], handler: EventHandler) -> None:
        """Register a handler for one event type."""
        self._handlers[event_type].append(handler)

    def handlers_for(self, event_type: type[Event]) -> list[EventHandler]:
        """Return the handlers of an event type, in registration order."""
        return list(self._handlers.get(event_type, []))

    def publish(self, event: Event) -> None:
        """Run each handler; a failing handler is logged and never undoes the committed work."""
        for handler in self.handlers_for(type(event)):
            try:
                handler(event)
            except Exception as exc:  # a handler's failure must not hide the others
                logger.exception("event handler %r failed for %s", handler, event.event_name())
                self.failures.append((event, exc))
