"""The pure parts: level mapping, schedules and overlaps, target areas, the CAP builder, the Atom feed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest
from lxml import etree

from thanglong.core.errors import InvalidInput
from thanglong.domains.terminals.announcements import capbuild, feed, levels, targets
from thanglong.domains.terminals.announcements.schedule import Programme, first_overlap, shared_communes
from thanglong.domains.terminals.cap.services import validate_message
from thanglong.domains.terminals.cap.tree import CAP_NS

NS = {"c": CAP_NS}
SENT = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)
AREAS = {
    "city": targets.city(),
    "communes": targets.communes(["00070", "00004"]),
    "polygon": targets.polygon([(21.03, 105.85), (21.03, 105.86), (21.02, 105.86)]),
    "circle": targets.circle(21.0285, 105.8542, 1.5),
}


def _spec(category: str, level: str, target: targets.Target, **changes: object) -> capbuild.CapSpec:
    terms = levels.cap_terms(level)
    values: dict[str, object] = {
        "identifier": "HN-20261203-TEST",
        "sender": "thongbao@hanoi.gov.vn",
        "sent": SENT,
        "msg_type": "Alert",
        "category": category,
        "level": level,
        "urgency": terms.urgency,
        "severity": terms.severity,
        "certainty": "Observed",
        "onset": SENT,
        "expires": SENT + timedelta(hours=6),
        "sender_name": "UBND Thành phố Hà Nội",
        "texts": [
            capbuild.Text("vi-VN", "Tiêu đề", "Nội dung", "Hướng dẫn"),
            capbuild.Text("en-US", "Headline", "Description"),
        ],
        "targets": [target],
        "web": "https://thanglong.hanoi.gov.vn/terminals/alerts/HN-20261203-TEST",
    }
    values.update(changes)
    return capbuild.CapSpec(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("category", "level", "area"), list(product(levels.Category, levels.Level, sorted(AREAS)))
)
def test_every_category_level_and_area_builds_a_valid_message(category: str, level: str, area: str) -> None:
    xml = capbuild.build(_spec(category, level, AREAS[area]))
    for profile in (None, "hanoi"):
        report = validate_message(xml, profile)
        assert report.valid, [p.text() for p in report.problems]
        assert not report.warnings
    root = etree.fromstring(xml)
    assert root.findtext("c:info/c:category", namespaces=NS) == levels.CAP_CATEGORY[category]
    assert [i.findtext("c:language", namespaces=NS) for i in root.findall("c:info", NS)] == ["vi-VN", "en-US"]
    assert root.findtext("c:sent", namespaces=NS) == "2026-12-03T09:00:00+07:00"


def test_update_and_cancel_carry_their_references() -> None:
    first = capbuild.reference("thongbao@hanoi.gov.vn", "HN-1", SENT - timedelta(hours=1))
    for msg_type in ("Update", "Cancel"):
        xml = capbuild.build(
            _spec("flood", "emergency", AREAS["city"], msg_type=msg_type, references=[first])
        )
        assert validate_message(xml, "hanoi").valid
        root = etree.fromstring(xml)
        assert root.findtext("c:msgType", namespaces=NS) == msg_type
        assert (
            root.findtext("c:references", namespaces=NS)
            == "thongbao@hanoi.gov.vn,HN-1,2026-12-03T08:00:00+07:00"
        )
    # Without references an Update breaks the standard, which the validator catches.
    report = validate_message(capbuild.build(_spec("flood", "priority", AREAS["city"], msg_type="Update")))
    assert "references-required" in report.rules()


def test_level_mapping_table() -> None:
    assert (levels.cap_terms("routine").urgency, levels.cap_terms("routine").severity) == ("Future", "Minor")
    assert (levels.cap_terms("priority").urgency, levels.cap_terms("priority").severity) == (
        "Expected",
        "Moderate",
    )
    assert (levels.cap_terms("emergency").urgency, levels.cap_terms("emergency").severity) == (
        "Immediate",
        "Extreme",
    )
    for level in levels.Level:
        terms = levels.cap_terms(level)
        # Every allowed choice maps back to the level it came from (imports read levels this way).
        for urgency, severity in product(terms.urgencies, terms.severities):
            if urgency != "Unknown" and severity != "Unknown":
                assert levels.level_of(urgency, severity) == level, (urgency, severity)
    with pytest.raises(InvalidInput):
        levels.choose_terms("emergency", "Future", None)
    assert levels.category_of(["Met"], "Lũ sông Hồng") == "flood"
    assert levels.category_of(["Met"], "Bão số 3") == "weather"


def test_daily_programmes_overlap_and_once_ones_apart_do_not() -> None:
    start = SENT
    daily = Programme(start, start + timedelta(days=7), "daily", 2)
    later = Programme(start + timedelta(days=3, minutes=5), start + timedelta(days=4), "once", 1)
    assert first_overlap(daily, later) == (
        start + timedelta(days=3, minutes=5),
        start + timedelta(days=3, minutes=10),
    )
    apart = Programme(start + timedelta(hours=2), start + timedelta(hours=3), "once", 1)
    assert first_overlap(daily, apart) is None
    weekly = Programme(start + timedelta(days=1), start + timedelta(days=30), "weekly", 1)
    assert first_overlap(daily, weekly) == (start + timedelta(days=1), start + timedelta(days=1, minutes=5))
    assert shared_communes(["00070"], ["00004"]) is None
    assert shared_communes(["00070", "00004"], ["00004"]) == ("00004",)
    assert shared_communes([], ["00004"]) == ("00004",)


def test_targets_resolve_to_communes_and_refuse_outside_hanoi() -> None:
    assert targets.resolve(AREAS["city"]) == ()
    assert "00070" in targets.resolve(AREAS["circle"])
    with pytest.raises(InvalidInput) as caught:
        targets.resolve(targets.circle(10.77, 106.70, 5))
    assert caught.value.code == "target_outside_hanoi"
    with pytest.raises(InvalidInput):
        targets.communes(["99999"])
    with pytest.raises(InvalidInput):
        targets.polygon([(21.0, 105.8), (21.1, 105.8)])


def test_the_atom_feed_is_well_formed_atom() -> None:
    entry = feed.Entry("HN-1", "Tiêu đề", "Nội dung", SENT, "routine")
    root = etree.fromstring(feed.build_feed("https://x.hanoi.gov.vn", [entry], SENT))
    atom = {"a": feed.ATOM_NS}
    assert root.tag == f"{{{feed.ATOM_NS}}}feed"
    assert root.findtext("a:updated", namespaces=atom) == "2026-12-03T09:00:00+07:00"
    hrefs = [link.get("href") for link in root.findall("a:entry/a:link", atom)]
    assert hrefs == [
        "https://x.hanoi.gov.vn/terminals/alerts/HN-1.xml",
        "https://x.hanoi.gov.vn/terminals/alerts/HN-1",
    ]
