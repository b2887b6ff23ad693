"""Fixtures of the bill tests: a known payment gateway secret (the simulator stays the gateway)."""

from __future__ import annotations

import pytest

from thanglong.domains.payments.config import PaymentSettings

SECRET = "test-vnpay-hash-secret-bills-0123456789"
TMN_CODE = "TLBILL01"


@pytest.fixture(autouse=True)
def gateway_env(monkeypatch: pytest.MonkeyPatch) -> PaymentSettings:
    """Point the gateway settings at a test merchant and secret."""
    monkeypatch.setenv("THANGLONG_PAYMENTS_VNPAY_HASH_SECRET", SECRET)
    monkeypatch.setenv("THANGLONG_PAYMENTS_VNPAY_TMN_CODE", TMN_CODE)
    return PaymentSettings()
