"""Tests of the calendar overrides stored in core_calendar_day."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from thanglong.core import audit, calendar_store
from thanglong.core.calendar import DayKind
from thanglong.core.errors import InvalidInput, NotFound
from thanglong.core.models import AuditRecord
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import RecordingBus

CULTURE_DAY = date(2026, 11, 24)


def set_culture_day(platform: Platform) -> None:
    with platform.uow() as uow:
        calendar_store.set_day(
            uow,
            actor="user:test:admin",
            day=CULTURE_DAY,
            is_working=False,
            name_vi="Ngày Văn hóa Việt Nam",
            name_en="Vietnamese Culture Day",
            legal_basis="Nghị quyết 80-NQ/TW (chờ sửa Bộ luật Lao động)",
            source_ip="127.0.0.1",
        )


def test_override_changes_the_answer_and_is_audited(platform: Platform, fake_bus: RecordingBus) -> None:
    with platform.uow() as uow:
        assert calendar_store.load_calendar(uow).is_working_day(CULTURE_DAY)
    set_culture_day(platform)
    with platform.uow() as uow:
        cal = calendar_store.load_calendar(uow)
        assert not cal.is_working_day(CULTURE_DAY)
        info = cal.day_info(CULTURE_DAY)
        assert info.overridden and info.kind == DayKind.HOLIDAY and info.name_en == "Vietnamese Culture Day"
        assert cal.add_working_days(date(2026, 11, 23), 1) == date(2026, 11, 25)
        rows = uow.session.scalars(select(AuditRecord).where(AuditRecord.object_id == "2026-11-24")).all()
        assert [r.action for r in rows] == ["core.calendar.day_set"]
        assert rows[0].actor == "user:test:admin" and rows[0].source_ip == "127.0.0.1"
        assert rows[0].before is None and rows[0].after is not None and rows[0].after["is_working"] is False
        # The record went in unsealed; the sealer links it into the chain, which then verifies.
        assert not rows[0].sealed
        assert audit.seal(uow.session).sealed >= 1
        assert rows[0].sealed
        assert audit.verify(uow.session).ok
    assert [type(e).__name__ for e in fake_bus.published] == ["CalendarDayChanged"]


def test_replace_records_before_and_after(platform: Platform) -> None:
    set_culture_day(platform)
    with platform.uow() as uow:
        info = calendar_store.set_day(
            uow, actor="cli:root", day=CULTURE_DAY, is_working=True, name_vi="Làm việc", name_en="Working"
        )
    assert info.is_working and info.kind == DayKind.WORKING
    with platform.uow() as uow:
        rows = uow.session.scalars(
            select(AuditRecord).where(AuditRecord.object_id == "2026-11-24").order_by(AuditRecord.seq)
        ).all()
        assert rows[-1].before is not None and rows[-1].before["is_working"] is False
        assert rows[-1].after is not None and rows[-1].after["is_working"] is True
        assert calendar_store.load_calendar(uow).is_working_day(CULTURE_DAY)


def test_makeup_override_on_saturday(platform: Platform) -> None:
    saturday = date(2027, 1, 9)
    with platform.uow() as uow:
        calendar_store.set_day(
            uow, actor="cli:root", day=saturday, is_working=True, name_vi="Làm bù", name_en="Make-up day"
        )
    with platform.uow() as uow:
        cal = calendar_store.load_calendar(uow)
        assert cal.is_working_day(saturday)
        assert cal.day_info(saturday).kind == DayKind.MAKEUP


def test_list_and_delete(platform: Platform) -> None:
    set_culture_day(platform)
    with platform.uow() as uow:
        listed = calendar_store.list_days(uow, 2026)
        assert [o.day for o in listed] == [CULTURE_DAY]
        assert calendar_store.list_days(uow, 2027) == []
        assert listed[0].to_dict()["name_vi"] == "Ngày Văn hóa Việt Nam"
    with platform.uow() as uow:
        calendar_store.delete_day(uow, actor="cli:root", day=CULTURE_DAY)
    with platform.uow() as uow:
        assert calendar_store.list_days(uow, 2026) == []
        assert calendar_store.load_calendar(uow).is_working_day(CULTURE_DAY)
        actions = uow.session.scalars(
            select(AuditRecord.action).where(AuditRecord.object_id == "2026-11-24").order_by(AuditRecord.seq)
        ).all()
        assert actions == ["core.calendar.day_set", "core.calendar.day_deleted"]


def test_delete_missing_is_not_found(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(NotFound):
        calendar_store.delete_day(uow, actor="cli:root", day=CULTURE_DAY)


def test_invalid_input_writes_nothing(platform: Platform) -> None:
    with platform.uow() as uow, pytest.raises(InvalidInput):
        calendar_store.set_day(
            uow, actor="cli:root", day=CULTURE_DAY, is_working=False, name_vi=" ", name_en="x"
        )
    with platform.uow() as uow, pytest.raises(InvalidInput):
        calendar_store.set_day(
            uow, actor="cli:root", day=date(1899, 1, 1), is_working=False, name_vi="x", name_en="x"
        )
    with platform.uow() as uow:
        assert calendar_store.list_days(uow, 2026) == []
        assert (
            uow.session.scalars(select(AuditRecord).where(AuditRecord.object_id == "2026-11-24")).all() == []
        )
