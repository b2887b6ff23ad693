"""Tests of the dossier code engine (Circular 01/2018 Art. 19 / Circular 03/2025 structure)."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thanglong.core.errors import Conflict, InvalidInput
from thanglong.domains.procedures.dossiers.codes import DEFAULT_FORMAT, CodeFormat, ParsedCode


def test_default_format_matches_the_circular() -> None:
    assert DEFAULT_FORMAT.format("000.00.61.H26", date(2026, 3, 2), 7) == "000.00.61.H26-260302-0007"


def test_parse_round_trip() -> None:
    parsed = DEFAULT_FORMAT.parse("000.00.61.H26-260302-0007")
    assert parsed == ParsedCode("000.00.61.H26", date(2026, 3, 2), 7)


def test_parse_accepts_lower_case_and_spaces() -> None:
    assert DEFAULT_FORMAT.parse(" 000.00.61.h26-260302-0007 ").agency_code == "000.00.61.H26"


@pytest.mark.parametrize(
    "code",
    [
        "",
        "000.00.61.H26-260302-007",
        "000.00.61.H26-260302-00007",
        "000.00.61.H26-261302-0001",
        "000.00.61.H26-260230-0001",
        "000.00.61.H26-260302-0000",
        "000.00.61.H26/260302/0001",
        "000-00-61-H26-260302-0001",
        "000.00.61.H26-260302-0001x",
    ],
)
def test_invalid_codes(code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        DEFAULT_FORMAT.parse(code)
    assert err.value.code == "invalid_dossier_code"
    assert "000.00.61.H26-260302-0001" in err.value.message_vi
    assert not DEFAULT_FORMAT.is_valid(code)


def test_custom_template() -> None:
    fmt = CodeFormat("HS{yyyymmdd}.{agency}.{seq}", seq_width=6)
    code = fmt.format("000.00.61.H26", date(2026, 12, 31), 42)
    assert code == "HS20261231.000.00.61.H26.000042"
    assert fmt.parse(code) == ParsedCode("000.00.61.H26", date(2026, 12, 31), 42)


@pytest.mark.parametrize(
    "template",
    [
        "{agency}-{seq}",
        "{agency}-{yymmdd}",
        "{yymmdd}-{seq}",
        "{agency}-{yymmdd}-{seq}-{seq}",
        "{agency}{x}{yymmdd}{seq}",
    ],
)
def test_bad_templates_refused(template: str) -> None:
    with pytest.raises(ValueError):
        CodeFormat(template)


def test_sequence_exhausted() -> None:
    with pytest.raises(Conflict) as err:
        DEFAULT_FORMAT.format("000.00.61.H26", date(2026, 3, 2), 10_000)
    assert err.value.code == "dossier_sequence_exhausted"


def test_bad_agency_code_refused() -> None:
    with pytest.raises(InvalidInput):
        DEFAULT_FORMAT.format("000-61", date(2026, 3, 2), 1)


@given(
    day=st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    seq=st.integers(min_value=1, max_value=9999),
    agency=st.from_regex(r"[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}", fullmatch=True),
)
def test_format_parse_round_trip_property(day: date, seq: int, agency: str) -> None:
    code = DEFAULT_FORMAT.format(agency, day, seq)
    assert DEFAULT_FORMAT.parse(code) == ParsedCode(agency, day, seq)
