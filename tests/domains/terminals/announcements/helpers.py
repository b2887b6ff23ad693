"""Helpers of the announcement tests: a draft that is valid at the test clock, users as actors."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from thanglong.core.platform import Platform
from thanglong.domains.identity.services import UserDTO
from thanglong.domains.terminals.announcements import services, targets
from thanglong.domains.terminals.announcements.dto import AnnouncementDTO, DraftIn

HOAN_KIEM = "00070"
BA_DINH = "00004"


def now(platform: Platform) -> datetime:
    """Return the platform's time."""
    with platform.uow() as uow:
        return uow.clock()


def draft(platform: Platform, **changes: Any) -> DraftIn:
    """Return a routine draft for Hoàn Kiếm starting in an hour for a day, with the changes given."""
    start = now(platform) + timedelta(hours=1)
    base = DraftIn(
        headline="Thông báo lịch cắt nước",
        description="Phường Hoàn Kiếm cắt nước từ 8 giờ đến 11 giờ để sửa đường ống.",
        instruction="Người dân chủ động trữ nước.",
        category="routine",
        level="routine",
        onset=start,
        expires=start + timedelta(days=1),
        targets=[targets.communes([HOAN_KIEM])],
    )
    return replace(base, **changes)


def actor(user: UserDTO) -> dict[str, Any]:
    """Return the actor keywords of a user, as the web layer passes them."""
    return {"actor": f"user:{user.id}:{user.username}", "user_id": user.id}


def create(platform: Platform, user: UserDTO, *, submit: bool = True, **changes: Any) -> AnnouncementDTO:
    """Draft (and by default submit) an announcement as a user."""
    with platform.uow() as uow:
        return services.create_draft(uow, **actor(user), draft=draft(platform, **changes), submit=submit)


def approve(platform: Platform, user: UserDTO, announcement_id: uuid.UUID) -> AnnouncementDTO:
    """Approve an announcement as a user."""
    with platform.uow() as uow:
        return services.approve(uow, **actor(user), announcement_id=announcement_id)
