"""ASGI factory for production: `uvicorn --factory thanglong.web.asgi:app_from_env --workers N`."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from thanglong.core import migrate, mqtt, runtime
from thanglong.core.config import Settings
from thanglong.core.platform import build_platform_or_exit
from thanglong.web.app import create_app

logger = logging.getLogger(__name__)


def app_from_env() -> FastAPI:
    """Build one stateless app process from THANGLONG_* variables; it never migrates or runs jobs."""
    settings = Settings()
    if settings.uses_embedded_broker:
        if settings.env == "production":
            raise RuntimeError(
                "THANGLONG_MQTT_URL must point at the external broker: app processes started by "
                "uvicorn --workers cannot share an embedded broker"
            )
        logger.warning(
            "no THANGLONG_MQTT_URL: expecting the embedded broker of `thanglong serve` at %s",
            mqtt.redact_url(settings.effective_mqtt_url),
        )
    platform = build_platform_or_exit(settings)
    # Several processes start at once: migrating here would race, so the operator runs it once first.
    problem = migrate.schema_problem(platform.engine, domains=settings.domains)
    if problem:
        platform.close()
        raise RuntimeError(problem)
    app = create_app(platform=platform)
    runtime.tune_gc()
    return app
