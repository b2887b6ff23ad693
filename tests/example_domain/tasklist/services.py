"""Tasklist use cases, event handlers, the KPI, the consumer's handler and the map layer's features."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select

from tests.example_domain.tasklist.events import TaskAdded, TaskCompleted
from tests.example_domain.tasklist.manifest import REMIND_KIND
from tests.example_domain.tasklist.models import Task
from tests.example_domain.tasklist.schemas import ReportIn
from thanglong.core import audit, jobs
from thanglong.core.consumers import Message
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.platform import Platform
from thanglong.core.security import SYSTEM_ACTOR
from thanglong.core.uow import UnitOfWork

REMIND_AFTER = timedelta(days=1)
BBox = tuple[float, float, float, float]


@dataclass(frozen=True)
class TaskDTO:
    """A task as other layers see it."""

    id: uuid.UUID
    title: str
    ward_code: str
    lon: float
    lat: float
    created_at: datetime
    done: bool
    reminders: int
    announced: bool


def _dto(row: Task) -> TaskDTO:
    return TaskDTO(
        row.id,
        row.title,
        row.ward_code,
        row.lon,
        row.lat,
        row.created_at,
        row.done_at is not None,
        row.reminders,
        row.announced_at is not None,
    )


def _add(
    uow: UnitOfWork,
    *,
    actor: str,
    title: str,
    ward_code: str,
    lon: float,
    lat: float,
    report_id: str | None = None,
    source_ip: str | None = None,
) -> Task:
    title = title.strip()
    if not title or len(title) > 200:
        raise InvalidInput(
            "tasklist_title", "Tên việc phải có từ 1 đến 200 ký tự.", "A title has 1 to 200 characters."
        )
    row = Task(
        title=title,
        ward_code=ward_code,
        lon=lon,
        lat=lat,
        created_by=actor,
        created_at=uow.clock(),
        report_id=report_id,
    )
    uow.session.add(row)
    uow.session.flush()
    audit.record(
        uow,
        actor=actor,
        action="tasklist.task.add",
        object_type="tasklist_task",
        object_id=str(row.id),
        after={"title": title, "ward_code": ward_code},
        source_ip=source_ip,
    )
    uow.emit(TaskAdded(str(row.id), title, ward_code))
    return row


def add_task(
    uow: UnitOfWork,
    *,
    actor: str,
    title: str,
    ward_code: str,
    lon: float,
    lat: float,
    source_ip: str | None = None,
) -> TaskDTO:
    """Put a task on a ward's list."""
    row = _add(uow, actor=actor, title=title, ward_code=ward_code, lon=lon, lat=lat, source_ip=source_ip)
    uow.commit()
    return _dto(row)


def complete_task(uow: UnitOfWork, *, actor: str, task_id: uuid.UUID) -> TaskDTO:
    """Mark a task done (doing it twice changes nothing)."""
    row = uow.session.get(Task, task_id)
    if row is None:
        raise NotFound("tasklist_not_found", "Không có việc này.", "No such task.", task_id=str(task_id))
    if row.done_at is None:
        row.done_at = uow.clock()
        audit.record(
            uow,
            actor=actor,
            action="tasklist.task.complete",
            object_type="tasklist_task",
            object_id=str(row.id),
        )
        uow.emit(TaskCompleted(str(row.id)))
        uow.commit()
    return _dto(row)


def list_tasks(uow: UnitOfWork, *, open_only: bool = False) -> list[TaskDTO]:
    """List tasks, oldest first."""
    stmt = select(Task).order_by(Task.created_at, Task.id)
    if open_only:
        stmt = stmt.where(Task.done_at.is_(None))
    return [_dto(row) for row in uow.session.scalars(stmt)]


def count_open(uow: UnitOfWork) -> int:
    """Count the tasks not done yet."""
    return int(uow.session.scalar(select(func.count()).select_from(Task).where(Task.done_at.is_(None))) or 0)


def kpi_open(uow: UnitOfWork) -> float:
    """KPI: the open tasks of every ward."""
    return float(count_open(uow))


def plan_reminder(uow: UnitOfWork, event: TaskAdded) -> None:
    """In the writer's transaction: plan the reminder a day later (no task, no reminder)."""
    jobs.enqueue(
        uow,
        REMIND_KIND,
        {"task_id": event.task_id},
        idempotency_key=f"{REMIND_KIND}:{event.task_id}",
        run_after=uow.clock() + REMIND_AFTER,
    )


def announce(uow: UnitOfWork, event: TaskAdded) -> None:
    """After commit: mark the task announced to the ward (idempotent, as at-least-once requires)."""
    row = uow.session.get(Task, uuid.UUID(event.task_id))
    if row is not None and row.announced_at is None:
        row.announced_at = uow.clock()


def consume_report(uow: UnitOfWork, message: Message) -> None:
    """Turn a field device's MQTT report into a task; a report seen before adds nothing."""
    report: ReportIn = message.payload
    if uow.session.scalar(select(Task.id).where(Task.report_id == report.id)) is not None:
        return
    _add(
        uow,
        actor="mqtt:tasklist.reports",
        title=report.title,
        ward_code=report.ward_code,
        lon=report.lon,
        lat=report.lat,
        report_id=report.id,
    )


def tasks_layer(uow: UnitOfWork, bbox: BBox | None, language: str) -> dict[str, Any]:
    """Map layer: the open tasks as GeoJSON points (inside the box, if one is given)."""
    stmt = select(Task).where(Task.done_at.is_(None)).order_by(Task.created_at, Task.id)
    if bbox is not None:
        min_lon, min_lat, max_lon, max_lat = bbox
        stmt = stmt.where(Task.lon.between(min_lon, max_lon), Task.lat.between(min_lat, max_lat))
    features = [
        {
            "type": "Feature",
            "id": str(row.id),
            "geometry": {"type": "Point", "coordinates": [row.lon, row.lat]},
            "properties": {"title": row.title, "ward_code": row.ward_code, "label": row.title},
        }
        for row in uow.session.scalars(stmt)
    ]
    return {"type": "FeatureCollection", "features": features}


DEMO = (
    ("demo-1", "Kiểm tra đèn chiếu sáng phố Hàng Bạc", "00070", 105.8525, 21.0345),
    ("demo-2", "Dọn rác tập kết sai chỗ ở ngõ 12", "00070", 105.8540, 21.0330),
)


def load_demo(platform: Platform) -> None:
    """Load two demo tasks in Hoàn Kiếm, once."""
    with platform.uow() as uow:
        seen = set(uow.session.scalars(select(Task.report_id).where(Task.report_id.is_not(None))))
        for report_id, title, ward, lon, lat in DEMO:
            if report_id not in seen:
                _add(
                    uow,
                    actor=SYSTEM_ACTOR,
                    title=title,
                    ward_code=ward,
                    lon=lon,
                    lat=lat,
                    report_id=report_id,
                )
        uow.commit()
