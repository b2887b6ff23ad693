"""Play windows of a programme (once, daily, weekly, a repeat count) and overlaps between programmes: pure.

A programme plays at its start and then, for daily and weekly ones, at the same time every day or every
week until its expiry. Each play reads the message `repeat` times back to back, and one reading is taken
to fill a slot of PLAY_SLOT (the alert tone, the text read aloud, a pause): a window is repeat × slot long.
Two programmes overlap when a window of one meets a window of the other on a commune they share.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

from thanglong.core.errors import InvalidInput
from thanglong.domains.terminals.announcements.levels import Schedule

PLAY_SLOT = timedelta(minutes=5)
MAX_REPEAT = 10
# A daily programme of a year is 366 windows; more is not a programme but a standing order.
MAX_WINDOWS = 400
STEP = {Schedule.DAILY: timedelta(days=1), Schedule.WEEKLY: timedelta(days=7)}


@dataclass(frozen=True, slots=True)
class Programme:
    """When an announcement plays: from `start` (onset) until `expires`, how often and how many times."""

    start: datetime
    expires: datetime
    schedule: str = Schedule.ONCE.value
    repeat: int = 1

    def windows(self) -> Iterator[tuple[datetime, datetime]]:
        """Yield the play windows in order (at most MAX_WINDOWS), none starting at or after the expiry."""
        length = PLAY_SLOT * self.repeat
        step = STEP.get(Schedule(self.schedule))
        at = self.start
        for _ in range(MAX_WINDOWS):
            if at >= self.expires:
                return
            yield at, min(at + length, self.expires)
            if step is None:
                return
            at += step


def check_programme(programme: Programme, now: datetime) -> None:
    """Refuse an expiry in the past or not after the start, and a repeat count out of range."""
    if programme.expires <= now:
        raise InvalidInput(
            "expires_in_past",
            "Thời điểm hết hiệu lực đã qua.",
            "The expiry time is in the past.",
            field="expires",
        )
    if programme.expires <= programme.start:
        raise InvalidInput(
            "expires_before_start",
            "Thời điểm hết hiệu lực phải sau thời điểm bắt đầu.",
            "The expiry time must be after the start time.",
            field="expires",
        )
    if not 1 <= programme.repeat <= MAX_REPEAT:
        raise InvalidInput(
            "invalid_repeat",
            f"Số lần đọc mỗi lượt phát từ 1 đến {MAX_REPEAT}.",
            f"Each play reads the message 1 to {MAX_REPEAT} times.",
            field="repeat_count",
        )


def first_overlap(a: Programme, b: Programme) -> tuple[datetime, datetime] | None:
    """Return the first time two programmes play at once (start, end), or None (a sorted merge)."""
    left, right = a.windows(), b.windows()
    x, y = next(left, None), next(right, None)
    while x is not None and y is not None:
        start, end = max(x[0], y[0]), min(x[1], y[1])
        if start < end:
            return start, end
        if x[1] <= y[1]:
            x = next(left, None)
        else:
            y = next(right, None)
    return None


def shared_communes(a: Collection[str], b: Collection[str]) -> tuple[str, ...] | None:
    """Return the communes two targets share (empty tuple: both or one is the whole city), or None."""
    if not a or not b:
        return tuple(sorted(set(a) | set(b)))
    common = set(a) & set(b)
    return tuple(sorted(common)) if common else None
