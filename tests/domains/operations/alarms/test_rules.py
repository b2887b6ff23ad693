"""Alarm rule files: every problem named by line and field, in Vietnamese and English."""

from __future__ import annotations

import pytest

from thanglong.domains.operations.alarms.rules import (
    Composite,
    Escalation,
    NoData,
    RulesInvalid,
    Threshold,
    export_text,
    parse_rules,
    rule_from_data,
)

GOOD = """# Two rules in one file
name: hk-silent
title: Trạm Hoàn Kiếm mất tín hiệu
title_en: Hoan Kiem station silent
target:
  series: operations.hk.pm25
when:
  no_data: {minutes: 10}
severity: warning
escalation:
  - after_minutes: 15
    severity: critical
clear: {after_minutes: 5}
---
name: hk-high
target: {entity: "urn:ngsi-ld:AirQualityObserved:hk", attribute: pm25}
when:
  all:
    - threshold: {op: ">=", value: 55.5}
    - out_of_range: {min: 0, max: 50}
for_minutes: 5
repeat: {count: 2, within_minutes: 30}
escalation:
  - after_minutes: 10
"""

HEAD = "name: a\ntarget: {series: s}\nwhen: {no_data: {minutes: 5}}\n"


def test_a_good_file_gives_its_rules() -> None:
    first, second = parse_rules(GOOD)
    assert first.rule.name == "hk-silent"
    assert first.rule.condition == NoData(10)
    assert first.rule.escalation == (Escalation(15, "critical"),)
    assert first.rule.clear_after_minutes == 5
    assert first.rule.title == "Trạm Hoàn Kiếm mất tín hiệu"
    assert second.rule.for_minutes == 5 and second.rule.repeat_count == 2
    assert isinstance(second.rule.condition, Composite) and second.rule.condition.mode == "all"
    assert second.rule.condition.parts[0] == Threshold(">=", 55.5)
    # Without a severity, a step goes one level up.
    assert second.rule.escalation == (Escalation(10, "major"),)
    assert second.data["target"]["attribute"] == "pm25"


def test_export_gives_the_documents_back() -> None:
    rules = parse_rules(GOOD)
    again = parse_rules(export_text([r.text for r in rules]))
    assert [r.rule for r in again] == [r.rule for r in rules]
    assert rule_from_data(rules[1].data) == rules[1].rule


def problems_of(text: str) -> list[tuple[int, str]]:
    with pytest.raises(RulesInvalid) as caught:
        parse_rules(text)
    return [(p.line, p.field) for p in caught.value.problems]


def test_each_problem_names_its_line_and_field() -> None:
    text = """name: Bad Name
target: {series: x}
when:
  threshold: {op: "=>", value: ten}
severity: urgent
for_minutes: -1
colour: red
"""
    found = problems_of(text)
    assert (1, "name") in found
    assert (4, "when.threshold.op") in found
    assert (4, "when.threshold.value") in found
    assert (5, "severity") in found
    assert (6, "for_minutes") in found
    assert (7, "colour") in found


def test_the_message_is_bilingual_and_lines_count_across_documents() -> None:
    text = (
        HEAD + "---\nname: b\ntarget: {series: s}\nwhen:\n  any:\n"
        "    - no_data: {minutes: 0}\n    - no_data: {minutes: 5}\n"
    )
    with pytest.raises(RulesInvalid) as caught:
        parse_rules(text)
    error = caught.value
    assert error.problems[0].line == 9
    assert error.problems[0].field == "when.any[0].no_data.minutes"
    assert "dòng 9" in error.message_vi and "line 9" in error.message_en
    assert "phải lớn hơn 0" in error.message_vi and "greater than 0" in error.message_en


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("name: a\nwhen: {no_data: {minutes: 5}}\n", (1, "target")),
        ("name: a\ntarget: {series: s, entity: e}\nwhen: {no_data: {minutes: 5}}\n", (2, "target")),
        ("name: a\ntarget: {series: s}\nwhen: {any: [{no_data: {minutes: 5}}]}\n", (3, "when.any")),
        ("name: a\ntarget: {series: s}\nwhen: {threshold: '> x'}\n", (3, "when.threshold")),
        ("name: a\ntarget: {series: s}\nwhen: {out_of_range: {min: 5, max: 1}}\n", (3, "when.out_of_range")),
        (
            "name: a\ntarget: {series: s}\nwhen: {rate: {per_minute: 1, window_minutes: 5, direction: up}}\n",
            (3, "when.rate.direction"),
        ),
        (
            "name: a\ntarget: {series: s}\nwhen: {no_data: {minutes: 5}, flat_line: {minutes: 5}}\n",
            (3, "when"),
        ),
        (
            HEAD + "severity: major\nescalation:\n  - {after_minutes: 5, severity: warning}\n",
            (6, "escalation[0]"),
        ),
        (
            HEAD + "clear: {after_minutes: 2, deescalate_after_minutes: 3}\n",
            (4, "clear.deescalate_after_minutes"),
        ),
        (
            HEAD + "repeat: {count: 0, within_minutes: 5}\n",
            (4, "repeat.count"),
        ),
        # The parser notices the unclosed list where the text ends.
        ("name: a\ntarget: [s\n", (3, "-")),
        ("- just a list\n", (1, "-")),
        ("# nothing\n", (1, "-")),
        (
            HEAD + "---\n" + HEAD,
            (5, "name"),
        ),
    ],
)
def test_one_problem_each(text: str, where: tuple[int, str]) -> None:
    assert where in problems_of(text)


def test_python_objects_are_refused() -> None:
    found = problems_of(
        "name: a\ntarget: !!python/object/apply:os.system ['true']\nwhen: {no_data: {minutes: 5}}\n"
    )
    assert found and found[0][0] == 2


def test_the_quality_gate_is_on_by_default_and_never_holds_a_rule_about_the_data() -> None:
    silent, high = (p.rule for p in parse_rules(GOOD))
    assert silent.quality_gate and not silent.gated  # no_data: its alarm is the news
    assert high.gated
    mixed = parse_rules(
        "name: m\ntarget: {series: s}\nwhen:\n  any:\n"
        "    - threshold: '> 1'\n    - flat_line: {minutes: 30}\n"
    )[0].rule
    assert not mixed.gated
    off = parse_rules('name: o\ntarget: {series: s}\nwhen: {threshold: "> 1"}\nquality_gate: false\n')[0]
    assert not off.rule.gated and not rule_from_data(off.data).quality_gate
    with pytest.raises(RulesInvalid, match="quality_gate"):
        parse_rules(HEAD + "quality_gate: sometimes\n")
