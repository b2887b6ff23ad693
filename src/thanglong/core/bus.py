"""Events (past tense) and the handlers the manifests declare for them."""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import TypeAdapter

if TYPE_CHECKING:
    from thanglong.core.uow import UnitOfWork


_PLAIN = (str, int, float, bool, type(None))


def _plain(value: Any) -> Any:
    """Return a field's value as JSON-ready data: tuples as lists, other objects (UUID, dates) as text."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, list | tuple):
        # A tuple field (EntityChanged.attributes) travels as a JSON list; validation reads it back.
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return str(value)


# Module name -> domain name; one entry per module defining events, so it stays small.
_DOMAIN_OF_MODULE: dict[str, str] = {}


def domain_of_module(module_name: str) -> str:
    """Return the domain a module belongs to: the nearest enclosing package with a MANIFEST, else "core".

    Domains in thanglong.domains are named by their folder; a domain configured by a dotted path
    (one living outside the source tree) is found through its package's MANIFEST, already imported
    because a module cannot be imported without its parent packages.
    """
    known = _DOMAIN_OF_MODULE.get(module_name)
    if known is not None:
        return known
    parts = module_name.split(".")
    if len(parts) > 2 and parts[:2] == ["thanglong", "domains"]:
        _DOMAIN_OF_MODULE[module_name] = parts[2]
        return parts[2]
    for end in range(len(parts), 0, -1):
        manifest = getattr(sys.modules.get(".".join(parts[:end])), "MANIFEST", None)
        name = getattr(manifest, "name", None)
        if isinstance(name, str):
            _DOMAIN_OF_MODULE[module_name] = name
            return name
    # Not cached: a package still being imported may not have bound its MANIFEST yet.
    return "core"


@dataclass(frozen=True)
class Event:
    """Something that happened. Subclasses are frozen dataclasses named in the past tense."""

    # Events whose `external` is true are also published to the broker (topic thanglong/events/<name>).
    external: ClassVar[bool] = False

    @classmethod
    def event_name(cls) -> str:
        """Return the stable name of the event (its domain's name + class)."""
        return f"{domain_of_module(cls.__module__)}.{cls.__name__}"

    @classmethod
    def event_ref(cls) -> str:
        """Return the import path of the event class ("module:Class")."""
        return f"{cls.__module__}:{cls.__qualname__}"

    def payload(self) -> dict[str, Any]:
        """Return the event as JSON-ready data."""
        # Not dataclasses.asdict: its deep copy cost tens of microseconds per event, and a batch of
        # readings emits one event per entity. Fields are read once and only containers are rebuilt.
        return {f.name: _plain(getattr(self, f.name)) for f in fields(self)}

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> Event:
        """Rebuild an event from its payload (UUIDs, dates and enumerations parsed back)."""
        event: Event = TypeAdapter(cls).validate_python(data)
        return event


InTransactionHandler = Callable[["UnitOfWork", Any], None]


@dataclass(frozen=True)
class AfterCommit:
    """An after-commit handler: run as a durable job of kind `event:<handler>`."""

    handler: str  # "module:function" taking (uow, event)
    max_attempts: int = 8
    # Asked in the emitting transaction whether the handler has anything to do; False queues no job.
    when: Callable[[UnitOfWork, Any], bool] | None = None

    @property
    def job_kind(self) -> str:
        """Return the job kind that carries this handler's work."""
        return f"event:{self.handler}"


CommitObserver = Callable[[Sequence[Event]], None]


class MessageBus:
    """The handlers of each event type; it keeps no record of the events themselves."""

    def __init__(self) -> None:
        self._in_transaction: dict[type[Event], list[InTransactionHandler]] = defaultdict(list)
        self._after_commit: dict[type[Event], list[AfterCommit]] = defaultdict(list)
        self._observers: list[CommitObserver] = []

    def subscribe(self, event_type: type[Event], handler: InTransactionHandler) -> None:
        """Run `handler(uow, event)` inside the emitting transaction, before it commits."""
        self._in_transaction[event_type].append(handler)

    def subscribe_after_commit(self, event_type: type[Event], handler: AfterCommit) -> None:
        """Enqueue a durable job for `handler` whenever the event is committed."""
        self._after_commit[event_type].append(handler)

    def observe_commits(self, observer: CommitObserver) -> None:
        """Call `observer(events)` after each commit (best effort, in process: e.g. wake the worker)."""
        self._observers.append(observer)

    def in_transaction(self, event_type: type[Event]) -> list[InTransactionHandler]:
        """Return the in-transaction handlers of an event type, in registration order."""
        return list(self._in_transaction.get(event_type, ()))

    def after_commit(self, event_type: type[Event]) -> list[AfterCommit]:
        """Return the after-commit handlers of an event type, in registration order."""
        return list(self._after_commit.get(event_type, ()))

    def after_commit_kinds(self) -> list[AfterCommit]:
        """Return every after-commit handler once (each is a job kind)."""
        seen: dict[str, AfterCommit] = {}
        for handlers in self._after_commit.values():
            for h in handlers:
                seen.setdefault(h.handler, h)
        return list(seen.values())

    def committed(self, events: Sequence[Event]) -> None:
        """Tell the observers which events were just committed; an observer's failure is not the writer's."""
        for observer in self._observers:
            try:
                observer(events)
            except Exception:  # noqa: S112 - observers are hints (wake-ups); losing one loses nothing
                continue
