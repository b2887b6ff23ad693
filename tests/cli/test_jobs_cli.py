"""Tests of `thanglong jobs`: list, retry, purge and stats, with --json, exit codes and audit."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from sqlalchemy import select, update
from typer.testing import CliRunner

from thanglong.cli import common
from thanglong.cli.main import build_cli
from thanglong.core import jobs, migrate
from thanglong.core.models import AuditRecord, Job
from thanglong.core.platform import Platform, build_platform
from thanglong.core.testing.plugin import create_database, drop_database, make_settings

runner = CliRunner()
# 17:00 UTC is midnight of the next day in Hanoi.
CREATED = datetime(2026, 1, 31, 17, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _wide_console(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tables at full width: without a terminal (xdist workers) rich would wrap them at 80 columns."""
    monkeypatch.setattr(common.console, "width", 200)


@pytest.fixture
def database_url(tmp_path: Path) -> Iterator[str]:
    """A fresh migrated database (SQLite, or PostgreSQL when THANGLONG_TEST_DATABASE_URL is set)."""
    url = create_database(tmp_path, "jobscli")
    platform = build_platform(make_settings(tmp_path, url))
    migrate.upgrade(platform.engine)
    platform.close()
    yield url
    drop_database(url)


@pytest.fixture
def seeded(tmp_path: Path, database_url: str) -> Iterator[Platform]:
    """A platform on the database with 2 queued, 1 done and 2 dead jobs of test kinds."""
    platform = build_platform(make_settings(tmp_path, database_url))
    with platform.uow() as uow:
        for n, kind in enumerate(["t.cli.a", "t.cli.a", "t.cli.b", "t.cli.b", "t.cli.b"]):
            jobs.enqueue(uow, kind, {"n": n}, run_after=CREATED)
        uow.session.flush()
        ids = list(uow.session.scalars(select(Job.id).order_by(Job.id)))
        session = uow.session
        session.execute(update(Job).values(created_at=CREATED))
        session.execute(
            update(Job).where(Job.id == ids[2]).values(status=jobs.DONE, attempts=1, finished_at=CREATED)
        )
        session.execute(
            update(Job)
            .where(Job.id.in_(ids[3:]))
            .values(status=jobs.DEAD, attempts=8, finished_at=CREATED, last_error="TimeoutError: VNPost")
        )
        uow.commit()
    yield platform
    platform.close()


@pytest.fixture
def cli(tmp_path: Path, database_url: str, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    """The full CLI on the temporary database."""
    monkeypatch.setenv("THANGLONG_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("THANGLONG_DATABASE_URL", database_url)
    monkeypatch.setenv("COLUMNS", "250")
    return build_cli()


def ids_of(platform: Platform, status: str) -> list[int]:
    with platform.session_factory() as session:
        return list(session.scalars(select(Job.id).where(Job.status == status).order_by(Job.id)))


def audit_actions(platform: Platform) -> list[tuple[str, str, dict[str, object] | None]]:
    with platform.session_factory() as session:
        rows = session.execute(
            select(AuditRecord.action, AuditRecord.actor, AuditRecord.after)
            .where(AuditRecord.action.like("core.jobs.%"))
            .order_by(AuditRecord.seq)
        ).all()
    return [(a, b, c) for a, b, c in rows]


def test_list_filters_and_json(cli: typer.Typer, seeded: Platform) -> None:
    result = runner.invoke(cli, ["jobs", "list", "--json"])
    assert result.exit_code == 0, result.output
    listed = json.loads(result.stdout)["jobs"]
    assert len(listed) == 5 and listed[0]["id"] > listed[-1]["id"], "newest first"
    dead = json.loads(runner.invoke(cli, ["jobs", "list", "--status", "dead", "--json"]).stdout)["jobs"]
    assert [j["last_error"] for j in dead] == ["TimeoutError: VNPost"] * 2
    only_a = json.loads(runner.invoke(cli, ["jobs", "list", "--kind", "t.cli.a", "--json"]).stdout)["jobs"]
    assert {j["kind"] for j in only_a} == {"t.cli.a"} and len(only_a) == 2
    one = json.loads(runner.invoke(cli, ["jobs", "list", "--limit", "1", "--json"]).stdout)["jobs"]
    assert len(one) == 1
    table = runner.invoke(cli, ["jobs", "list", "--status", "dead"])
    assert table.exit_code == 0 and "01/02/2026 00:00:00" in table.stdout, "times in Asia/Ho_Chi_Minh"
    assert "TimeoutError: VNPost" in table.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["jobs", "list", "--status", "finished"],
        ["jobs", "list", "--limit", "0"],
        ["jobs", "retry"],
        ["jobs", "retry", "1", "--all-dead"],
        ["jobs", "purge", "--older-than-days", "-1"],
    ],
)
def test_bad_input_is_one_line_and_exit_2(cli: typer.Typer, seeded: Platform, args: list[str]) -> None:
    result = runner.invoke(cli, args)
    assert result.exit_code == 2, result.output
    assert result.stderr.count("\n") == 1 and "lỗi / error" in result.stderr


def test_retry_unknown_id_fails_and_changes_nothing(cli: typer.Typer, seeded: Platform) -> None:
    dead = ids_of(seeded, jobs.DEAD)
    result = runner.invoke(cli, ["jobs", "retry", str(dead[0]), "987654"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and "987654" in result.stderr
    assert ids_of(seeded, jobs.DEAD) == dead
    assert audit_actions(seeded) == []


def test_retry_by_id_and_all_dead_are_audited(cli: typer.Typer, seeded: Platform) -> None:
    first, second = ids_of(seeded, jobs.DEAD)
    queued = ids_of(seeded, jobs.QUEUED)
    result = runner.invoke(cli, ["jobs", "retry", str(first), str(queued[0]), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"retried": 1, "ids": [first], "not_dead": [queued[0]]}
    assert ids_of(seeded, jobs.DEAD) == [second]
    plain = runner.invoke(cli, ["jobs", "retry", "--all-dead"])
    assert plain.exit_code == 0 and "queued again: 1" in plain.stdout
    nothing = runner.invoke(cli, ["jobs", "retry", "--all-dead", "--json"])
    assert nothing.exit_code == 0 and json.loads(nothing.stdout)["retried"] == 0
    with seeded.session_factory() as session:
        row = session.get(Job, first)
        assert row is not None and (row.status, row.attempts, row.finished_at) == (jobs.QUEUED, 0, None)
    actions = audit_actions(seeded)
    assert [(a, after["ids"] if after else None) for a, _actor, after in actions] == [
        ("core.jobs.retried", [first]),
        ("core.jobs.retried", [second]),
    ]
    assert all(actor.startswith("cli:") for _a, actor, _after in actions)


def test_purge_keeps_dead_jobs_unless_asked(cli: typer.Typer, seeded: Platform) -> None:
    kept = runner.invoke(cli, ["jobs", "purge", "--json"])
    assert kept.exit_code == 0, kept.output
    assert json.loads(kept.stdout) == {"deleted": 1, "older_than_days": 7, "include_dead": False}
    assert len(ids_of(seeded, jobs.DEAD)) == 2
    recent = runner.invoke(cli, ["jobs", "purge", "--older-than-days", "3650", "--include-dead"])
    assert recent.exit_code == 0 and "deleted: 0" in recent.stdout, "nothing finished that long ago"
    everything = runner.invoke(cli, ["jobs", "purge", "--older-than-days", "0", "--include-dead", "--json"])
    assert json.loads(everything.stdout)["deleted"] == 2
    assert ids_of(seeded, jobs.QUEUED) != [] and ids_of(seeded, jobs.DEAD) == []
    purges = [after for action, _actor, after in audit_actions(seeded) if action == "core.jobs.purged"]
    assert [p["count"] if p else None for p in purges] == [1, 2]


def test_stats_counts_per_kind_and_health(cli: typer.Typer, seeded: Platform) -> None:
    result = runner.invoke(cli, ["jobs", "stats", "--json"])
    assert result.exit_code == 0, result.output
    body = json.loads(result.stdout)
    assert body["kinds"] == [
        {"kind": "t.cli.a", "queued": 2, "running": 0, "done": 0, "dead": 0},
        {"kind": "t.cli.b", "queued": 0, "running": 0, "done": 1, "dead": 2},
    ]
    health = body["health"]
    assert (health["queued"], health["running"], health["dead"], health["done"]) == (2, 0, 2, 1)
    # No domain of this platform runs the test kinds: their queued jobs are held, none is late.
    assert health["held"] == 2 and health["oldest_queued_seconds"] == 0.0
    table = runner.invoke(cli, ["jobs", "stats"])
    assert table.exit_code == 0 and "t.cli.b" in table.stdout and "dead: 2" in table.stdout
