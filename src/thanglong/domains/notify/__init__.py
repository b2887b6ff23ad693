"""Shared notification service: e-mail, SMS gateway, in-app inbox; outbox with retries."""

from thanglong.domains.notify.manifest import MANIFEST

__all__ = ["MANIFEST"]
