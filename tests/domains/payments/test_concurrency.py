"""Two deliveries of the same IPN at once: exactly one confirms, one receipt is issued."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tests.domains.payments.helpers import gateway_result, new_payment, start
from thanglong.core.platform import Platform
from thanglong.core.testing.plugin import committing_platform
from thanglong.domains.payments import services
from thanglong.domains.payments.config import PaymentSettings
from thanglong.domains.payments.models import PaymentsReceipt


@pytest.fixture
def real_platform(tmp_path: Path) -> Iterator[Platform]:
    """A platform on its own database with real commits (no per-test outer transaction)."""
    with committing_platform(tmp_path, "payconc", domains=["identity", "notify", "payments"]) as platform:
        yield platform


def test_concurrent_duplicate_ipn_confirms_once(
    real_platform: Platform, gateway_env: PaymentSettings
) -> None:
    payment = new_payment(real_platform, None, 80_000)
    params = gateway_result(start(real_platform, payment.id, gateway_env), gateway_env.secret)
    barrier = threading.Barrier(4)
    replies: list[str] = []
    lock = threading.Lock()

    def deliver() -> None:
        barrier.wait()
        with real_platform.uow() as uow:
            code = services.handle_ipn(uow, params, gateway=gateway_env).code
        with lock:
            replies.append(code)

    threads = [threading.Thread(target=deliver) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(replies) == ["00", "02", "02", "02"]
    with real_platform.uow() as uow:
        receipts = uow.session.scalar(
            select(func.count()).select_from(PaymentsReceipt).where(PaymentsReceipt.payment_id == payment.id)
        )
        current = services.get_payment(uow, payment.id)
    assert receipts == 1
    assert current is not None
    assert current.status == "succeeded"
