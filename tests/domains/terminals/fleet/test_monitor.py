"""The fleet monitor under a controlled clock: sweep, communes' figures, offline alarms via operations."""

from __future__ import annotations

from datetime import timedelta

from tests.domains.terminals.fleet.helpers import BA_DINH, HOAN_KIEM, T0, Clock, beat, deliver, fleet
from thanglong.core.platform import Platform
from thanglong.core.timeseries.query import query
from thanglong.domains.operations import api as operations
from thanglong.domains.terminals.fleet import monitor, offline, series


def _run(platform: Platform) -> monitor.MonitorReport:
    with platform.uow() as uow:
        return monitor.run(uow)


def _open(platform: Platform) -> dict[str, operations.AlarmDTO]:
    with platform.uow() as uow:
        return operations.open_external(uow, offline.SOURCE_PREFIX)


def test_silent_terminals_swept_and_share_recorded(platform: Platform) -> None:
    clock = Clock()
    platform.clock = clock
    serials = fleet(platform, HOAN_KIEM, 4)
    deliver(platform, [beat(s) for s in serials])
    clock.at(2)
    deliver(platform, [beat(s) for s in serials[:3]])  # the fourth falls silent after minute 0
    clock.at(3.5)
    report = _run(platform)
    assert report.swept == [serials[3]]
    with platform.uow() as uow:
        assert monitor.online_share(uow) == 75.0
        points = query(uow.session, series.commune_online_share(HOAN_KIEM), T0, T0 + timedelta(hours=1))
    assert points == [(T0 + timedelta(minutes=3), 75.0)]


def test_commune_alarm_after_fifteen_minutes_escalates_then_clears(platform: Platform) -> None:
    clock = Clock()
    platform.clock = clock
    hk = fleet(platform, HOAN_KIEM, 10)
    bd = fleet(platform, BA_DINH, 10, prefix="BD")
    deliver(platform, [beat(s) for s in hk + bd])
    _run(platform)
    # Minute 1: three of Hoàn Kiếm's ten go offline (30 %); Ba Đình stays up.
    clock.at(1)
    deliver(platform, [beat(s, online=False) for s in hk[:3]])
    raised_at = None
    for minute in range(1, 18):
        clock.at(minute)
        deliver(platform, [beat(s) for s in hk[3:] + bd])
        _run(platform)
        if raised_at is None and _open(platform):
            raised_at = minute
    # Samples from minute 1 are all above 20 %: the window [m-15, m] is covered from minute 16 on.
    assert raised_at == 16
    alarms = _open(platform)
    assert list(alarms) == [offline.SOURCE_PREFIX + HOAN_KIEM]
    alarm = alarms[offline.SOURCE_PREFIX + HOAN_KIEM]
    assert alarm.severity == "warning" and alarm.last_value == 30.0
    assert alarm.series == series.commune_online_share(HOAN_KIEM)
    # 60 % offline from minute 18: major once held 15 minutes.
    clock.at(18)
    deliver(platform, [beat(s, online=False) for s in hk[3:6]])
    for minute in range(18, 34):
        clock.at(minute)
        deliver(platform, [beat(s) for s in hk[6:] + bd])
        _run(platform)
    assert _open(platform)[offline.SOURCE_PREFIX + HOAN_KIEM].severity == "major"
    # All back: 0 % offline clears at once (below the clear line).
    clock.at(34)
    deliver(platform, [beat(s) for s in hk + bd])
    _run(platform)
    assert _open(platform) == {}


def test_verdict_needs_the_whole_window_and_has_hysteresis() -> None:
    now = T0 + timedelta(minutes=30)
    held = [(now - timedelta(minutes=m), 70.0) for m in range(15, -1, -1)]  # 30 % offline, 16 samples
    assert offline.verdict(held, now, is_open=False).severity == "warning"
    # A gap at the start of the window is not a hold.
    assert offline.verdict(held[5:], now, is_open=False).action == "keep"
    # One sample back under the line inside the window stops the raise.
    dipped = [*held[:8], (held[8][0], 85.0), *held[9:]]
    assert offline.verdict(dipped, now, is_open=False).action == "keep"
    # Open alarm: 15 % offline neither raises nor clears; 10 % clears.
    assert offline.verdict([(now, 85.0)], now, is_open=True).action == "keep"
    assert offline.verdict([(now, 90.0)], now, is_open=True).action == "clear"
    assert offline.verdict([], now, is_open=True).action == "keep"


def test_small_communes_are_not_judged(platform: Platform) -> None:
    clock = Clock()
    platform.clock = clock
    serials = fleet(platform, HOAN_KIEM, 3)
    deliver(platform, [beat(s) for s in serials])
    deliver(platform, [beat(s, online=False) for s in serials])
    for minute in range(0, 20):
        clock.at(minute)
        _run(platform)
    assert _open(platform) == {}
