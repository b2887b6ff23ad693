"""Rollout engine: plan waves of communes, judge the health of the updated terminals. Pure.

Waves: the canary commune(s) first (given, or the smallest commune with at least `min_canary`
terminals: a small blast radius that still says something), then the other communes from the smallest
up, each wave about `growth` times as many terminals as the one before, the last taking what is left.

Halt rule, judged while a wave soaks and when it has soaked:
- halt at once when enough updated terminals report (`min_reporting`) and the share of them reporting
  "ok" is below `min_ok_share`, or below the not-yet-updated terminals' share by more than `max_gap`
  (a city-wide bad day, a storm cutting power, is not the update's fault: the comparison says so);
- after the soak time, halt when fewer than `min_adoption` of the wave's terminals run the new version
  (the update does not take); otherwise advance to the next wave, or complete after the last.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Policy:
    """How a rollout grows and when it halts."""

    growth: float = 2.0
    min_canary: int = 10
    soak: timedelta = timedelta(hours=1)
    min_ok_share: float = 0.9
    max_gap: float = 0.05
    min_reporting: int = 5
    min_adoption: float = 0.8


def plan_waves(
    terminals: Mapping[str, int], policy: Policy, canary: Sequence[str] | None = None
) -> list[list[str]]:
    """Return the waves (lists of commune codes) covering every commune with terminals."""
    counts = {code: n for code, n in terminals.items() if n > 0}
    if not counts:
        return []
    if policy.growth < 1:
        raise ValueError("growth must be at least 1")
    if canary:
        unknown = [code for code in canary if code not in counts]
        if unknown:
            raise ValueError(f"canary communes without terminals: {', '.join(unknown)}")
        first = list(dict.fromkeys(canary))
    else:
        by_size = sorted(counts, key=lambda c: (counts[c], c))
        big_enough = [c for c in by_size if counts[c] >= policy.min_canary]
        first = [big_enough[0] if big_enough else by_size[-1]]
    waves = [first]
    rest = sorted((c for c in counts if c not in first), key=lambda c: (counts[c], c))
    size = sum(counts[c] for c in first)
    while rest:
        target = size * policy.growth
        wave: list[str] = []
        total = 0
        while rest and (not wave or total + counts[rest[0]] <= target):
            code = rest.pop(0)
            wave.append(code)
            total += counts[code]
        waves.append(wave)
        size = max(total, 1)
    return waves


@dataclass(frozen=True)
class Health:
    """What the heartbeats say: the started waves' terminals and the others, online in the last minutes."""

    targeted: int  # terminals in the communes of the waves started so far
    updated: int  # of those, running the new version
    updated_reporting: int  # updated and online
    updated_ok: int  # updated, online and "ok"
    others_reporting: int  # not in a started wave, online
    others_ok: int

    @property
    def updated_share(self) -> float | None:
        """Return the share "ok" of the updated terminals reporting."""
        return self.updated_ok / self.updated_reporting if self.updated_reporting else None

    @property
    def others_share(self) -> float | None:
        """Return the share "ok" of the other terminals reporting."""
        return self.others_ok / self.others_reporting if self.others_reporting else None


@dataclass(frozen=True)
class Decision:
    """What to do now, and why (Vietnamese and English)."""

    action: str  # wait | advance | complete | halt
    reason_vi: str = ""
    reason_en: str = ""


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def judge(
    health: Health, policy: Policy, *, wave_started: datetime, now: datetime, last_wave: bool
) -> Decision:
    """Decide from the health of the updated terminals whether to wait, advance, complete or halt."""
    mine, theirs = health.updated_share, health.others_share
    if mine is not None and health.updated_reporting >= policy.min_reporting:
        if mine < policy.min_ok_share:
            return Decision(
                "halt",
                f"Chỉ {_pct(mine)} thiết bị đã cập nhật báo tốt (ngưỡng {_pct(policy.min_ok_share)}).",
                f"Only {_pct(mine)} of updated terminals report ok (threshold {_pct(policy.min_ok_share)}).",
            )
        if (
            theirs is not None
            and health.others_reporting >= policy.min_reporting
            and mine < theirs - policy.max_gap
        ):
            return Decision(
                "halt",
                f"Thiết bị đã cập nhật báo tốt {_pct(mine)},"
                f" thấp hơn thiết bị chưa cập nhật ({_pct(theirs)}).",
                f"Updated terminals report ok {_pct(mine)}, below the not-yet-updated ones ({_pct(theirs)}).",
            )
    if now - wave_started < policy.soak:
        return Decision("wait")
    adoption = health.updated / health.targeted if health.targeted else 1.0
    if adoption < policy.min_adoption:
        return Decision(
            "halt",
            f"Sau thời gian theo dõi chỉ {_pct(adoption)} thiết bị của đợt chạy phiên bản mới.",
            f"After the soak time only {_pct(adoption)} of the wave's terminals run the new version.",
        )
    return Decision("complete" if last_wave else "advance")
