"""Pytest fixtures: migrated databases (SQLite, or PostgreSQL by env), per-test transactions, MQTT."""

from __future__ import annotations

import os
import secrets
import socket
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import sessionmaker

from thanglong.core import migrate
from thanglong.core.bus import Event
from thanglong.core.config import Settings
from thanglong.core.db import make_engine
from thanglong.core.jobs import JobRunner, RunReport
from thanglong.core.mqtt import EMBEDDED_USERNAME, BrokerCredentials, EmbeddedBroker, MqttPublisher
from thanglong.core.platform import Platform, build_platform
from thanglong.core.relay import publish_with
from thanglong.core.uow import RELAY_KIND, UnitOfWork

TEST_SECRET = "test-secret-key-for-thanglong-0123456789"  # noqa: S105 - test-only secret


def free_port() -> int:
    """Return a TCP port that is free on 127.0.0.1 right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def create_server_database(server_url: str, name: str) -> str:
    """Create an empty database called name on a PostgreSQL server; return its URL."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def drop_server_database(server_url: str, url: str) -> None:
    """Drop the PostgreSQL database of url (made by create_server_database), its sessions closed."""
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def create_database(tmp_dir: Path, label: str = "db") -> str:
    """Create an empty database for a test run: a SQLite file, or a new PostgreSQL database."""
    pg = os.environ.get("THANGLONG_TEST_DATABASE_URL")
    if not pg:
        return f"sqlite:///{tmp_dir / f'{label}.db'}"
    return create_server_database(pg, f"tl_test_{label}_{uuid.uuid4().hex[:10]}")


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database created by create_database (SQLite files go with tmp)."""
    if url.startswith("sqlite"):
        return
    drop_server_database(os.environ["THANGLONG_TEST_DATABASE_URL"], url)


def make_settings(data_dir: Path, database_url: str, **overrides: object) -> Settings:
    """Return settings for tests: test env, a temporary data dir, a fixed secret."""
    values: dict[str, object] = {
        "env": "test",
        "data_dir": data_dir,
        "database_url": database_url,
        "secret_key": TEST_SECRET,
        "load_demo_on_first_start": False,
        "run_jobs_in_process": False,
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


@contextmanager
def committing_platform(tmp_dir: Path, label: str, **overrides: object) -> Iterator[Platform]:
    """A platform on a database of its own, migrated for its domains, whose units of work really commit
    (for tests of several connections at once); the database is dropped afterwards."""
    url = create_database(tmp_dir, label)
    settings = make_settings(tmp_dir, url, **overrides)
    engine = make_engine(url)
    migrate.upgrade(engine, domains=settings.domains)
    platform = build_platform(settings, engine=engine)
    try:
        yield platform
    finally:
        platform.close()
        drop_database(url)


@pytest.fixture(scope="session")
def tl_database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One migrated database per test process."""
    url = create_database(tmp_path_factory.mktemp("db"), "shared")
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def tl_engine(tl_database_url: str) -> Iterator[Engine]:
    """The engine of the shared migrated test database."""
    engine = make_engine(tl_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def tl_connection(tl_engine: Engine) -> Iterator[Connection]:
    """A connection inside an outer transaction that is rolled back after the test."""
    conn = tl_engine.connect()
    outer = conn.begin()
    yield conn
    if outer.is_active:
        outer.rollback()
    conn.close()


@pytest.fixture
def tl_settings(tmp_path: Path, tl_database_url: str) -> Settings:
    """Settings pointing at the shared test database and a per-test data directory."""
    return make_settings(tmp_path, tl_database_url)


@pytest.fixture
def platform(tl_settings: Settings, tl_engine: Engine, tl_connection: Connection) -> Iterator[Platform]:
    """A platform whose units of work run inside the test's rolled-back transaction."""
    p = build_platform(tl_settings, engine=tl_engine)
    p.session_factory = sessionmaker(
        bind=tl_connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    yield p


@pytest.fixture
def uow(platform: Platform) -> UnitOfWork:
    """A fresh unit of work on the test platform (use it in a with-block)."""
    return platform.uow()


class RecordingBus:
    """Keeps every committed event of a platform, for assertions (the platform's bus still dispatches)."""

    def __init__(self) -> None:
        self.published: list[Event] = []

    def record(self, events: Sequence[Event]) -> None:
        """Append the events of one commit."""
        self.published.extend(events)


@pytest.fixture
def fake_bus(platform: Platform) -> RecordingBus:
    """Record the events each unit of work of the test platform commits."""
    recorder = RecordingBus()
    platform.bus.observe_commits(recorder.record)
    return recorder


def run_jobs(platform: Platform, *, kinds: Sequence[str] | None = None, rounds: int = 20) -> int:
    """Run due jobs until none is left (or `rounds` passes); return how many ran. Tests' worker."""
    runner = JobRunner(platform, platform.job_kinds)
    total = 0
    for _ in range(rounds):
        report = runner.run_once(kinds=kinds)
        total += report.claimed
        if report.claimed == 0:
            break
    return total


def relay_events(platform: Platform, mqtt_url: str) -> RunReport:
    """Publish the platform's committed external events to a broker now (what the worker's relay does)."""
    publisher = MqttPublisher(mqtt_url)
    try:
        runner = JobRunner(platform, platform.job_kinds, handlers={RELAY_KIND: publish_with(publisher)})
        return runner.run_once(kinds=[RELAY_KIND])
    finally:
        publisher.close()


@pytest.fixture(scope="session")
def mqtt_url() -> Iterator[str]:
    """THANGLONG_TEST_MQTT_URL (Mosquitto in CI) or an embedded amqtt broker on a free port."""
    external = os.environ.get("THANGLONG_TEST_MQTT_URL")
    if external:
        yield external
        return
    # The embedded broker admits no anonymous client: the URL carries a password made for this run.
    broker = EmbeddedBroker(
        "127.0.0.1", free_port(), BrokerCredentials(EMBEDDED_USERNAME, secrets.token_urlsafe(32))
    )
    broker.start()
    yield broker.url
    broker.stop()
