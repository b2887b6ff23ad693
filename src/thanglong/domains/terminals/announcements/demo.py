"""Demo announcements: one active routine notice and one flood warning awaiting approval.

Works with no terminal in the fleet (the counts are then 0). A second run adds nothing: the demo
announcements are found by their headline.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select

from thanglong.core.security import SYSTEM_ACTOR
from thanglong.domains.terminals.announcements import services, targets
from thanglong.domains.terminals.announcements.dto import DraftIn
from thanglong.domains.terminals.announcements.models import Announcement

if TYPE_CHECKING:
    from thanglong.core.platform import Platform

# Two different system actors: the demo keeps the two-person rule like everyone else.
DRAFTER = f"{SYSTEM_ACTOR}:terminals.demo.officer"
APPROVER = f"{SYSTEM_ACTOR}:terminals.demo.head"
ROUTINE_HEADLINE = "Lịch thu gom rác thải tại phường Hoàn Kiếm"
PENDING_HEADLINE = "Cảnh báo mưa lớn, ngập úng cục bộ"


def load_demo(platform: Platform) -> None:
    """Add the demo announcements once: one approved (active), one awaiting approval."""
    with platform.uow() as uow:
        have = set(
            uow.session.scalars(
                select(Announcement.headline).where(
                    Announcement.headline.in_([ROUTINE_HEADLINE, PENDING_HEADLINE])
                )
            )
        )
        now = uow.clock()
    if ROUTINE_HEADLINE not in have:
        start = now + timedelta(minutes=5)
        with platform.uow() as uow:
            made = services.create_draft(
                uow,
                actor=DRAFTER,
                user_id=None,
                submit=True,
                draft=DraftIn(
                    headline=ROUTINE_HEADLINE,
                    description="Xe thu gom rác đi qua các tuyến phố từ 18 giờ đến 21 giờ hằng ngày. "
                    "Người dân để rác đúng nơi quy định.",
                    headline_en="Waste collection times in Hoan Kiem ward",
                    description_en="Collection trucks pass from 18:00 to 21:00 every day.",
                    category="routine",
                    level="routine",
                    onset=start,
                    expires=start + timedelta(days=30),
                    schedule="daily",
                    targets=[targets.communes(["00070"])],
                ),
            )
        with platform.uow() as uow:
            services.approve(uow, actor=APPROVER, user_id=None, announcement_id=made.id)
    if PENDING_HEADLINE not in have:
        start = now + timedelta(hours=1)
        with platform.uow() as uow:
            services.create_draft(
                uow,
                actor=DRAFTER,
                user_id=None,
                submit=True,
                draft=DraftIn(
                    headline=PENDING_HEADLINE,
                    description="Dự báo mưa lớn 80–120 mm trong đêm nay, nguy cơ ngập úng tại các phố "
                    "ven sông Tô Lịch.",
                    instruction="Hạn chế ra đường khi mưa lớn; kê cao đồ đạc, tránh xa cột điện.",
                    category="weather",
                    level="priority",
                    onset=start,
                    expires=start + timedelta(hours=18),
                    targets=[targets.circle(21.0035, 105.8203, 3.0)],
                ),
            )
