"""Shared payment service: VNPay-protocol gateway, VietQR, receipts, refunds and reconciliation."""

from thanglong.domains.payments.manifest import MANIFEST

__all__ = ["MANIFEST"]
