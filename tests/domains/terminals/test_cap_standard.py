"""CAP 1.2 against the standard: the specification's four examples pass; one broken variant per rule fails."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tests.domains.terminals.helpers import DATA, HANOI_EXAMPLE, OASIS_EXAMPLES, mutate, read
from thanglong.domains.terminals.cap.services import validate_message

EX1 = read(DATA / "oasis-example1.xml")  # Alert, Public, one info with a resource
EX2 = read(DATA / "oasis-example2.xml")  # thunderstorm: expires, polygon, geocodes
EX3 = read(DATA / "oasis-example3.xml")  # earthquake: Update with references, circle
EX4 = read(DATA / "oasis-example4.xml")  # two info blocks, languages en-US and es-US
HANOI = read(HANOI_EXAMPLE)  # derefUri with a digest, effective, a polygon and a circle


def test_the_four_examples_are_found() -> None:
    assert [p.name for p in OASIS_EXAMPLES] == [f"oasis-example{i}.xml" for i in range(1, 5)]


@pytest.mark.parametrize("path", OASIS_EXAMPLES, ids=lambda p: p.stem)
def test_specification_examples_are_valid(path) -> None:  # type: ignore[no-untyped-def]
    report = validate_message(path.read_bytes())
    assert report.valid, [p.text() for p in report.problems]
    assert report.problems == ()


def test_hanoi_example_is_valid_against_the_standard_alone() -> None:
    report = validate_message(HANOI.encode())
    assert report.valid and report.problems == (), [p.text() for p in report.problems]


# (base message, fragment, replacement, the rule that must name the problem, its level)
MUTATIONS = [
    (EX1, "<identifier>43b080713727<", "<identifier>43b08 0713727<", "identifier-chars", "standard"),
    (EX1, "<identifier>43b080713727<", "<identifier>43b08,0713727<", "identifier-chars", "standard"),
    (EX1, "<identifier>43b080713727<", "<identifier>43b&amp;080713727<", "identifier-chars", "standard"),
    (EX1, "<identifier>43b080713727<", "<identifier>43b&lt;080713727<", "identifier-chars", "standard"),
    (EX1, "<sender>hsas@dhs.gov<", "<sender>hsas @dhs.gov<", "sender-chars", "standard"),
    (EX1, "<sender>hsas@dhs.gov<", "<sender>hsas,dhs.gov<", "sender-chars", "standard"),
    (EX1, "2003-04-02T14:39:01-05:00", "2003-04-02T19:39:01Z", "datetime-zone-letter", "standard"),
    (EX1, "2003-04-02T14:39:01-05:00", "2003-04-02T19:39:01+00:00", "datetime-utc", "standard"),
    (EX1, "2003-04-02T14:39:01-05:00", "2003-04-02T14:39:01.5-05:00", "datetime-format", "standard"),
    (EX1, "2003-04-02T14:39:01-05:00", "2003-04-02T14:39:01-05:75", "datetime-format", "standard"),
    (EX1, "<msgType>Alert<", "<msgType>Update<", "references-required", "standard"),
    (EX1, "<msgType>Alert<", "<msgType>Cancel<", "references-required", "standard"),
    (EX1, "<msgType>Alert<", "<msgType>Ack<", "references-required", "standard"),
    (EX1, "<msgType>Alert<", "<msgType>Error<", "references-required", "standard"),
    (EX1, "<scope>Public<", "<scope>Restricted<", "restriction-required", "standard"),
    (EX1, "<scope>Public<", "<scope>Private<", "addresses-required", "standard"),
    (
        EX1,
        "<scope>Public</scope>",
        '<scope>Private</scope><addresses>"Ward office a@b.vn</addresses>',
        "addresses-quotes",
        "standard",
    ),
    (
        EX1,
        "<scope>Public</scope>",
        '<scope>Public</scope><incidents>"Lũ 2025</incidents>',
        "incidents-quotes",
        "standard",
    ),
    (
        EX3,
        "trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00",
        "trinet@caltech.edu;TRI13970876.1;2003-06-11T20:30:00-07:00",
        "references-format",
        "standard",
    ),
    (
        EX3,
        "trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00",
        "trinet@caltech.edu,TRI13970876.1,2003-06-11 20:30",
        "references-format",
        "standard",
    ),
    (
        EX3,
        "trinet@caltech.edu,TRI13970876.1,2003-06-11T20:30:00-07:00",
        "trinet@caltech.edu,TRI13970876.1,2003-06-12T20:30:00-07:00",
        "references-earlier",
        "standard",
    ),
    (EX4, "<language>en-US<", "<language>English (US)<", "language-tag", "standard"),
    (EX4, "<language>es-US<", "<language>es_US<", "language-tag", "standard"),
    (
        EX2,
        "<expires>2003-06-17T16:00:00-07:00<",
        "<expires>2003-06-17T14:00:00-07:00<",
        "expires-after-sent",
        "standard",
    ),
    (
        EX2,
        "<expires>2003-06-17T16:00:00-07:00<",
        "<effective>2003-06-17T16:30:00-07:00</effective><expires>2003-06-17T16:00:00-07:00<",
        "expires-after-effective",
        "standard",
    ),
    (
        EX2,
        "<expires>2003-06-17T16:00:00-07:00<",
        "<expires>2003-06-17T16:00:00<",
        "datetime-format",
        "standard",
    ),
    (
        EX1,
        "<web>http://www.dhs.gov/dhspublic/display?theme=29<",
        "<web>www.dhs.gov/display<",
        "web-uri",
        "standard",
    ),
    (EX1, "<mimeType>image/gif<", "<mimeType>GIF image<", "mime-type", "standard"),
    (
        EX1,
        "<uri>http://www.dhs.gov/dhspublic/getAdvisoryImage<",
        "<uri>/dhspublic/getAdvisoryImage<",
        "resource-uri",
        "standard",
    ),
    (
        EX1,
        "<mimeType>image/gif</mimeType>",
        "<mimeType>image/gif</mimeType><size>-10</size>",
        "resource-size",
        "standard",
    ),
    (
        EX1,
        "<mimeType>image/gif</mimeType>",
        "<mimeType>image/gif</mimeType><size>12.5</size>",
        "xsd",
        "schema",
    ),
    (
        HANOI,
        "<digest>818ee166ab91a14bf1c5d84b198db51c17c5b17f<",
        "<digest>818ee166ab91a14bf1c5d84b<",
        "digest-format",
        "standard",
    ),
    (
        HANOI,
        "<digest>818ee166ab91a14bf1c5d84b198db51c17c5b17f<",
        f"<digest>{hashlib.sha1(b'other').hexdigest()}<",  # noqa: S324 - CAP 1.2 names SHA-1
        "digest-mismatch",
        "standard",
    ),
    (HANOI, "<derefUri>Tsaw4", "<derefUri>*not base64*Tsaw4", "deref-base64", "standard"),
    (
        EX2,
        "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
        "38.47,-120.14 38.34,-119.95 38.47,-120.14",
        "polygon-points",
        "standard",
    ),
    (
        EX2,
        "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
        "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.15",
        "polygon-closed",
        "standard",
    ),
    (
        EX2,
        "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
        "38.47,-120.14 38.34, -119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
        "polygon-format",
        "standard",
    ),
    (
        EX2,
        "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
        "98.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 98.47,-120.14",
        "coordinate-range",
        "standard",
    ),
    (
        EX2,
        "38.47,-120.14 38.34,-119.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
        "38.47,-120.14 38.34,-199.95 38.52,-119.74 38.62,-119.89 38.47,-120.14",
        "coordinate-range",
        "standard",
    ),
    (EX3, "<circle>32.9525,-115.5527 0<", "<circle>32.9525,-115.5527<", "circle-format", "standard"),
    (EX3, "<circle>32.9525,-115.5527 0<", "<circle>32.9525,-115.5527 -5<", "circle-format", "standard"),
    (EX3, "<circle>32.9525,-115.5527 0<", "<circle>32.9525 -115.5527 10<", "circle-format", "standard"),
    (EX3, "<circle>32.9525,-115.5527 0<", "<circle>-91,-115.5527 10<", "coordinate-range", "standard"),
    (
        EX3,
        "<circle>32.9525,-115.5527 0</circle>",
        "<circle>32.9525,-115.5527 0</circle><ceiling>100</ceiling>",
        "ceiling-needs-altitude",
        "standard",
    ),
    (
        EX3,
        "<circle>32.9525,-115.5527 0</circle>",
        "<circle>32.9525,-115.5527 0</circle><altitude>500</altitude><ceiling>100</ceiling>",
        "ceiling-below-altitude",
        "standard",
    ),
    (EX1, "<status>Actual<", "<status>Real<", "xsd", "schema"),
    (EX1, "<category>Security<", "<category>Politics<", "xsd", "schema"),
    (EX2, "<certainty>Observed<", "<certainty>Very Likely<", "xsd", "schema"),
    (EX1, "  <sender>hsas@dhs.gov</sender>\n", "", "xsd", "schema"),
    (EX1, "<resourceDesc>Image file (GIF)</resourceDesc>", "", "xsd", "schema"),
]


@pytest.mark.parametrize(
    ("base", "old", "new", "rule", "level"),
    MUTATIONS,
    ids=[f"{m[3]}-{i}" for i, m in enumerate(MUTATIONS)],
)
def test_broken_variant_is_refused_naming_the_rule(
    base: str, old: str, new: str, rule: str, level: str
) -> None:
    report = validate_message(mutate(base, old, new))
    assert not report.valid
    named = [p for p in report.errors if p.rule == rule]
    assert named, [p.text() for p in report.problems]
    assert {p.level for p in named} == {level}
    problem = named[0]
    assert problem.line is not None and problem.line > 0
    assert problem.path.startswith("/alert")
    assert " / " in problem.text()  # Vietnamese, then English


def test_problem_points_at_the_broken_element() -> None:
    report = validate_message(mutate(EX2, "38.47,-120.14<", "38.47,-120.15<"))
    [problem] = report.problems
    assert (problem.rule, problem.path, problem.line) == (
        "polygon-closed",
        "/alert/info[1]/area[1]/polygon[1]",
        28,
    )
    assert problem.message_vi.startswith("Cặp toạ độ đầu")
    assert problem.message_en.startswith("The first")


def test_error_without_note_is_only_a_warning() -> None:
    references = "<references>hsas@dhs.gov,43b080713726,2003-04-02T14:00:00-05:00</references>"
    message = mutate(EX1, "<scope>Public</scope>", f"<scope>Public</scope>{references}")
    report = validate_message(message.replace(b"<msgType>Alert<", b"<msgType>Error<"))
    assert report.valid
    assert [(p.rule, p.severity) for p in report.problems] == [("note-for-error", "warning")]


def test_long_headline_is_only_a_warning() -> None:
    report = validate_message(mutate(EX1, "Homeland Security Sets Code ORANGE", "Cảnh báo " * 20))
    assert report.valid
    assert [(p.rule, p.severity) for p in report.problems] == [("headline-length", "warning")]


def test_update_with_references_and_utc_written_minus_zero_is_valid() -> None:
    message = mutate(EX3, "2003-06-11T20:56:00-07:00", "2003-06-12T03:56:00-00:00")
    assert validate_message(message).valid


def test_relative_uri_is_allowed_beside_dereferenced_content() -> None:
    data = base64.b64encode(b"GIF89a").decode()
    digest = hashlib.sha1(b"GIF89a").hexdigest()  # noqa: S324 - CAP 1.2 names SHA-1
    message = mutate(
        EX1,
        "<uri>http://www.dhs.gov/dhspublic/getAdvisoryImage</uri>",
        f"<uri>advisory.gif</uri><derefUri>{data}</derefUri><digest>{digest}</digest>",
    )
    report = validate_message(message)
    assert report.valid and report.problems == (), [p.text() for p in report.problems]


def test_not_a_cap12_alert_is_refused_before_the_schema() -> None:
    cap11 = EX1.replace("urn:oasis:names:tc:emergency:cap:1.2", "urn:oasis:names:tc:emergency:cap:1.1")
    report = validate_message(cap11.encode())
    assert [(p.level, p.rule) for p in report.problems] == [("xml", "not-cap12")]


def test_several_problems_are_all_reported() -> None:
    message = EX2.replace("<sender>KSTO@NWS.NOAA.GOV<", "<sender>KSTO NWS<").replace(
        "38.47,-120.14<", "38.47,-120.15<"
    )
    report = validate_message(message.encode())
    assert report.rules() == {"sender-chars", "polygon-closed"}
