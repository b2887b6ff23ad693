"""The DVCQG sync engine: the status-change payload, the retry schedule, reading the portal's answers."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from thanglong.domains.procedures.dossiers.states import DossierStatus
from thanglong.domains.procedures.integrations.dvcqg import protocol as dvcqg
from thanglong.domains.procedures.integrations.dvcqg.protocol import Outcome

AT = datetime(2026, 3, 2, 8, 5, 9, 123456, tzinfo=UTC)


def change(**overrides: object) -> dvcqg.StatusChange:
    values: dict[str, object] = {
        "dossier_code": "000.00.61.H26-260302-0007",
        "status": DossierStatus.PROCESSED,
        "at": AT,
        "agency_code": "000.00.61.H26",
        "handler": "can.bo.a",
        "received_at": datetime(2026, 3, 2, 1, 0, tzinfo=UTC),
        "due_at": datetime(2026, 3, 5, 10, 0, tzinfo=UTC),
    }
    values.update(overrides)
    return dvcqg.StatusChange(**values)  # type: ignore[arg-type]


def test_payload_carries_the_progress_fields_in_hanoi_time() -> None:
    payload = dvcqg.build_payload(change())
    assert payload["service"] == "CapNhatTienDoHoSoMC"
    assert payload["madonvi"] == "000.00.61.H26"
    [entry] = payload["data"]
    assert entry["MaHoSo"] == "000.00.61.H26-260302-0007"
    assert entry["TrangThai"] == "9"
    # 08:05:09 UTC is 15:05:09 in Hanoi; the portal's format has no fractions and no offset.
    assert entry["ThoiDiemXuLy"] == "20260302150509"
    assert entry["NgayBatDau"] == "20260302080000"
    assert entry["NgayKetThucTheoQuyDinh"] == "20260305170000"
    assert entry["NguoiXuLy"] == "can.bo.a"
    assert entry["NoiDungXuLy"] == "Đã xử lý xong", "without a note the status label says what happened"
    assert dvcqg.payload_errors(payload) == []
    assert dvcqg.keys_of(payload) == [dvcqg.SyncKey("000.00.61.H26-260302-0007", 9, "20260302150509")]


def test_payload_uses_the_note_and_leaves_unknown_dates_empty() -> None:
    payload = dvcqg.build_payload(change(note="Thiếu bản sao giấy khai sinh", received_at=None, due_at=None))
    [entry] = payload["data"]
    assert entry["NoiDungXuLy"] == "Thiếu bản sao giấy khai sinh"
    assert entry["NgayBatDau"] == entry["NgayKetThucTheoQuyDinh"] == ""
    assert dvcqg.payload_errors(payload) == []


@pytest.mark.parametrize("status", list(DossierStatus))
def test_every_status_round_trips_through_its_code(status: DossierStatus) -> None:
    [key] = dvcqg.keys_of(dvcqg.build_payload(change(status=status)))
    assert DossierStatus.from_dvcqg(key.status) is status


def test_portal_time_parses_back_to_the_same_second() -> None:
    text = dvcqg.portal_time(AT)
    assert dvcqg.parse_portal_time(text) == AT.replace(microsecond=0)
    with pytest.raises(ValueError, match="yyyyMMddHHmmss"):
        dvcqg.parse_portal_time("2026-03-02")


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p.update(service="DongBoHoSoMC"), "service"),
        (lambda p: p.update(madonvi=""), "madonvi"),
        (lambda p: p.update(data=[]), "non-empty"),
        (lambda p: p["data"][0].update(MaHoSo=""), "MaHoSo"),
        (lambda p: p["data"][0].update(TrangThai="11"), "TrangThai"),
        (lambda p: p["data"][0].update(TrangThai=4), "TrangThai"),
        (lambda p: p["data"][0].update(ThoiDiemXuLy=""), "ThoiDiemXuLy"),
        (lambda p: p["data"][0].update(NgayBatDau="2026-03-02"), "NgayBatDau"),
    ],
)
def test_malformed_payloads_are_named(mutate, message: str) -> None:  # type: ignore[no-untyped-def]
    payload = dvcqg.build_payload(change())
    mutate(payload)
    errors = dvcqg.payload_errors(payload)
    assert errors
    assert any(message in e for e in errors)


def test_a_body_that_is_not_an_object_is_malformed() -> None:
    assert dvcqg.payload_errors([1, 2]) == ["the body is not a JSON object"]


@given(attempts=st.integers(min_value=1, max_value=200), seed=st.integers(min_value=0, max_value=2**32))
def test_backoff_stays_between_half_and_full_ceiling(attempts: int, seed: int) -> None:
    delay = dvcqg.backoff_delay(attempts, random.Random(seed))
    ceiling = min(dvcqg.BACKOFF_CAP_SECONDS, dvcqg.BACKOFF_BASE_SECONDS * 2 ** (attempts - 1))
    assert ceiling / 2 <= delay <= ceiling
    assert delay <= dvcqg.BACKOFF_CAP_SECONDS


def test_backoff_doubles_then_caps_and_jitter_spreads_workers() -> None:
    lows = [dvcqg.backoff_delay(n, random.Random(0)) for n in range(1, 12)]
    assert 15 <= lows[0] <= 30
    assert 30 <= lows[1] <= 60
    assert all(dvcqg.BACKOFF_CAP_SECONDS / 2 <= d <= dvcqg.BACKOFF_CAP_SECONDS for d in lows[8:])
    rng = random.Random(42)
    spread = {round(dvcqg.backoff_delay(3, rng), 3) for _ in range(50)}
    assert len(spread) > 40, "jitter gives workers different waits"
    assert min(spread) >= 60 and max(spread) <= 120


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (200, '{"error_code": "00"}', Outcome.SENT),
        (200, '{"error_code": 0}', Outcome.SENT),
        (201, "", Outcome.SENT),
        (204, "", Outcome.SENT),
        (200, '{"error_code": "DUPLICATE"}', Outcome.DUPLICATE),
        (200, '{"error_code": "E12", "message": "Mã hồ sơ sai"}', Outcome.FAILED),
        (409, '{"error_code": "DUPLICATE"}', Outcome.DUPLICATE),
        (400, '{"error_code": "400"}', Outcome.FAILED),
        (401, "", Outcome.FAILED),
        (403, "", Outcome.FAILED),
        (404, "", Outcome.FAILED),
        (422, "", Outcome.FAILED),
        (408, "", Outcome.RETRY),
        (429, "", Outcome.RETRY),
        (500, "", Outcome.RETRY),
        (502, "<html>Bad gateway</html>", Outcome.RETRY),
        (503, "", Outcome.RETRY),
        (504, "", Outcome.RETRY),
    ],
)
def test_portal_answers_are_classified(status: int, body: str, outcome: Outcome) -> None:
    verdict = dvcqg.classify(status, body)
    assert verdict.outcome is outcome
    assert verdict.outcome.acknowledged == (outcome in (Outcome.SENT, Outcome.DUPLICATE))
    if not verdict.outcome.acknowledged:
        assert str(status) in verdict.reason


def test_no_answer_is_retried_with_the_network_error() -> None:
    verdict = dvcqg.classify(None, error="timeout: read timed out")
    assert verdict == dvcqg.Verdict(Outcome.RETRY, "timeout: read timed out")


def test_listing_is_read_and_malformed_listings_raise() -> None:
    body = {
        "error_code": "00",
        "result": [{"MaHoSo": "A-1", "TrangThai": "4"}, {"MaHoSo": "B-2", "TrangThai": 9}],
    }
    assert dvcqg.read_listing(body) == {"A-1": 4, "B-2": 9}
    bads: list[object] = [
        {"result": None},
        [],
        {"result": [{"MaHoSo": "A-1", "TrangThai": "x"}]},
        {"result": [3]},
    ]
    for bad in bads:
        with pytest.raises(ValueError, match="listing"):
            dvcqg.read_listing(bad)


def test_compare_sorts_missing_different_and_unknown() -> None:
    result = dvcqg.compare({"A": 4, "B": 9, "C": 2}, {"B": 4, "C": 2, "Z": 10})
    assert result.missing_on_portal == [dvcqg.Difference("A", 4, None)]
    assert result.status_differs == [dvcqg.Difference("B", 9, 4)]
    assert result.unknown_to_us == [dvcqg.Difference("Z", None, 10)]
    assert result.matching == 1
