"""Gateway settings of the payments domain (THANGLONG_PAYMENTS_* variables), read at use."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import SettingsConfigDict

from thanglong.core.config import Settings
from thanglong.core.domain_settings import DomainSettings, SettingProblem
from thanglong.core.errors import ThangLongError

DEVELOPMENT_HASH_SECRET = "thanglong-dev-vnpay-secret-not-for-production"  # noqa: S105 - refused in production
SIMULATOR_PATH = "/payments/simulator/vnpay"


class PaymentsConfigError(ThangLongError):
    """The payment gateway is not configured for this environment (HTTP 503)."""

    status = 503


class PaymentSettings(DomainSettings):
    """VNPay merchant and VietQR beneficiary settings."""

    model_config = SettingsConfigDict(
        env_prefix="THANGLONG_PAYMENTS_", extra="ignore", hide_input_in_errors=True
    )

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

    def production_problems(self) -> list[SettingProblem]:
        """Refuse the development secret and the local simulator in production."""
        problems = []
        if self.secret == DEVELOPMENT_HASH_SECRET:
            problems.append(
                SettingProblem(
                    "THANGLONG_PAYMENTS_VNPAY_HASH_SECRET",
                    "vẫn là khoá thử nghiệm, hãy đặt khoá bí mật do VNPay cấp.",
                    "still the development secret; set the secret VNPay issued.",
                )
            )
        if self.uses_simulator:
            problems.append(
                SettingProblem(
                    "THANGLONG_PAYMENTS_VNPAY_URL",
                    "vẫn trỏ tới bộ giả lập cục bộ, hãy đặt địa chỉ cổng VNPay.",
                    "still points at the local simulator; set VNPay's payment URL.",
                )
            )
        return problems


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
