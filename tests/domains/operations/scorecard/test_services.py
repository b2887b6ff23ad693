"""Scorecard services: live values from the domains' KPIs, trends from their records, no data yet."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from thanglong.core import kpi
from thanglong.core.manifest import DomainManifest, KpiProvider
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import make_settings
from thanglong.core.uow import UnitOfWork
from thanglong.domains.operations.scorecard import services
from thanglong.domains.operations.scorecard.status import Status
from thanglong.domains.operations.scorecard.targets import Target, shipped

HERE = "tests.domains.operations.scorecard.test_services"
PROCEDURES_TARGETS = {"procedures_online_share", "procedures_full_process_share", "procedures_on_time_rate"}
# The figure the fake infra domain reports, changed by the tests between recordings.
LEVEL = {"value": 40.0}


def ipv6_share(uow: UnitOfWork) -> float:
    """Return the fake infra domain's current figure."""
    return LEVEL["value"]


FAKE_INFRA = DomainManifest(
    name="infra",
    title_vi="Hạ tầng số (giả)",
    title_en="Digital infrastructure (fake)",
    kpis=(
        KpiProvider(
            "infra.agencies_ipv6_share",
            "Cơ quan sẵn sàng IPv6",
            "Agencies IPv6-ready",
            "%",
            f"{HERE}:ipv6_share",
        ),
    ),
)


def _target(deadline: date, figure: float = 100.0) -> Target:
    [found] = [t for t in shipped() if t.kpi == "infra.agencies_ipv6_share"]
    return dataclasses.replace(found, deadline=deadline, target=figure)


def _at(platform: Platform, moment: datetime) -> Platform:
    return dataclasses.replace(platform, clock=lambda: moment)


def test_targets_of_domains_that_do_not_exist_yet_have_no_data(platform: Platform) -> None:
    cards = {card.target.key: card for card in services.build(platform)}
    assert set(cards) == {t.key for t in shipped()}
    # terminals.announcement_reach is provided (delivery) but has nothing to divide before a first release;
    # the fleet's share online has no terminal yet: no data, like procedures below.
    reach = cards["terminals_announcement_reach"]
    assert (reach.provided, reach.status, reach.value.value if reach.value else None) == (
        True,
        Status.NO_DATA,
        None,
    )
    absent = [
        card
        for card in cards.values()
        if card.target.owner not in {"procedures"}
        and card.target.kpi not in {"terminals.announcement_reach", "terminals.online_share"}
    ]
    assert absent
    for card in absent:
        assert (card.provided, card.status, card.value, card.points) == (False, Status.NO_DATA, None, [])
        assert card.to_dict()["value"] is None and card.to_dict()["status"] == "no_data"
    # Procedures is there, but an empty month has nothing to divide: no data yet, never a 0 % "missed".
    for key in PROCEDURES_TARGETS:
        card = cards[key]
        assert card.provided and card.status == Status.NO_DATA
        assert card.value is not None and card.value.ok and card.value.value is None
    online = cards["terminals_households_online"]
    assert online.provided and online.status == Status.NO_DATA and online.value is not None
    assert online.value.ok and online.value.value is None


def test_with_procedures_disabled_its_targets_have_no_data(tmp_path: Path, tl_database_url: str) -> None:
    settings = make_settings(tmp_path, tl_database_url, domains=["identity", "notify", "operations"])
    without = build_platform(settings)
    try:
        cards = services.build(without)
    finally:
        without.close()
    assert {card.status for card in cards} == {Status.NO_DATA}
    assert not any(card.provided for card in cards)
    assert services.indicators(without) == []


def test_live_values_are_the_procedures_kpis(demo_platform: Platform) -> None:
    cards = {card.target.key: card for card in services.build(demo_platform)}
    live = {v.key: v for v in kpi.compute_all(demo_platform, domains={"procedures"})}
    for key in PROCEDURES_TARGETS:
        card = cards[key]
        expected = live[card.target.kpi]
        assert card.value is not None and card.value.value == expected.value
        assert card.status != Status.NO_DATA
        assert card.to_dict()["provenance"]["domain"] == "procedures"
        # Nothing recorded yet: the live value is the trend's only point.
        assert [v for _, v in card.points] == [expected.value]
        # The deadlines of these targets have passed: met or missed, by the value.
        assert card.status in {Status.MET, Status.MISSED}
        reached = expected.value is not None and expected.value >= card.target.target
        assert (card.status == Status.MET) is reached


def test_recorded_history_makes_the_trend_and_the_status(platform: Platform) -> None:
    fake = dataclasses.replace(platform, manifests=[*platform.manifests, FAKE_INFRA])
    today = datetime.now(UTC).replace(hour=3, minute=0, second=0, microsecond=0)
    for days_ago, level in ((3, 37.0), (2, 38.0), (1, 39.0), (0, 40.0)):
        LEVEL["value"] = level
        kpi.record_all(_at(fake, today - timedelta(days=days_ago)))
    now = _at(fake, today + timedelta(minutes=1))
    # +1 a day: 70 in thirty days reaches 60, not 100.
    soon = (today + timedelta(days=30)).date()
    [on_track] = services.build(now, targets=[_target(soon, 60.0)])
    assert on_track.status == Status.ON_TRACK
    assert [v for _, v in on_track.points] == [37.0, 38.0, 39.0, 40.0]
    assert on_track.trend["change"] == 3.0 and on_track.value is not None
    assert on_track.value.source == kpi.SOURCE_RECORDED
    [at_risk] = services.build(now, targets=[_target(soon, 100.0)])
    assert at_risk.status == Status.AT_RISK and at_risk.assessment.projected is not None
    [met] = services.build(now, targets=[_target(soon, 40.0)])
    assert met.status == Status.MET
    [missed] = services.build(now, targets=[_target((today - timedelta(days=2)).date(), 60.0)])
    assert missed.status == Status.MISSED


def test_summary_counts_every_status(platform: Platform) -> None:
    cards = services.build(platform)
    counts = services.summary(cards)
    assert set(counts) == {s.value for s in Status}
    assert sum(counts.values()) == len(cards)
