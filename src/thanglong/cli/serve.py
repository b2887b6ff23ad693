"""`thanglong serve`: the whole platform in one process on the embedded defaults, or on external services."""

from __future__ import annotations

import errno
import hashlib
import logging
import signal
import socket
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import Any

import typer
import uvicorn
from sqlalchemy.engine import make_url

from thanglong.cli.common import console, fail
from thanglong.core import migrate, mqtt, runtime
from thanglong.core.config import Settings
from thanglong.core.consumers import ConsumerDeclarationError
from thanglong.core.live import LiveHub
from thanglong.core.mqtt import EmbeddedBroker
from thanglong.core.platform import Platform, build_platform_or_exit, load_demo_data
from thanglong.worker.main import Worker

logger = logging.getLogger(__name__)

EXIT_PORT_IN_USE = 3
EXIT_STARTUP_FAILED = 4


def port_in_use(host: str, port: int) -> bool:
    """Tell whether a TCP port cannot be bound on host (another program listens there)."""
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        # Same option as asyncio's servers, so a socket in TIME_WAIT does not count as taken.
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                return True
            raise
    return False


def demo_marker(settings: Settings) -> Path:
    """Return the file recording that the demo data was loaded into this database."""
    url = settings.effective_database_url
    digest = hashlib.sha256(url.encode()).hexdigest()[:12]
    return settings.data_dir / f"demo-loaded-{digest}"


def load_demo_once(platform: Platform) -> list[str] | None:
    """Load the Hanoi demo data on the first start against a database; None when it was done before."""
    settings = platform.settings
    marker = demo_marker(settings)
    if marker.exists():
        return None
    loaded = load_demo_data(platform)
    marker.write_text(f"{datetime.now(UTC).isoformat()} {', '.join(loaded)}\n", encoding="utf-8")
    return loaded


def listening_settings(settings: Settings, host: str, port: int) -> Settings:
    """Return the settings with the public address following host and port, unless one was configured.

    Links and QR codes (tracking pages, payment return, single sign-on) then point where this server
    listens: `serve --port 8080` gives http://127.0.0.1:8080 (a wildcard host shows as 127.0.0.1).
    """
    if "public_base_url" in settings.model_fields_set:
        return settings
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - comparing, not binding
    return settings.model_copy(update={"public_base_url": f"http://{_url_host(shown)}:{port}"})


def server_config(app: Any, settings: Settings, host: str, port: int) -> uvicorn.Config:
    """Return uvicorn's configuration: X-Forwarded-* believed only from THANGLONG_FORWARDED_ALLOW_IPS.

    uvicorn's own default believes 127.0.0.1, so any process on the host could choose the client address
    the audit log and the sign-in throttle see; here nobody is believed until a proxy is named.
    """
    trusted = settings.forwarded_allow_ips.strip()
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level="info",
        lifespan="on",
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )


def _url_host(host: str) -> str:
    """Return a host as it goes in a URL (IPv6 addresses in brackets)."""
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


def _check_ports(settings: Settings, host: str, port: int) -> None:
    if port_in_use(host, port):
        fail(f"cổng / port {host}:{port} is already in use: choose another with --port", EXIT_PORT_IN_USE)
    if settings.uses_embedded_broker and port_in_use(
        settings.embedded_mqtt_host, settings.embedded_mqtt_port
    ):
        fail(
            f"cổng MQTT / MQTT port {settings.embedded_mqtt_host}:{settings.embedded_mqtt_port} "
            "is already in use: set THANGLONG_EMBEDDED_MQTT_PORT to a free port, "
            "or THANGLONG_MQTT_URL to use that broker",
            EXIT_PORT_IN_USE,
        )


def _prepare(settings: Settings) -> Platform:
    """Create the data dir, migrate the schema and load the demo data on first start."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    platform = build_platform_or_exit(settings)
    try:
        migrate.upgrade(platform.engine, domains=settings.domains)
    except Exception as exc:  # the reason is shown on one line; the traceback adds nothing for an operator
        platform.close()
        fail(f"migration failed / không nâng cấp được CSDL: {exc}".replace("\n", " "), EXIT_STARTUP_FAILED)
    # The demo administrator's password is public: never load the demo into a production database.
    if settings.load_demo_on_first_start and settings.env != "production":
        try:
            loaded = load_demo_once(platform)
        except Exception as exc:  # same as above: one clear line, and how to start without the demo
            platform.close()
            fail(
                f"demo data could not be loaded: {exc}; start with THANGLONG_LOAD_DEMO_ON_FIRST_START=false "
                "to skip it".replace("\n", " "),
                EXIT_STARTUP_FAILED,
            )
        if loaded is not None:
            console.print(f"Đã nạp dữ liệu mẫu Hà Nội / Hanoi demo data loaded: {', '.join(loaded) or '-'}")
    return platform


def _banner(settings: Settings, host: str, port: int) -> None:
    shown_host = f"[{host}]" if ":" in host else host
    console.print(f"Thăng Long đang chạy / listening on http://{shown_host}:{port}", highlight=False)
    console.print(f"  data dir: {settings.data_dir}", highlight=False)
    db = make_url(settings.effective_database_url).render_as_string(hide_password=True)
    console.print(f"  database: {db}", highlight=False)
    broker = "embedded" if settings.uses_embedded_broker else "external"
    console.print(
        f"  MQTT broker ({broker}): {mqtt.redact_url(settings.effective_mqtt_url)}", highlight=False
    )
    if settings.uses_embedded_broker:
        where = settings.data_dir / mqtt.PASSWORD_FILE
        console.print(
            f"  MQTT user / người dùng: {mqtt.EMBEDDED_USERNAME}, password in {where}", highlight=False
        )
    if settings.env == "development":
        password = settings.demo_admin_password.get_secret_value()
        console.print(
            f"  demo admin / quản trị mẫu: {settings.demo_admin_username} / {password}", highlight=False
        )


class _Server(uvicorn.Server):
    """uvicorn's server, ending the live streams when told to stop: it waits for open responses first."""

    def __init__(self, config: uvicorn.Config, live: LiveHub) -> None:
        super().__init__(config)
        self.live = live

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        """Close the live streams, then shut down as uvicorn does."""
        self.live.close_streams()
        super().handle_exit(sig, frame)


def _serve_until_signal(server: uvicorn.Server) -> None:
    """Run uvicorn; on SIGINT/SIGTERM let it drain requests, then return so the caller can clean up."""

    def stop(_signum: int, _frame: FrameType | None) -> None:
        server.should_exit = True

    # uvicorn re-raises the signal it caught once it has shut down, under the handlers it found. With
    # the default handlers that would kill the process before the broker and the jobs are stopped.
    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def run(settings: Settings, host: str | None = None, port: int | None = None) -> None:
    """Run web app, broker and jobs in this process until SIGINT or SIGTERM, then stop them in order."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # The broker logs every client connection and state change at INFO, and fontTools every glyph of a
    # PDF's font subset: too much for a console (and enough to fill a pipe nobody reads).
    for noisy in ("amqtt", "transitions", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    mqtt.hide_broker_password_in_logs(settings)
    host = host or settings.host
    port = port or settings.port
    settings = listening_settings(settings, host, port)
    _check_ports(settings, host, port)
    platform = _prepare(settings)
    broker: EmbeddedBroker | None = None
    worker: Worker | None = None
    try:
        if settings.uses_embedded_broker:
            credentials = mqtt.embedded_credentials(settings)
            broker = EmbeddedBroker(settings.embedded_mqtt_host, settings.embedded_mqtt_port, credentials)
            try:
                broker.start()
            except (RuntimeError, TimeoutError) as exc:
                broker = None
                fail(f"embedded MQTT broker did not start: {exc}".replace("\n", " "), EXIT_PORT_IN_USE)
        if settings.run_jobs_in_process:
            try:
                worker = Worker(platform)
            except ConsumerDeclarationError as exc:
                fail(str(exc), EXIT_STARTUP_FAILED)
            worker.start_in_thread()
        from thanglong.web.app import create_app  # noqa: PLC0415 - the web stack loads only when serving

        live = LiveHub.for_platform(platform)
        app = create_app(platform=platform, live=live)
        _banner(settings, host, port)
        server = _Server(server_config(app, settings, host, port), live)
        runtime.tune_gc()
        _serve_until_signal(server)
        if not server.started:
            raise typer.Exit(EXIT_STARTUP_FAILED)
    finally:
        if worker is not None:
            worker.stop()
        if broker is not None:
            broker.stop()
        platform.close()
        console.print("Thăng Long đã dừng / stopped")
