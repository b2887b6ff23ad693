"""The Hanoi CAP profile: the Hanoi example passes; one broken variant per profile rule fails."""

from __future__ import annotations

import pytest

from tests.domains.terminals.helpers import HANOI_EXAMPLE, OASIS_EXAMPLES, mutate, read
from thanglong.core import geo
from thanglong.domains.terminals.cap.hanoi import commune_codes
from thanglong.domains.terminals.cap.services import validate_message

HANOI = read(HANOI_EXAMPLE)
EN_BLOCK_START = "<info>\n    <language>en-US</language>"


def test_hanoi_example_is_valid_against_the_profile() -> None:
    report = validate_message(HANOI.encode(), profile="hanoi")
    assert report.valid and report.problems == (), [p.text() for p in report.problems]


def test_commune_codes_are_the_126_official_ones() -> None:
    codes = commune_codes()
    assert len(codes) == 126
    assert {"00070", "00103"} <= codes
    assert geo.get("00070").name == "Phường Hoàn Kiếm"


@pytest.mark.parametrize("path", OASIS_EXAMPLES, ids=lambda p: p.stem)
def test_foreign_examples_fail_the_profile_but_not_the_standard(path) -> None:  # type: ignore[no-untyped-def]
    data = path.read_bytes()
    assert validate_message(data).valid
    report = validate_message(data, profile="hanoi")
    assert not report.valid
    assert {p.level for p in report.errors} == {"profile"}
    assert {"hanoi-sender", "hanoi-timezone"} <= report.rules()


MUTATIONS = [
    ("<sender>pctt@hanoi.gov.vn<", "<sender>pctt@example.vn<", "hanoi-sender"),
    ("<sender>pctt@hanoi.gov.vn<", "<sender>pctt@hanoi.gov.vn.evil.com<", "hanoi-sender"),
    ("<sent>2025-08-15T06:30:00+07:00<", "<sent>2025-08-14T23:30:00-00:00<", "hanoi-timezone"),
    ("<language>vi-VN<", "<language>fr-FR<", "hanoi-language"),
    ("<language>vi-VN</language>", "", "hanoi-language"),
    ("<expires>2025-08-15T18:00:00+07:00</expires>", "", "hanoi-expires"),
    ("<expires>2025-08-15T18:00:00+07:00<", "<expires>2025-08-15T12:00:00-00:00<", "hanoi-timezone"),
    ("<value>00070<", "<value>99999<", "hanoi-commune-code"),
    ("<value>00070<", "<value>70<", "hanoi-commune-code"),
    (
        "<valueName>MaXa</valueName>\n        <value>00070<",
        "<valueName>SAME</valueName>\n        <value>00070<",
        "hanoi-geocode-name",
    ),
    (
        "<valueName>MaXa</valueName>\n        <value>00070<",
        "<valueName>MaTinh</valueName>\n        <value>79<",
        "hanoi-province-code",
    ),
    (
        "21.045,105.850 21.045,105.870 21.020,105.870 21.020,105.850 21.045,105.850",
        "10.80,106.60 10.80,106.70 10.70,106.70 10.70,106.60 10.80,106.60",
        "hanoi-area-outside",
    ),
    ("<circle>21.0285,105.8542 1.5<", "<circle>10.7769,106.7009 5<", "hanoi-area-outside"),
    ("<circle>21.0285,105.8542 1.5<", "<circle>10.7769,106.7009 0<", "hanoi-area-outside"),
]


@pytest.mark.parametrize(
    ("old", "new", "rule"), MUTATIONS, ids=[f"{m[2]}-{i}" for i, m in enumerate(MUTATIONS)]
)
def test_broken_hanoi_variant_is_refused_naming_the_rule(old: str, new: str, rule: str) -> None:
    vi, sep, en = HANOI.partition(EN_BLOCK_START)
    data = mutate(vi, old, new) + (sep + en).encode()
    assert validate_message(data).valid  # the standard is satisfied: only the profile refuses it
    report = validate_message(data, profile="hanoi")
    named = [p for p in report.errors if p.rule == rule]
    assert named, [p.text() for p in report.problems]
    assert named[0].level == "profile" and named[0].line is not None
    assert named[0].path.startswith("/alert")


def test_area_without_any_target_is_refused() -> None:
    vi, sep, en = HANOI.partition(EN_BLOCK_START)
    polygon = "<polygon>21.045,105.850 21.045,105.870 21.020,105.870 21.020,105.850 21.045,105.850</polygon>"
    data = mutate(mutate(vi, polygon, "").decode(), "<circle>21.0285,105.8542 1.5</circle>", "")
    report = validate_message(data + (sep + en).encode(), profile="hanoi")
    assert [(p.rule, p.path) for p in report.errors] == [("hanoi-area-target", "/alert/info[1]/area[2]")]


def test_info_without_area_is_refused() -> None:
    start, end = HANOI.index("<area>"), HANOI.index("</info>")
    data = (HANOI[:start] + HANOI[end:]).encode()
    report = validate_message(data, profile="hanoi")
    assert [(p.rule, p.path) for p in report.errors] == [("hanoi-area-required", "/alert/info[1]")]


def test_whole_city_by_province_code_and_english_block_optional() -> None:
    vi, _, _ = HANOI.partition(EN_BLOCK_START)
    data = mutate(
        vi,
        "<valueName>MaXa</valueName>\n        <value>00070<",
        "<valueName>MaTinh</valueName>\n        <value>01<",
    )
    report = validate_message(data + b"</alert>\n", profile="hanoi")
    assert report.valid, [p.text() for p in report.problems]


def test_cancel_needs_no_info_block() -> None:
    start, end = HANOI.index("<info>"), HANOI.rindex("</info>") + len("</info>")
    reference = "<references>pctt@hanoi.gov.vn,HN-PCTT-2025-0815-000,2025-08-15T06:00:00+07:00</references>"
    data = (HANOI[:start] + reference + HANOI[end:]).replace("<msgType>Alert<", "<msgType>Cancel<")
    report = validate_message(data.encode(), profile="hanoi")
    assert report.valid, [p.text() for p in report.problems]


def test_alert_without_info_is_refused() -> None:
    start, end = HANOI.index("<info>"), HANOI.rindex("</info>") + len("</info>")
    report = validate_message((HANOI[:start] + HANOI[end:]).encode(), profile="hanoi")
    assert [p.rule for p in report.errors] == ["hanoi-language"]


def test_unknown_profile_is_refused() -> None:
    from thanglong.core.errors import InvalidInput  # noqa: PLC0415

    with pytest.raises(InvalidInput) as raised:
        validate_message(HANOI.encode(), profile="ipaws")
    assert raised.value.code == "unknown_cap_profile"
