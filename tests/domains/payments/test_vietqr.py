"""The VietQR engine: CRC-16/CCITT-FALSE, a published payload, parsing and round trips."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thanglong.domains.payments import vietqr

# Published by subiz/vietqr (README): 120,000 VND to VietinBank (BIN 970415) account 0011001932418.
PUBLISHED = (
    "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA"
    "530370454061200005802VN62170813ung ho lu lut6304C15C"
)


def test_crc_check_value() -> None:
    assert vietqr.crc16_ccitt_false(b"123456789") == 0x29B1
    assert vietqr.crc16_ccitt_false(b"") == 0xFFFF


def test_builds_the_published_payload() -> None:
    built = vietqr.build_payload("970415", "0011001932418", amount_vnd=120_000, purpose="ủng hộ lũ lụt")
    assert built == PUBLISHED
    assert vietqr.verify_crc(PUBLISHED)


def test_parses_the_published_payload() -> None:
    parsed = vietqr.parse_payload(PUBLISHED)
    assert parsed == vietqr.VietQR("970415", "0011001932418", 120_000, "ung ho lu lut", "QRIBFTTA")
    assert parsed.dynamic


def test_static_code_has_no_amount() -> None:
    payload = vietqr.build_payload("970436", "0451000123456")
    assert payload.startswith("000201010211")
    assert "54" not in [tag for tag, _ in vietqr.parse_tlv(payload[:-8])]
    parsed = vietqr.parse_payload(payload)
    assert parsed.amount_vnd is None
    assert not parsed.dynamic


def test_card_service_code() -> None:
    payload = vietqr.build_payload("970436", "9704361234567890", service=vietqr.SERVICE_CARD)
    assert vietqr.parse_payload(payload).service == "QRIBFTTC"


@pytest.mark.parametrize(
    "bad",
    [
        PUBLISHED[:-1] + "D",
        PUBLISHED.replace("54061200005802", "54061300005802"),
        PUBLISHED[:-8],
        PUBLISHED.replace("5303704", "5303840"),
    ],
)
def test_corrupt_payloads_are_refused(bad: str) -> None:
    with pytest.raises(vietqr.VietQRError):
        vietqr.parse_payload(bad)


def test_truncated_object_is_refused_even_with_a_valid_crc() -> None:
    forged = vietqr.with_crc("000201010212385")
    with pytest.raises(vietqr.VietQRError):
        vietqr.parse_payload(forged)


@pytest.mark.parametrize(
    ("bin_code", "account", "amount"),
    [("97041", "1", None), ("970415", "", None), ("970415", "12 34", None), ("970415", "1", 0)],
)
def test_bad_inputs_are_refused(bin_code: str, account: str, amount: int | None) -> None:
    with pytest.raises(vietqr.VietQRError):
        vietqr.build_payload(bin_code, account, amount_vnd=amount)


@given(
    bin_code=st.from_regex(r"\A970[0-9]{3}\Z"),
    account=st.from_regex(r"\A[0-9A-Z]{1,19}\Z"),
    amount=st.one_of(st.none(), st.integers(min_value=1, max_value=10**12)),
    purpose=st.text(max_size=60),
)
def test_round_trip(bin_code: str, account: str, amount: int | None, purpose: str) -> None:
    payload = vietqr.build_payload(bin_code, account, amount_vnd=amount, purpose=purpose)
    assert vietqr.verify_crc(payload)
    parsed = vietqr.parse_payload(payload)
    assert (parsed.bin, parsed.account, parsed.amount_vnd) == (bin_code, account, amount)
    assert len(parsed.purpose) <= vietqr.PURPOSE_LIMIT
    assert parsed.purpose.isascii()


def test_svg_rendering() -> None:
    svg = vietqr.render_svg(PUBLISHED, title="VietQR")
    assert svg.startswith("<svg")
    assert "<title>VietQR</title>" in svg
    assert re.search(r'width="\d+"', svg)
