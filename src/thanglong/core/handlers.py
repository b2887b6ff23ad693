"""Run an after-commit event handler from its durable job: rebuild the event, call the handler."""

from __future__ import annotations

from typing import Any

from thanglong.core.bus import Event
from thanglong.core.jobs import JobContext, PermanentJobError
from thanglong.core.manifest import resolve


def run_after_commit(ctx: JobContext) -> None:
    """Call the handler named in the job with the event it carries, in the job's unit of work."""
    payload = ctx.job.payload
    try:
        event_cls: Any = resolve(str(payload["event_class"]))
        handler: Any = resolve(str(payload["handler"]))
    except (KeyError, ImportError, AttributeError) as exc:
        raise PermanentJobError(f"cannot load the event or handler: {exc}") from exc
    if not (isinstance(event_cls, type) and issubclass(event_cls, Event)):
        raise PermanentJobError(f"{payload['event_class']} is not an event class")
    event = event_cls.from_payload(dict(payload.get("data") or {}))
    handler(ctx.uow, event)
