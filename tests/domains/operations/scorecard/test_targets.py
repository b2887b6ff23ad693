"""The shipped targets: one per line of the issue, each traceable to SOURCES.md, well-formed."""

from __future__ import annotations

import json
import re
from importlib import resources

import pytest

from thanglong.domains.operations.scorecard.targets import BadTargets, parse, shipped

# The lines of the issue and the indicator each target reads.
ISSUE_KPIS = {
    "procedures.online_share",
    "procedures.full_process_share",
    "procedures.on_time_rate",
    "infra.industrial_parks_5g_share",
    "infra.wifi_target_places_share",
    "infra.underground_routes",
    "infra.underground_km",
    "infra.agencies_ipv6_share",
    "terminals.online_share",
    "terminals.announcement_reach",
    "security.open_incidents",
    "security.mean_time_to_respond",
    "traffic.congestion_index",
}


def _sources() -> str:
    package = resources.files("thanglong.domains.operations.scorecard")
    return package.joinpath("data", "SOURCES.md").read_text(encoding="utf-8")


def test_every_line_of_the_issue_has_a_target() -> None:
    targets = shipped()
    assert {t.kpi for t in targets} == ISSUE_KPIS
    assert len({t.key for t in targets}) == len(targets)
    for t in targets:
        assert t.kpi.split(".", 1)[0] == t.owner
        assert t.title_vi and t.title_en and t.unit_vi and t.unit_en


def test_every_source_is_described_and_assumptions_say_so() -> None:
    headings = set(re.findall(r"^## (\S+)$", _sources(), flags=re.MULTILINE))
    for t in shipped():
        assert t.source in headings, t.key
        assert t.assumption == t.source.startswith("assumption-"), t.key


def test_a_bad_file_is_refused_with_the_target_named() -> None:
    good = json.loads(
        resources.files("thanglong.domains.operations.scorecard")
        .joinpath("data", "targets.json")
        .read_text(encoding="utf-8")
    )
    first = good["targets"][0]
    with pytest.raises(BadTargets, match=first["key"]):
        parse(json.dumps({"targets": [{**first, "comparison": "about"}]}))
    with pytest.raises(BadTargets, match="deadline"):
        parse(json.dumps({"targets": [{k: v for k, v in first.items() if k != "deadline"}]}))
    with pytest.raises(BadTargets, match="duplicated"):
        parse(json.dumps({"targets": [first, first]}))
    baseline = parse(json.dumps({"targets": [{**first, "baseline": {"value": 12.5, "date": "2024-12-31"}}]}))
    assert baseline[0].baseline is not None and baseline[0].baseline.value == 12.5
