"""Fixtures of the payments tests: the payments domain enabled and a known gateway secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from thanglong.core.config import Settings
from thanglong.core.testing.plugin import make_settings
from thanglong.domains.payments.config import PaymentSettings

SECRET = "test-vnpay-hash-secret-0123456789ABCDEF"
TMN_CODE = "TLTEST01"


@pytest.fixture
def tl_settings(tmp_path: Path, tl_database_url: str) -> Settings:
    """Settings with the payments domain enabled."""
    return make_settings(tmp_path, tl_database_url, domains=["identity", "notify", "payments"])


@pytest.fixture(autouse=True)
def gateway_env(monkeypatch: pytest.MonkeyPatch) -> PaymentSettings:
    """Point the gateway settings at a test merchant and secret (the simulator stays the gateway)."""
    monkeypatch.setenv("THANGLONG_PAYMENTS_VNPAY_HASH_SECRET", SECRET)
    monkeypatch.setenv("THANGLONG_PAYMENTS_VNPAY_TMN_CODE", TMN_CODE)
    return PaymentSettings()
