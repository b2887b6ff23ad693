"""Gateway settings of the payments domain (THANGLONG_PAYMENTS_* variables), read at use."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from thanglong.core.config import Settings
from thanglong.core.errors import ThangLongError

DEVELOPMENT_HASH_SECRET = "thanglong-dev-vnpay-secret-not-for-production"  # noqa: S105 - refused in production
SIMULATOR_PATH = "/payments/simulator/vnpay"


class PaymentsConfigError(ThangLongError):
    """The payment gateway is not configured for this environment (HTTP 503)."""

    status = 503


class PaymentSettings(BaseSettings):
    """VNPay merchant and VietQR beneficiary settings."""

    model_config = SettingsConfigDict(env_prefix="THANGLONG_PAYMENTS_", extra="ignore")

    vnpay_tmn_code: str = "THANGLNG"
    vnpay_hash_secret: SecretStr = SecretStr(DEVELOPMENT_HASH_SECRET)
    vnpay_url: str = SIMULATOR_PATH
    vnpay_expire_minutes: int = 15
    vietqr_bin: str = "970415"
    vietqr_account: str = "113366668888"
    vietqr_account_name: str = "UBND THANH PHO HA NOI"

    @property
    def secret(self) -> str:
        """Return the VNPay hash secret."""
        return self.vnpay_hash_secret.get_secret_value()

    @property
    def uses_simulator(self) -> bool:
        """Tell whether payments go to the local gateway simulator."""
        return self.vnpay_url == SIMULATOR_PATH


def load_payment_settings(settings: Settings) -> PaymentSettings:
    """Read the gateway settings, refusing the development secret or the simulator in production."""
    gateway = PaymentSettings()
    if settings.env == "production" and (gateway.secret == DEVELOPMENT_HASH_SECRET or gateway.uses_simulator):
        raise PaymentsConfigError(
            "payments_not_configured",
            "Cổng thanh toán chưa được cấu hình (THANGLONG_PAYMENTS_VNPAY_*).",
            "The payment gateway is not configured (THANGLONG_PAYMENTS_VNPAY_*).",
        )
    return gateway
