"""The VNPost engine: address checks, order payload, reply classes, tracking events, HMAC signatures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thanglong.domains.procedures.integrations.vnpost import protocol as vnpost
from thanglong.domains.procedures.integrations.vnpost.protocol import ShipmentStatus as Ship


def test_check_recipient_reports_each_problem() -> None:
    assert vnpost.check_recipient("Nguyễn Thị Hoa", "Số 1 Tràng Tiền, phường Hoàn Kiếm", "00070") == []
    problems = vnpost.check_recipient(" ", "Hà Nội", "70")
    assert [p.field for p in problems] == ["name", "address", "commune_code"]
    assert all(p.message_vi and p.message_en for p in problems)
    assert vnpost.check_recipient("Hoa", "x" * 501, None)[0].field == "address"


def test_build_order_is_the_bcci_payload() -> None:
    order = vnpost.Order(
        reference="2b1e",
        dossier_code="000.00.61.H26-260302-0001",
        sender_name="UBND phường Hoàn Kiếm",
        sender_code="000.00.61.H26",
        recipient=vnpost.Recipient(
            "  Nguyễn Thị Hoa ", "+84912345678", "Số 1   Tràng Tiền,\nHoàn Kiếm", "00070"
        ),
    )
    body = vnpost.build_order(order)
    assert body["service"] == "BCCI" and body["client_reference"] == "2b1e" and body["cod_amount"] == 0
    assert body["receiver"] == {
        "name": "Nguyễn Thị Hoa",
        "phone": "+84912345678",
        "address": "Số 1 Tràng Tiền, Hoàn Kiếm",
        "commune_code": "00070",
    }
    assert "000.00.61.H26-260302-0001" in body["content"]


@pytest.mark.parametrize(
    ("status", "body", "accepted", "retry"),
    [
        (200, {"tracking_number": "bc000000001vn"}, True, False),
        (201, {"tracking_number": "BC000000002VN"}, True, False),
        (200, {}, False, True),
        (200, {"tracking_number": "x"}, False, True),
        (400, {"message": "thiếu địa chỉ"}, False, False),
        (401, None, False, False),
        (429, None, False, True),
        (503, {"message": "bảo trì"}, False, True),
        (None, None, False, True),
    ],
)
def test_read_reply(status: int | None, body: dict[str, str] | None, accepted: bool, retry: bool) -> None:
    reply = vnpost.read_reply(status, body, error="timeout" if status is None else None)
    assert (reply.accepted, reply.retry) == (accepted, retry)
    if accepted:
        assert reply.tracking_number is not None and reply.tracking_number.isupper()
    else:
        assert reply.reason


def test_parse_event_and_its_errors() -> None:
    event = vnpost.parse_event(
        {"tracking_number": "bc000000001vn", "status": "DELIVERED", "at": "2026-03-05T10:15:00+07:00"}
    )
    assert event.tracking_number == "BC000000001VN" and event.status is Ship.DELIVERED
    assert event.at == datetime(2026, 3, 5, 3, 15, tzinfo=UTC)
    assert event.as_dict()["at"] == "2026-03-05T03:15:00+00:00"
    good = {"tracking_number": "BC000000001VN", "status": "in_transit", "at": "2026-03-05T10:15:00+07:00"}
    for broken in (
        {**good, "tracking_number": "?"},
        {**good, "status": "teleported"},
        {**good, "at": "hôm qua"},
        {**good, "at": "2026-03-05T10:15:00"},
    ):
        with pytest.raises(vnpost.BadEvent):
            vnpost.parse_event(broken)


def test_failed_attempt_keeps_the_parcel_in_transit() -> None:
    assert vnpost.TRACKING_CODES["delivery_failed"] is Ship.IN_TRANSIT
    assert vnpost.advance(Ship.SENT, Ship.IN_TRANSIT) is Ship.IN_TRANSIT
    assert vnpost.advance(Ship.IN_TRANSIT, Ship.SENT) is Ship.IN_TRANSIT
    assert vnpost.advance(Ship.IN_TRANSIT, Ship.RETURNED) is Ship.RETURNED
    assert vnpost.advance(Ship.DELIVERED, Ship.RETURNED) is Ship.DELIVERED


@given(st.lists(st.sampled_from(sorted(set(vnpost.TRACKING_CODES.values()))), max_size=12))
def test_advance_never_leaves_a_final_status(reported: list[Ship]) -> None:
    status = Ship.SENT
    reached_final = False
    for r in reported:
        before = status
        status = vnpost.advance(status, r)
        if reached_final:
            assert status is before
        reached_final = reached_final or status in vnpost.FINAL_SHIPMENT_STATUSES


def test_hmac_reference_vector_and_verify() -> None:
    # RFC 4231, test case 2: key "Jefe", data "what do ya want for nothing?".
    expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    assert vnpost.sign(b"what do ya want for nothing?", "Jefe") == "sha256=" + expected
    body = b'{"tracking_number":"BC000000001VN"}'
    signature = vnpost.sign(body, "bí mật")
    assert vnpost.verify(body, "bí mật", signature)
    assert vnpost.verify(body, "bí mật", signature.upper().replace("SHA256=", "sha256="))
    assert not vnpost.verify(body + b" ", "bí mật", signature)
    assert not vnpost.verify(body, "khác", signature)
    assert not vnpost.verify(body, "", vnpost.sign(body, ""))
    assert not vnpost.verify(body, "bí mật", None)
