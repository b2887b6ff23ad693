"""The slots of a schedule: cron expressions and aligned intervals in Hanoi time, and which slots are due."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import get_args

from cronsim import CronSim, CronSimError

from thanglong.core.clock import HANOI
from thanglong.core.errors import InvalidInput
from thanglong.core.manifest import CatchUp, DomainManifest, Schedule

CATCH_UP_POLICIES: tuple[str, ...] = get_args(CatchUp)
# "all" runs at most this many missed slots, the most recent ones: a month of a one-minute schedule
# is not worth replaying, and the bound keeps a restart from blocking the worker for hours.
MAX_CATCH_UP = 100
# Under "skip", a slot still runs when a worker first looks at it this late (a worker that was busy
# with another job is late, not absent); later than this it counts as missed and is dropped.
SKIP_GRACE = timedelta(minutes=5)
DAY = timedelta(days=1)
MAX_NAME_CHARS = 120
# A reference instant for checking that an expression ever matches; never the wall clock.
_REFERENCE = datetime(2000, 1, 1, tzinfo=UTC)


class InvalidSchedule(InvalidInput):
    """A schedule declared in a manifest cannot be run; start-up stops naming it."""

    def __init__(self, domain: str, name: str, reason_vi: str, reason_en: str) -> None:
        super().__init__(
            "schedule.invalid",
            f"lịch chạy {name!r} của lĩnh vực {domain!r} không hợp lệ: {reason_vi}",
            f"schedule {name!r} of domain {domain!r} is invalid: {reason_en}",
            domain=domain,
            schedule=name,
        )


class SlotRule(ABC):
    """When a schedule's slots fall; every instant given and returned is aware, results in UTC."""

    @abstractmethod
    def latest(self, now: datetime) -> datetime | None:
        """Return the latest slot at or before `now` (None when there is none)."""

    @abstractmethod
    def next_after(self, moment: datetime) -> datetime:
        """Return the first slot strictly after `moment`."""

    @abstractmethod
    def describe(self) -> str:
        """Return the expression as people read it."""

    def previous(self, moment: datetime) -> datetime | None:
        """Return the latest slot strictly before `moment`."""
        return self.latest(moment - timedelta(microseconds=1))

    def recent(self, after: datetime | None, upto: datetime, limit: int) -> list[datetime]:
        """Return the slots in (after, upto], at most the `limit` most recent, oldest first."""
        out: list[datetime] = []
        slot = self.latest(upto)
        while slot is not None and len(out) < limit and (after is None or slot > after):
            out.append(slot)
            slot = self.previous(slot)
        out.reverse()
        return out


class CronRule(SlotRule):
    """A 5-field cron expression (minute hour day month weekday) read in a time zone, Debian cron's rules."""

    def __init__(self, expression: str, tz: tzinfo = HANOI) -> None:
        fields = expression.split()
        if len(fields) != 5:
            raise ValueError(f"a cron expression has 5 fields, not {len(fields)}")
        self.expression = " ".join(fields)
        self.tz = tz
        try:
            next(CronSim(self.expression, _REFERENCE.astimezone(tz)))
        except CronSimError as exc:
            raise ValueError(str(exc)) from None
        except StopIteration:
            raise ValueError("the expression never matches") from None

    def _iterate(self, start: datetime, *, reverse: bool) -> datetime | None:
        try:
            found = next(CronSim(self.expression, start.astimezone(self.tz), reverse=reverse))
        except StopIteration:  # no match within 50 years of `start`
            return None
        return found.astimezone(UTC)

    def latest(self, now: datetime) -> datetime | None:
        """Return the latest slot at or before `now`."""
        # CronSim steps one second back before searching, so start one second past the whole second.
        return self._iterate(now.replace(microsecond=0) + timedelta(seconds=1), reverse=True)

    def previous(self, moment: datetime) -> datetime | None:
        """Return the latest slot strictly before `moment`."""
        return self._iterate(moment, reverse=True)

    def next_after(self, moment: datetime) -> datetime:
        """Return the first slot strictly after `moment`."""
        found = self._iterate(moment, reverse=False)
        if found is None:
            raise ValueError(f"cron {self.expression!r} has no slot after {moment.isoformat()}")
        return found

    def describe(self) -> str:
        """Return the expression."""
        return f"cron {self.expression}"


class IntervalRule(SlotRule):
    """Slots every `seconds`, counted from each local midnight, so they fall at the same times every day."""

    def __init__(self, seconds: int, tz: tzinfo = HANOI) -> None:
        day_seconds = int(DAY.total_seconds())
        if not 1 <= seconds <= day_seconds or day_seconds % seconds:
            raise ValueError(f"{seconds} s does not divide a day ({day_seconds} s)")
        self.seconds = seconds
        self.step = timedelta(seconds=seconds)
        self.tz = tz

    def _midnight(self, day: date) -> datetime:
        """Return the local midnight that starts `day`, in UTC."""
        return datetime.combine(day, time(0), tzinfo=self.tz).astimezone(UTC)

    def latest(self, now: datetime) -> datetime:
        """Return the latest slot at or before `now`."""
        midnight = self._midnight(now.astimezone(self.tz).date())
        # Arithmetic in UTC: elapsed real time since midnight, right even on a zone's DST days.
        return midnight + self.step * ((now.astimezone(UTC) - midnight) // self.step)

    def next_after(self, moment: datetime) -> datetime:
        """Return the first slot strictly after `moment` (the next midnight ends a day's slots)."""
        tomorrow = moment.astimezone(self.tz).date() + timedelta(days=1)
        return min(self.latest(moment) + self.step, self._midnight(tomorrow))

    def describe(self) -> str:
        """Return the interval."""
        return f"every {self.seconds} s"


def rule_for(schedule: Schedule, domain: str, tz: tzinfo = HANOI) -> SlotRule:
    """Check a schedule and return its slot rule; raise InvalidSchedule naming it."""

    def bad(reason_vi: str, reason_en: str) -> InvalidSchedule:
        return InvalidSchedule(domain, schedule.name, reason_vi, reason_en)

    if not schedule.name or len(schedule.name) > MAX_NAME_CHARS:
        raise bad(f"tên phải có 1 đến {MAX_NAME_CHARS} ký tự", f"the name needs 1 to {MAX_NAME_CHARS} chars")
    module, _, function = schedule.job.partition(":")
    if not module or not function:
        raise bad(
            f"job phải có dạng 'module:function', không phải {schedule.job!r}",
            f"job must read 'module:function', not {schedule.job!r}",
        )
    if schedule.catch_up not in CATCH_UP_POLICIES:
        raise bad(
            f"catch_up {schedule.catch_up!r} không thuộc {CATCH_UP_POLICIES}",
            f"catch_up {schedule.catch_up!r} is not one of {CATCH_UP_POLICIES}",
        )
    cron, every = schedule.cron, schedule.every_seconds
    try:
        if cron is not None and every is None:
            return CronRule(cron, tz)
        if every is not None and cron is None:
            return IntervalRule(every, tz)
    except ValueError as exc:
        expression = cron if cron is not None else f"every_seconds={every}"
        raise bad(f"biểu thức {expression!r} sai ({exc})", f"bad expression {expression!r} ({exc})") from None
    raise bad("cần đúng một trong cron và every_seconds", "exactly one of cron and every_seconds is needed")


def validate_schedules(manifests: Iterable[DomainManifest]) -> dict[str, SlotRule]:
    """Check every declared schedule and that names are unique; return the rules by schedule name."""
    rules: dict[str, SlotRule] = {}
    for manifest in manifests:
        for schedule in manifest.schedules:
            if schedule.name in rules:
                raise InvalidSchedule(
                    manifest.name, schedule.name, "tên đã được khai báo trước", "the name is declared twice"
                )
            rules[schedule.name] = rule_for(schedule, manifest.name)
    return rules


def due_slots(rule: SlotRule, catch_up: CatchUp, last_slot: datetime | None, now: datetime) -> list[datetime]:
    """Return the slots to run now, oldest first, given the last slot run (None: never ran)."""
    latest = rule.latest(now)
    if latest is None or (last_slot is not None and latest <= last_slot):
        return []
    if catch_up == "skip":
        return [latest] if now - latest <= SKIP_GRACE else []
    if catch_up == "latest" or last_slot is None:
        return [latest]
    return rule.recent(last_slot, latest, MAX_CATCH_UP)
